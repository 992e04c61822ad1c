import { test } from "node:test";
import assert from "node:assert/strict";
import {
  auc,
  averagePrecision,
  averagePrecisionOvr,
  precisionRecallCurve,
  rocAuc,
  rocAucMultilabel,
  rocAucOvr,
  rocCurve,
} from "../../src/lib/metrics/curves";
import { createRng } from "../../src/lib/util/rng";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const closeAll = (a: number[], b: number[], tol = 1e-6) => {
  assert.equal(a.length, b.length, `${a} vs ${b}`);
  a.forEach((v, i) => close(v, b[i], tol));
};

/** Independent reference: AUC = P(score+ > score−) + ½ P(tie), over all pairs (Mann–Whitney U). */
function pairwiseAuc(y: number[], s: number[]): number {
  let num = 0;
  let den = 0;
  y.forEach((a, i) =>
    y.forEach((b, j) => {
      if (a === 1 && b === 0) {
        den++;
        num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
    }),
  );
  return num / den;
}

test("roc_auc_score documented example = 0.75", () => {
  close(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
});

test("roc curve matches sklearn's documented example", () => {
  // sklearn roc_curve([1,1,2,2], [0.1,0.4,0.35,0.8], pos_label=2): fpr [0,0,.5,.5,1], tpr [0,.5,.5,1,1]
  const c = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], { dropIntermediate: true });
  closeAll(c.fpr, [0, 0, 0.5, 0.5, 1]);
  closeAll(c.tpr, [0, 0.5, 0.5, 1, 1]);
  assert.deepEqual(c.thresholds, [Infinity, 0.8, 0.4, 0.35, 0.1]);
});

test("ties form one threshold: order does not matter and the tie counts one half", () => {
  const y = [1, 0, 1, 0, 1, 0];
  const s = [0.9, 0.5, 0.5, 0.5, 0.2, 0.1];
  const c = rocCurve(y, s);
  assert.deepEqual(c.thresholds, [Infinity, 0.9, 0.5, 0.2, 0.1]);
  // permuting the samples must give the same curve
  const perm = [3, 0, 5, 2, 4, 1];
  const c2 = rocCurve(perm.map((i) => y[i]), perm.map((i) => s[i]));
  assert.deepEqual(c2, c);
  close(rocAuc(y, s), pairwiseAuc(y, s));
  close(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
});

test("AUC equals the pairwise (Mann–Whitney) probability on random tied scores", () => {
  const rng = createRng(7, "auc");
  for (let trial = 0; trial < 20; trial++) {
    const n = 30 + rng.int(0, 40);
    const y = Array.from({ length: n }, () => (rng.bool(0.4) ? 1 : 0));
    y[0] = 1;
    y[1] = 0;
    const s = Array.from({ length: n }, () => Math.round(rng.uniform(0, 1) * 10) / 10); // many ties
    close(rocAuc(y, s), pairwiseAuc(y, s), 1e-12);
    const dropped = rocCurve(y, s, { dropIntermediate: true });
    close(auc(dropped.fpr, dropped.tpr), pairwiseAuc(y, s), 1e-12);
  }
});

test("single-class labels give NaN instead of a fake number", () => {
  assert.ok(Number.isNaN(rocAuc([1, 1, 1], [0.2, 0.3, 0.9])));
});

test("multiclass one-vs-rest AUC: per class = pairwise reference, macro = mean, micro = flattened", () => {
  const yt = [0, 1, 2, 2, 1, 0, 1, 2];
  const sc = [
    [0.7, 0.2, 0.1],
    [0.3, 0.4, 0.3],
    [0.2, 0.2, 0.6],
    [0.1, 0.5, 0.4],
    [0.2, 0.6, 0.2],
    [0.5, 0.3, 0.2],
    [0.4, 0.4, 0.2],
    [0.3, 0.3, 0.4],
  ];
  const r = rocAucOvr(yt, sc);
  for (let c = 0; c < 3; c++) close(r.perClass[c], pairwiseAuc(yt.map((y) => (y === c ? 1 : 0)), sc.map((row) => row[c])), 1e-12);
  close(r.macro, (r.perClass[0] + r.perClass[1] + r.perClass[2]) / 3, 1e-12);
  close(r.weighted, (2 * r.perClass[0] + 3 * r.perClass[1] + 3 * r.perClass[2]) / 8, 1e-12);
  const flatY = yt.flatMap((y) => [0, 1, 2].map((c) => (y === c ? 1 : 0)));
  close(r.micro, pairwiseAuc(flatY, sc.flat()), 1e-12);
  // an absent class is reported, not averaged
  const r2 = rocAucOvr([0, 1, 0, 1], [[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.5, 0.4, 0.1], [0.4, 0.5, 0.1]]);
  assert.deepEqual(r2.undefinedClasses, [2]);
  close(r2.macro, (r2.perClass[0] + r2.perClass[1]) / 2, 1e-12);
  const ml = rocAucMultilabel([[1, 0], [0, 1], [1, 1], [0, 0]], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.3]]);
  close(ml.perClass[0], 1);
  close(ml.perClass[1], pairwiseAuc([0, 1, 1, 0], [0.1, 0.8, 0.4, 0.3]));
});

test("precision-recall curve and average precision match sklearn's documented example", () => {
  // sklearn precision_recall_curve docs: precision [.5, .667, .5, 1, 1], recall [1, 1, .5, .5, 0], thresholds [.1, .35, .4, .8]
  const c = precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
  closeAll(c.precision, [0.5, 2 / 3, 0.5, 1, 1]);
  closeAll(c.recall, [1, 1, 0.5, 0.5, 0]);
  closeAll(c.thresholds, [0.1, 0.35, 0.4, 0.8]);
  // sklearn average_precision_score docs: 0.8333
  close(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.83333333, 1e-6);
});

test("average precision equals the mean precision at each positive's rank (no ties)", () => {
  const rng = createRng(3, "ap");
  for (let trial = 0; trial < 10; trial++) {
    const n = 25;
    const y = Array.from({ length: n }, () => (rng.bool(0.3) ? 1 : 0));
    y[0] = 1;
    const s = Array.from({ length: n }, () => rng.next());
    const order = s.map((_, i) => i).sort((a, b) => s[b] - s[a]);
    let hits = 0;
    let sum = 0;
    order.forEach((i, rank) => {
      if (y[i]) {
        hits++;
        sum += hits / (rank + 1);
      }
    });
    close(averagePrecision(y, s), sum / hits, 1e-12);
  }
  const ovr = averagePrecisionOvr([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]);
  close(ovr.perClass[1], averagePrecision([0, 1, 1], [0.2, 0.7, 0.4]));
});

test("auc handles decreasing x and rejects non-monotonic x", () => {
  close(auc([1, 0.5, 0], [1, 1, 0]), 0.75);
  assert.throws(() => auc([0, 1, 0.5], [0, 1, 1]), /neither increasing nor decreasing/);
});
