import { test } from "node:test";
import assert from "node:assert/strict";
import { applyOperatingPoint, chooseLabelThreshold, chooseOperatingPoint } from "../../src/lib/metrics/operating-point";
import { createRng } from "../../src/lib/util/rng";

/** Random softmax-like rows where the critical class (0) is often under-predicted. */
function makeData(seed: number, n = 200, C = 4) {
  const rng = createRng(seed, "op");
  const probs: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = rng.int(0, C);
    const logits = Array.from({ length: C }, () => rng.normal(0, 1));
    logits[label] += label === 0 ? 0.3 : 1.5;
    const m = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - m));
    const z = e.reduce((a, b) => a + b, 0);
    probs.push(e.map((v) => v / z));
    y.push(label);
  }
  return { probs, y };
}

/** Independent recall of class c for a list of predictions. */
const recallOf = (y: number[], pred: number[], c: number) => {
  const idx = y.map((v, i) => (v === c ? i : -1)).filter((i) => i >= 0);
  return idx.filter((i) => pred[i] === c).length / idx.length;
};

for (const method of ["prior", "threshold"] as const) {
  test(`operating point (${method}) reaches the target recall with the least intrusive setting`, () => {
    const { probs, y } = makeData(11);
    const op = chooseOperatingPoint(probs, y, { criticalClass: 0, targetRecall: 0.95, method, classNames: ["crack", "b", "c", "d"] });
    assert.ok(op.reached);
    assert.ok(op.recallBefore < 0.95, "the fixture must need an adjustment");
    const pred = applyOperatingPoint(probs, op);
    assert.equal(recallOf(y, pred, 0), op.achievedRecall);
    assert.ok(op.achievedRecall >= 0.95);
    // Minimality: a slightly weaker setting misses the target.
    const weaker =
      method === "prior"
        ? applyOperatingPoint(probs, { ...op, factor: (op.factor as number) * (1 - 1e-9) })
        : applyOperatingPoint(probs, { ...op, threshold: (op.threshold as number) * (1 + 1e-9) });
    assert.ok(recallOf(y, weaker, 0) < 0.95);
    // Before/after reports are real: recompute the other classes' recall independently.
    const plain = probs.map((r) => r.indexOf(Math.max(...r)));
    for (let c = 1; c < 4; c++) {
      assert.equal(op.costs[c].recallBefore, recallOf(y, plain, c));
      assert.equal(op.costs[c].recallAfter, recallOf(y, pred, c));
      assert.ok(op.costs[c].recallAfter <= op.costs[c].recallBefore, "moving samples to the critical class cannot raise another's recall");
    }
    assert.equal(op.costs[0].label, "crack");
    if (method === "prior") assert.ok(Math.abs((op.logPriorShift as number) - Math.log(op.factor as number)) < 1e-12);
  });
}

test("operating point: target already met → no change; a class without samples is an error", () => {
  const probs = [
    [0.9, 0.1],
    [0.2, 0.8],
    [0.6, 0.4],
  ];
  const op = chooseOperatingPoint(probs, [0, 1, 0], { criticalClass: 0, targetRecall: 1 });
  assert.equal(op.factor, 1);
  assert.deepEqual(applyOperatingPoint(probs, op), [0, 1, 0]);
  const opT = chooseOperatingPoint(probs, [0, 1, 0], { criticalClass: 0, targetRecall: 1, method: "threshold" });
  assert.equal(opT.threshold, null);
  assert.throws(() => chooseOperatingPoint(probs, [1, 1, 1], { criticalClass: 0, targetRecall: 0.9 }), /no sample/);
  assert.throws(() => chooseOperatingPoint(probs, [0, 1, 0], { criticalClass: 0, targetRecall: 0 }), /targetRecall/);
});

test("multilabel label threshold: k-th largest positive score, precision before/after", () => {
  const scores = [[0.9], [0.4], [0.3], [0.6], [0.2], [0.35]];
  const y = [[1], [1], [1], [0], [0], [0]];
  const r = chooseLabelThreshold(scores, y, 0, 1);
  assert.equal(r.threshold, 0.3);
  assert.equal(r.achievedRecall, 1);
  assert.equal(r.recallBefore, 1 / 3);
  assert.equal(r.precisionBefore, 1 / 2); // 0.9 ✓, 0.6 ✗
  assert.equal(r.precisionAfter, 3 / 5); // 0.9 0.4 0.3 ✓, 0.6 0.35 ✗
});
