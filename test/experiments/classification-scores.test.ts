/**
 * The headline numbers of scoreClassification (what every metrics JSON reports) against
 * scikit-learn on the same predictions: accuracy, macro/micro/weighted F1, ROC-AUC macro/micro
 * and the per-class report. Skips when Debian's python3-sklearn is absent.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import { scoreClassification, Predictions } from "../../src/lib/metrics/classification-scores";
import { createRng } from "../../src/lib/util/rng";

const PY = "/usr/bin/python3";
const hasSklearn = spawnSync(PY, ["-c", "import sklearn"]).status === 0;

/** N samples of K classes: imbalanced labels, noisy probabilities that favour the true class. */
function predictions(N: number, K: number, multi: boolean, seed: number): Predictions {
  const rng = createRng(seed, "scores-test");
  const probs: number[][] = [];
  const targets: number[][] = [];
  for (let i = 0; i < N; i++) {
    if (multi) {
      const t = Array.from({ length: K }, (_, k) => (rng.next() < 0.2 + 0.15 * k ? 1 : 0));
      targets.push(t);
      probs.push(t.map((v) => Math.min(1, Math.max(0, 0.35 * v + 0.65 * rng.next()))));
    } else {
      const u = rng.next();
      const y = u < 0.45 ? 0 : u < 0.7 ? 1 : u < 0.85 ? 2 : u < 0.95 ? 3 : 4;
      targets.push(Array.from({ length: K }, (_, k) => (k === y ? 1 : 0)));
      const raw = Array.from({ length: K }, (_, k) => rng.next() + (k === y ? 0.6 : 0));
      const sum = raw.reduce((a, b) => a + b, 0);
      probs.push(raw.map((r) => r / sum));
    }
  }
  return { ids: probs.map((_, i) => `s${i}`), classNames: Array.from({ length: K }, (_, k) => `c${k}`), probs, targets };
}

const SKLEARN = `
import json, sys
import numpy as np
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score, precision_recall_fscore_support
d = json.load(sys.stdin)
P = np.array(d["probs"]); T = np.array(d["targets"]); multi = d["multi"]
if multi:
    yt, yp = T.astype(int), (P >= 0.5).astype(int)
    auc_macro = roc_auc_score(yt, P, average="macro"); auc_micro = roc_auc_score(yt, P, average="micro")
    acc = accuracy_score(yt, yp)
else:
    yt, yp = T.argmax(1), P.argmax(1)
    auc_macro = roc_auc_score(yt, P, multi_class="ovr", average="macro")
    auc_micro = roc_auc_score(T, P, average="micro")
    acc = accuracy_score(yt, yp)
labels = list(range(P.shape[1]))
kw = dict(zero_division=0) if multi else dict(labels=labels, zero_division=0)
p, r, f, s = precision_recall_fscore_support(yt, yp, **kw)
print(json.dumps({
  "accuracy": acc,
  "macro_f1": f1_score(yt, yp, average="macro", **kw),
  "micro_f1": f1_score(yt, yp, average="micro", **kw),
  "weighted_f1": f1_score(yt, yp, average="weighted", **kw),
  "roc_auc_macro": auc_macro, "roc_auc_micro": auc_micro,
  "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
}))
`;

function sklearn(pred: Predictions, multi: boolean): Record<string, number & number[]> {
  const r = spawnSync(PY, ["-c", SKLEARN], { input: JSON.stringify({ probs: pred.probs, targets: pred.targets, multi }), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} vs scikit-learn ${expected}`);
}

for (const multi of [false, true]) {
  test(`scoreClassification ${multi ? "multi" : "single"}-label headline numbers = scikit-learn`, { skip: !hasSklearn && "python3-sklearn not installed" }, () => {
    const pred = predictions(240, 5, multi, multi ? 7 : 3);
    const ours = scoreClassification(pred, multi ? "multi" : "single");
    const ref = sklearn(pred, multi);
    // The fixture must separate the averages, or swapping them would pass.
    assert.ok(Math.abs(ref.macro_f1 - ref.weighted_f1) > 0.01 && Math.abs(ref.macro_f1 - ref.micro_f1) > 0.01, "fixture does not tell the F1 averages apart");
    for (const k of ["macro_f1", "micro_f1", "weighted_f1", "roc_auc_macro", "roc_auc_micro"] as const) close(ours.summary[k], ref[k], k);
    if (!multi) close(ours.summary.accuracy, ref.accuracy, "accuracy");
    assert.equal(ours.summary.samples, 240);
    ours.report.classes.forEach((c, k) => {
      close(c.precision, ref.precision[k], `precision ${c.label}`);
      close(c.recall, ref.recall[k], `recall ${c.label}`);
      close(c.f1, ref.f1[k], `f1 ${c.label}`);
      assert.equal(c.support, ref.support[k], `support ${c.label}`);
    });
  });
}

test("scoreClassification: a hand-computed 3-class case", () => {
  // true 0,0,1,2 ; predicted 0,1,1,2 → per-class F1 (2/3, 2/3, 1), macro 7/9, accuracy 3/4.
  const pred: Predictions = {
    ids: ["a", "b", "c", "d"],
    classNames: ["x", "y", "z"],
    probs: [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7]],
    targets: [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]],
  };
  const s = scoreClassification(pred, "single").summary;
  close(s.accuracy, 0.75, "accuracy");
  close(s.macro_f1, 7 / 9, "macro F1");
  close(s.micro_f1, 0.75, "micro F1");
  close(s.weighted_f1, (2 * (2 / 3) + 2 / 3 + 1) / 4, "weighted F1");
});
