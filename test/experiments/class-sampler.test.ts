import { test } from "node:test";
import assert from "node:assert/strict";
import { classSampler } from "../../src/lib/experiments/classification";
import { classWeights } from "../../src/lib/data/sampler";

// counts 100 / 25 / 4: sqrt-balanced draws classes ∝ n·n^-½ = √n → 10 : 5 : 2.
const labels = [...Array(100).fill(0), ...Array(25).fill(1), ...Array(4).fill(2)] as number[];

function classShares(draws: number[]): number[] {
  const c = [0, 0, 0];
  for (const p of draws) c[labels[p]]++;
  return c.map((k) => k / draws.length);
}

test("sqrt-balanced sampler draws classes in proportion to the square root of their counts", () => {
  const s = classSampler("sqrt-balanced", labels, 3, 7)!;
  const draws: number[] = [];
  for (let e = 0; e < 400; e++) draws.push(...s.indices(e));
  const shares = classShares(draws);
  [10 / 17, 5 / 17, 2 / 17].forEach((want, c) => assert.ok(Math.abs(shares[c] - want) < 0.01, `class ${c}: ${shares[c]} vs ${want}`));
});

test("sqrt-balanced sampler × sqrt-inverse loss weights = every class's total loss weight equal", () => {
  const s = classSampler("sqrt-balanced", labels, 3, 7)!;
  const draws: number[] = [];
  for (let e = 0; e < 400; e++) draws.push(...s.indices(e));
  const shares = classShares(draws);
  const w = classWeights(labels, 3, "sqrt-inverse");
  const totals = shares.map((f, c) => f * w[c]);
  const mean = totals.reduce((a, b) => a + b, 0) / 3;
  totals.forEach((t, c) => assert.ok(Math.abs(t / mean - 1) < 0.03, `class ${c}: ${t / mean}`));
});

test("balanced sampler draws every class equally; none gives no sampler", () => {
  const s = classSampler("balanced", labels, 3, 7)!;
  const draws: number[] = [];
  for (let e = 0; e < 400; e++) draws.push(...s.indices(e));
  classShares(draws).forEach((f, c) => assert.ok(Math.abs(f - 1 / 3) < 0.01, `class ${c}: ${f}`));
  assert.equal(classSampler("none", labels, 3, 7), undefined);
  assert.equal(classSampler(undefined, labels, 3, 7), undefined);
});
