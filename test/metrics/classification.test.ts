import { test } from "node:test";
import assert from "node:assert/strict";
import { confusionMatrix, confusionStats, multilabelStats, argmaxRows, binarize } from "../../src/lib/metrics/confusion";
import { accuracy, balancedAccuracy, f1, precision, recall, specificity, subsetAccuracy } from "../../src/lib/metrics/classification";
import { classificationReport } from "../../src/lib/metrics/classification-report";

const close = (a: number, b: number, tol = 1e-4, msg?: string) => assert.ok(Math.abs(a - b) <= tol, msg ?? `${a} vs ${b}`);

test("confusion matrix matches sklearn's documented example", () => {
  // sklearn.metrics.confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
  assert.deepEqual(confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]), [
    [2, 0, 0],
    [0, 0, 1],
    [1, 0, 2],
  ]);
});

test("f1 / precision / recall reductions match sklearn's documented values", () => {
  const s = confusionStats([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]);
  // sklearn f1_score docs: macro 0.26666, micro 0.33333, weighted 0.26666, None [0.8, 0, 0]
  close(f1(s, "macro"), 0.2667);
  close(f1(s, "micro"), 0.3333);
  close(f1(s, "weighted"), 0.2667);
  f1(s, "none").forEach((v, i) => close(v, [0.8, 0, 0][i]));
  // sklearn precision_score docs: macro 0.22222, micro 0.33333, weighted 0.22222, None [0.667, 0, 0]
  close(precision(s, "macro"), 0.2222);
  close(precision(s, "micro"), 0.3333);
  close(precision(s, "weighted"), 0.2222);
  // sklearn recall_score docs: macro 0.33333, micro 0.33333, None [1, 0, 0]
  close(recall(s, "macro"), 0.3333);
  recall(s, "none").forEach((v, i) => close(v, [1, 0, 0][i]));
  close(accuracy(s), 2 / 6);
  assert.deepEqual(s.support, [2, 2, 2]);
});

test("per-class counts agree with a brute-force count and tp+fp+fn+tn = N", () => {
  const yt = [0, 1, 1, 2, 2, 2, 3, 0, 1, 3, 3, 2];
  const yp = [0, 2, 1, 2, 0, 2, 3, 1, 1, 3, 0, 2];
  const s = confusionStats(yt, yp, 4);
  for (let c = 0; c < 4; c++) {
    let tp = 0, fp = 0, fn = 0;
    yt.forEach((t, i) => {
      if (t === c && yp[i] === c) tp++;
      if (t !== c && yp[i] === c) fp++;
      if (t === c && yp[i] !== c) fn++;
    });
    assert.equal(s.tp[c], tp);
    assert.equal(s.fp[c], fp);
    assert.equal(s.fn[c], fn);
    assert.equal(s.tp[c] + s.fp[c] + s.fn[c] + s.tn[c], yt.length);
    close(specificity(s, "none")[c], s.tn[c] / (s.tn[c] + s.fp[c]), 1e-12);
  }
  // micro-F1 of single-label multiclass equals accuracy
  close(f1(s, "micro"), accuracy(s), 1e-12);
});

test("macro average ignores a class absent from both yTrue and yPred (sklearn unique_labels)", () => {
  const s = confusionStats([0, 1, 0, 1], [0, 1, 1, 1], 3);
  // class 2 never appears: macro over classes {0, 1} only
  const per = f1(s, "none");
  close(f1(s, "macro"), (per[0] + per[1]) / 2, 1e-12);
  // balanced accuracy = mean recall over classes present in yTrue
  close(balancedAccuracy(s), (0.5 + 1) / 2, 1e-12);
});

test("multilabel stats: per label, micro pools counts, subset vs label accuracy", () => {
  const yt = [
    [1, 0, 1],
    [0, 1, 0],
    [1, 1, 0],
    [0, 0, 0],
  ];
  const yp = [
    [1, 0, 0],
    [0, 1, 0],
    [1, 0, 1],
    [0, 0, 0],
  ];
  const s = multilabelStats(yt, yp);
  assert.deepEqual(s.tp, [2, 1, 0]);
  assert.deepEqual(s.fp, [0, 0, 1]);
  assert.deepEqual(s.fn, [0, 1, 1]);
  // micro: tp 3, fp 1, fn 2 → P 3/4, R 3/5, F1 6/9
  close(precision(s, "micro"), 0.75, 1e-12);
  close(recall(s, "micro"), 0.6, 1e-12);
  close(f1(s, "micro"), 6 / 9, 1e-12);
  // per label F1: 1, 2/3, 0 → macro 5/9 (sklearn includes every label)
  close(f1(s, "macro"), (1 + 2 / 3 + 0) / 3, 1e-12);
  close(subsetAccuracy(s), 2 / 4, 1e-12);
  close(accuracy(s), 9 / 12, 1e-12);
});

test("classification report rows carry per-class values and averages", () => {
  const s = confusionStats([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]);
  const r = classificationReport(s, ["crazing", "inclusion", "patches"]);
  assert.deepEqual(r.rows.map((x) => x.label), ["crazing", "inclusion", "patches", "macro avg", "weighted avg"]);
  close(r.classes[0].precision, 2 / 3);
  close(r.classes[0].recall, 1);
  assert.equal(r.averages[0].support, 6);
  close(r.accuracy, 1 / 3);
  assert.throws(() => classificationReport(s, ["a", "b"]), /2 class names for 3 classes/);
});

test("helpers and input validation", () => {
  assert.deepEqual(argmaxRows([[0.1, 0.7, 0.2], [0.5, 0.5, 0]]), [1, 0]);
  assert.deepEqual(binarize([[0.2, 0.6], [0.5, 0.4]], [0.5, 0.3]), [[0, 1], [1, 1]]);
  assert.throws(() => confusionMatrix([0, 1], [0]), /2 labels but yPred has 1/);
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /yTrue\[1\] = 3/);
  assert.throws(() => confusionMatrix([0, 0.5], [0, 1], 3), /yTrue\[1\] = 0.5/);
});
