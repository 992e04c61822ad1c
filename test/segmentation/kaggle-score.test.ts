import { test } from "node:test";
import assert from "node:assert/strict";
import { dicePerImageClass, segmentationCounts, segmentationScores } from "../../src/lib/metrics/segmentation";

/** [H·W·C] mask from per-class lists of foreground pixel indices (H·W = 4, C = 4). */
function mask(perClass: number[][]): Uint8Array {
  const m = new Uint8Array(4 * 4);
  perClass.forEach((pixels, c) => pixels.forEach((p) => (m[p * 4 + c] = 1)));
  return m;
}

// Two 2×2 images, 4 classes. Expected pair Dice / IoU by hand:
//  A c0 truth {0,1} pred {0}       tp1 fp0 fn1  Dice 2/3  IoU 1/2   (partial overlap)
//  A c1 both empty                              Dice 1    IoU 1
//  A c2 truth {} pred {3}          fp1          Dice 0    IoU 0     (false mask on a clean pair)
//  A c3 truth {2} pred {}          fn1          Dice 0    IoU 0     (missed defect)
//  B c0 both empty                              Dice 1    IoU 1
//  B c1 truth {0,1,2} pred {1,2,3} tp2 fp1 fn1  Dice 2/3  IoU 1/2
//  B c2 both empty                              Dice 1    IoU 1
//  B c3 truth {3} pred {3}         tp1          Dice 1    IoU 1
const truth = [mask([[0, 1], [], [], [2]]), mask([[], [0, 1, 2], [], [3]])];
const pred = [mask([[0], [], [3], []]), mask([[], [1, 2, 3], [], [3]])];

test("Kaggle score = mean Dice over every (image, class) pair, both-empty = 1 (hand-computed)", () => {
  const s = segmentationScores(segmentationCounts(pred, truth, 4));
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(s.kaggle, (2 / 3 + 1 + 0 + 0 + 1 + 2 / 3 + 1 + 1) / 8);
  close(s.kaggle, 2 / 3);
  [5 / 6, 5 / 6, 0.5, 0.5].forEach((v, c) => close(s.perClassDice[c], v));
  [0.75, 0.75, 0.5, 0.5].forEach((v, c) => close(s.perClassIoU[c], v));
  // Pooled over images: c0 1/2, c1 2/4, c2 0/1, c3 1/2.
  [0.5, 0.5, 0, 0.5].forEach((v, c) => close(s.perClassPooledIoU[c], v));
  assert.deepEqual(s.presence, [
    { tp: 1, fp: 0, fn: 0, tn: 1 },
    { tp: 1, fp: 0, fn: 0, tn: 1 },
    { tp: 0, fp: 1, fn: 0, tn: 1 },
    { tp: 1, fp: 0, fn: 1, tn: 0 },
  ]);
});

test("the count-based score agrees with the probability-based dicePerImageClass", () => {
  const flat = (a: Uint8Array[]) => Uint8Array.from([...a[0], ...a[1]]);
  const d = dicePerImageClass(flat(pred), flat(truth), [2, 2, 2, 4]);
  const s = segmentationScores(segmentationCounts(pred, truth, 4));
  assert.ok(Math.abs(d.mean - s.kaggle) < 1e-12);
  assert.deepEqual(d.perImageClass, s.perImageClass);
});

test("bad shapes are clear errors", () => {
  assert.throws(() => segmentationCounts([pred[0]], truth, 4), /1 predicted images but 2 truth/);
  assert.throws(() => segmentationCounts([new Uint8Array(15)], [new Uint8Array(15)], 4), /image 0/);
  assert.throws(() => segmentationScores([]), /no images/);
});
