import { test } from "node:test";
import assert from "node:assert/strict";
import { accuracyRate, zeroShotScore } from "../../src/lib/cross-dataset";

const classes = ["crazing", "inclusion", "patches"];

test("hand case: 5 items, 2 called inclusion; the distribution counts sum to n", () => {
  const probs = [
    [0.1, 0.8, 0.1],
    [0.6, 0.3, 0.1],
    [0.2, 0.5, 0.3],
    [0.1, 0.2, 0.7],
    [0.5, 0.4, 0.1],
  ];
  const items = probs.map((_, i) => ({ id: `a#${i}`, imageId: "a" }));
  const z = zeroShotScore(probs, items, classes, 1);
  assert.equal(z.n, 5);
  assert.deepEqual(z.distribution.map((d) => d.count), [2, 2, 1]);
  assert.equal(z.distribution.reduce((s, d) => s + d.count, 0), z.n);
  assert.ok(Math.abs(z.distribution.reduce((s, d) => s + d.share, 0) - 1) < 1e-12);
  assert.equal(z.hit.k, 2);
  assert.equal(z.hit.rate, 0.4);
  assert.deepEqual(z.predictions.map((p) => p.hit), [true, false, true, false, false]);
  assert.equal(z.predictions[1].predicted, "crazing");
  assert.equal(z.predictions[1].pMapped, 0.3);
});

test("accuracy against targets, and mismatched lengths are an error", () => {
  assert.equal(accuracyRate([[0.9, 0.1, 0], [0.2, 0.7, 0.1]], [0, 2]).k, 1);
  assert.throws(() => zeroShotScore([[1, 0, 0]], [], classes, 1), /1 predictions for 0 items/);
});
