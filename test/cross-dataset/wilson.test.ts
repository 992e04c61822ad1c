import { test } from "node:test";
import assert from "node:assert/strict";
import { wilson } from "../../src/lib/cross-dataset";

// Expected values: scipy.stats.binomtest(k, n).proportion_ci(0.95, method="wilson") via /usr/bin/python3.
const cases: Array<[number, number, number, number]> = [
  [85, 216, 0.330774343320358, 0.4599839592911696], // the write-up's 85 of 216 GC10 inclusion images
  [0, 10, 0.0, 0.27753279986288926],
  [12, 12, 0.7575059933447592, 1.0],
];

test("wilson matches scipy's Wilson interval", () => {
  for (const [k, n, lo, hi] of cases) {
    const r = wilson(k, n);
    assert.ok(Math.abs(r.lo - lo) < 1e-4 && Math.abs(r.hi - hi) < 1e-4, `${k}/${n}: ${r.lo} ${r.hi}`);
    assert.equal(r.rate, k / n);
  }
});

test("wilson rejects k > n and n = 0", () => {
  assert.throws(() => wilson(3, 2), /0 ≤ k ≤ n/);
  assert.throws(() => wilson(0, 0), /n > 0/);
});
