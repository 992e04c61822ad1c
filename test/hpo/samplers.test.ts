import { test } from "node:test";
import assert from "node:assert/strict";
import { createStudy } from "../../src/lib/hpo/study/study";
import { TpeSampler } from "../../src/lib/hpo/samplers/tpe/sampler";
import { RandomSampler } from "../../src/lib/hpo/samplers/random";
import { GridSampler } from "../../src/lib/hpo/samplers/grid";
import { Sampler } from "../../src/lib/hpo/samplers/types";
import { BENCHMARKS, benchmarkObjective, BenchmarkFunction } from "../../src/lib/hpo/objectives/benchmarks";
import { median, signTestP } from "./helpers";

async function bestOf(sampler: Sampler, fn: BenchmarkFunction, nTrials: number): Promise<number> {
  const s = await createStudy({ sampler });
  await s.optimize(benchmarkObjective(fn), { nTrials, progress: false });
  return s.bestValue();
}

test("benchmark functions: known optima at their published minimisers", () => {
  assert.equal(BENCHMARKS.quadratic.f([3.2, -1.7]), 0);
  for (const x of [[-Math.PI, 12.275], [Math.PI, 2.275], [9.42478, 2.475]]) assert.ok(Math.abs(BENCHMARKS.branin.f(x) - 0.397887) < 1e-5);
  assert.ok(Math.abs(BENCHMARKS.hartmann6.f([0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]) - -3.32237) < 1e-4);
});

// Equal budget (50 trials, TPE's first 10 random), 20 seeds per function. TPE must win on at
// least 15 seeds: a one-sided sign test with p = 0.021, so luck on one seed cannot pass it.
const SEEDS = 20;
const BUDGET = 50;
for (const name of ["quadratic", "branin", "hartmann6"]) {
  test(`TPE beats random search on ${name} (sign test over ${SEEDS} seeds, ${BUDGET} trials)`, async () => {
    const fn = BENCHMARKS[name];
    const tpe: number[] = [];
    const rnd: number[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      tpe.push(await bestOf(new TpeSampler({ seed }), fn, BUDGET));
      rnd.push(await bestOf(new RandomSampler(seed), fn, BUDGET));
    }
    const wins = tpe.filter((v, i) => v < rnd[i]).length;
    const gapTpe = median(tpe) - fn.optimum;
    const gapRnd = median(rnd) - fn.optimum;
    console.log(`${name}: median best TPE ${median(tpe).toFixed(4)} vs random ${median(rnd).toFixed(4)} (gap to optimum ${gapTpe.toFixed(4)} vs ${gapRnd.toFixed(4)}), TPE wins ${wins}/${SEEDS}, p=${signTestP(wins, SEEDS).toFixed(4)}`);
    assert.ok(median(tpe) < median(rnd), "median best value");
    assert.ok(signTestP(wins, SEEDS) < 0.025, `sign test: ${wins}/${SEEDS} wins`);
  });
}

test("samplers are seeded: same seed → same trials, other seed → different", async () => {
  const run = async (seed: number) => {
    const s = await createStudy({ sampler: new TpeSampler({ seed, nStartupTrials: 5 }) });
    await s.optimize((t) => t.suggestFloat("x", -3, 3) ** 2 + (t.suggestCategorical("c", ["a", "b"]) === "a" ? 0 : 1) + t.suggestInt("n", 1, 8, { log: true }), { nTrials: 15, progress: false });
    return (await s.getTrials()).map((t) => t.values![0]);
  };
  assert.deepEqual(await run(1), await run(1));
  assert.notDeepEqual(await run(1), await run(2));
});

test("TPE respects log / int / step / categorical spaces", async () => {
  const s = await createStudy({ sampler: new TpeSampler({ seed: 0, nStartupTrials: 3 }) });
  await s.optimize(
    (t) => {
      const lr = t.suggestFloat("lr", 1e-5, 1e-2, { log: true });
      const bs = t.suggestCategorical("bs", [16, 32, 64]);
      const fr = t.suggestInt("freeze", 0, 4);
      const m = t.suggestFloat("m", 0, 0.9, { step: 0.1 });
      return (Math.log10(lr) + 4) ** 2 + bs / 64 + fr + m;
    },
    { nTrials: 25, progress: false },
  );
  for (const t of await s.getTrials()) {
    const p = t.params;
    assert.ok(p.lr >= 1e-5 && p.lr <= 1e-2);
    assert.ok([0, 1, 2].includes(p.bs), "categorical stored as an index");
    assert.ok(Number.isInteger(p.freeze) && p.freeze >= 0 && p.freeze <= 4);
    assert.ok(Math.abs(p.m * 10 - Math.round(p.m * 10)) < 1e-9 && p.m <= 0.9 + 1e-12);
  }
  // With 22 model-based trials, the best trial should have found the cheap corner.
  const best = await s.bestTrial();
  assert.ok(best.values![0] < 2, `best ${best.values![0]}`);
});

test("grid sampler visits every point once and then stops the study", async () => {
  const grid = new GridSampler({ a: [1, 2, 3], b: ["x", "y"] });
  const s = await createStudy({ sampler: grid });
  await s.optimize((t) => t.suggestInt("a", 1, 3) + (t.suggestCategorical("b", ["x", "y"]) === "x" ? 0 : 10), { nTrials: 100, progress: false });
  const trials = await s.getTrials();
  assert.equal(trials.length, 6);
  assert.deepEqual(trials.map((t) => t.values![0]).sort((x, y) => x - y), [1, 2, 3, 11, 12, 13]);
});
