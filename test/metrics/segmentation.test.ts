import { test } from "node:test";
import assert from "node:assert/strict";
import { diceFromCounts, dicePerImageClass } from "../../src/lib/metrics/segmentation";

test("Dice: empty prediction on empty mask = 1 (Severstal rule); disjoint = 0; hand-computed overlap", () => {
  assert.equal(diceFromCounts(0, 0, 0), 1);
  assert.equal(diceFromCounts(0, 5, 0), 0);
  assert.equal(diceFromCounts(0, 0, 5), 0);
  // N=2, H=1, W=4, C=2 channel-last
  // image 0, class 0: pred 1100, truth 1000 → 2·1/(2+1) = 2/3; class 1: both empty → 1
  // image 1, class 0: pred 0000 truth 0000 → 1; class 1: pred 0.9,0.2,0.7,0.1 (→1010) truth 1110 → 2·2/(2+3) = 0.8
  const pred = [
    [0.9, 0, 0.6, 0, 0.1, 0, 0.2, 0],
    [0, 0.9, 0, 0.2, 0, 0.7, 0, 0.1],
  ].flat();
  const truth = [
    [1, 0, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 1, 0, 1, 0, 0],
  ].flat();
  const r = dicePerImageClass(pred, truth, [2, 1, 4, 2]);
  const expected = [
    [2 / 3, 1],
    [1, 0.8],
  ];
  r.perImageClass.forEach((row, n) => row.forEach((v, c) => assert.ok(Math.abs(v - expected[n][c]) < 1e-12)));
  assert.ok(Math.abs(r.perClass[0] - (2 / 3 + 1) / 2) < 1e-12);
  assert.ok(Math.abs(r.mean - (2 / 3 + 1 + 1 + 0.8) / 4) < 1e-12);
  assert.throws(() => dicePerImageClass([1, 0], [1], [1, 1, 2, 1]), /needs 2 values/);
});
