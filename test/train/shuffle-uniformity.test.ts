/**
 * util/rng shuffle is a uniform Fisher–Yates: checked by its distribution over many seeds, which
 * a biased shuffle (e.g. Sattolo's, which never leaves an item in place) cannot match.
 * Seeds are fixed, so the verdict is deterministic.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../../src/lib/util/rng";

test("shuffle: all 24 permutations of 4 items equally likely (chi-square, 23 dof)", () => {
  const runs = 24000;
  const counts = new Map<string, number>();
  for (let s = 0; s < runs; s++) {
    const key = createRng(s, "uniformity").shuffle([0, 1, 2, 3]).join("");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, 24, `only ${counts.size} of 24 permutations occur`);
  const expected = runs / 24;
  let chi2 = 0;
  for (const c of counts.values()) chi2 += (c - expected) ** 2 / expected;
  // 99.9th percentile of chi-square with 23 degrees of freedom.
  assert.ok(chi2 < 49.73, `chi-square ${chi2.toFixed(1)} ≥ 49.73`);
});

test("shuffle: P(an item stays in place) ≈ 1/n for every position (n = 10)", () => {
  const runs = 20000;
  const n = 10;
  const stays = new Array(n).fill(0);
  const rng = createRng(3, "fixed-points");
  const base = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < runs; r++) {
    const p = rng.shuffle(base.slice());
    p.forEach((v, i) => (stays[i] += v === i ? 1 : 0));
  }
  const sd = Math.sqrt((1 / n) * (1 - 1 / n) / runs);
  stays.forEach((c, i) => {
    const rate = c / runs;
    assert.ok(Math.abs(rate - 1 / n) < 5 * sd, `position ${i}: P(stay) = ${rate.toFixed(4)}, expected ${1 / n} ± ${(5 * sd).toFixed(4)}`);
  });
});
