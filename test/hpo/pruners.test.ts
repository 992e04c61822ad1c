import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createStudy } from "../../src/lib/hpo/study/study";
import { MedianPruner, percentile } from "../../src/lib/hpo/pruners/median";
import { SuccessiveHalvingPruner } from "../../src/lib/hpo/pruners/successive-halving";
import { Pruner } from "../../src/lib/hpo/pruners/types";
import { RandomSampler } from "../../src/lib/hpo/samplers/random";
import { TrialPruned } from "../../src/lib/hpo/trial/pruned";
import { pruningCallback } from "../../src/lib/hpo/callbacks/pruning";
import { fit } from "../../src/lib/train/trainer";
import { createRng } from "../../src/lib/util/rng";
import { tinyData, tinyModel } from "../train/helpers";
import { hasOptuna, python } from "./helpers";

/** 12 learning curves (9 steps each), noisy and of different quality; seeded. */
function curves(seed: number): number[][] {
  const rng = createRng(seed, "curves");
  return Array.from({ length: 12 }, () => {
    const floor = rng.uniform(0, 1);
    return Array.from({ length: 9 }, (_, s) => floor + 2 / (s + 1) + rng.normal(0, 0.05));
  });
}

/** Runs the curves one trial after another; returns the step each trial was pruned at (-1 = completed). */
async function decisions(pruner: Pruner, direction: "minimize" | "maximize", cs: number[][]): Promise<number[]> {
  const study = await createStudy({ direction, pruner, sampler: new RandomSampler(0) });
  const out: number[] = [];
  for (const c of cs) {
    const trial = (await study.ask())!;
    let pruned = -1;
    for (let s = 0; s < c.length; s++) {
      trial.report(c[s], s);
      if (await trial.shouldPrune()) {
        pruned = s;
        break;
      }
    }
    await study.tell(trial, pruned >= 0 ? "PRUNED" : c[c.length - 1]);
    out.push(pruned);
  }
  return out;
}

const OPTUNA_DECISIONS = `
import json, sys, optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
cfg = json.load(sys.stdin)
out = []
for case in cfg:
    pruner = eval(case["pruner"])
    study = optuna.create_study(direction=case["direction"], pruner=pruner)
    res = []
    for c in case["curves"]:
        t = study.ask()
        pruned = -1
        for s, v in enumerate(c):
            t.report(v, s)
            if t.should_prune():
                pruned = s
                break
        if pruned >= 0:
            study.tell(t, state=optuna.trial.TrialState.PRUNED)
        else:
            study.tell(t, c[-1])
        res.append(pruned)
    out.append(res)
print(json.dumps(out))`;

test("percentile matches numpy's linear interpolation (hand-computed)", () => {
  assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5], 25), 2);
  assert.equal(percentile([1, NaN, 3], 50), 2);
});

test("median and successive-halving pruners make Optuna 3.1's decisions on the same curves", { skip: !hasOptuna() && "Debian python3 with optuna not installed" }, async () => {
  const cases: { ours: () => Pruner; optuna: string; direction: "minimize" | "maximize"; curves: number[][] }[] = [];
  for (const seed of [1, 2]) {
    const cs = curves(seed);
    const neg = cs.map((c) => c.map((v) => -v));
    cases.push({ ours: () => new MedianPruner({ nStartupTrials: 3, nWarmupSteps: 1 }), optuna: "optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)", direction: "minimize", curves: cs });
    cases.push({ ours: () => new MedianPruner({ nStartupTrials: 2, intervalSteps: 2 }), optuna: "optuna.pruners.MedianPruner(n_startup_trials=2, interval_steps=2)", direction: "maximize", curves: neg });
    cases.push({ ours: () => new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 }), optuna: "optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)", direction: "minimize", curves: cs });
    cases.push({ ours: () => new SuccessiveHalvingPruner({ minResource: 2, reductionFactor: 3, minEarlyStoppingRate: 0 }), optuna: "optuna.pruners.SuccessiveHalvingPruner(min_resource=2, reduction_factor=3)", direction: "maximize", curves: neg });
  }
  const ref = python<number[][]>(OPTUNA_DECISIONS, cases.map((c) => ({ pruner: c.optuna, direction: c.direction, curves: c.curves })));
  for (let i = 0; i < cases.length; i++) {
    const ours = await decisions(cases[i].ours(), cases[i].direction, cases[i].curves);
    assert.deepEqual(ours, ref[i], `${cases[i].optuna} ${cases[i].direction}`);
    assert.ok(ours.some((s) => s >= 0), "the case prunes something");
  }
});

test("median pruner: a NaN report prunes; nothing is pruned before the startup trials", async () => {
  const study = await createStudy({ pruner: new MedianPruner({ nStartupTrials: 1 }) });
  const first = (await study.ask())!;
  first.report(100, 0);
  assert.equal(await first.shouldPrune(), false, "no completed trial yet");
  await study.tell(first, 100);
  const second = (await study.ask())!;
  second.report(NaN, 0);
  assert.equal(await second.shouldPrune(), true);
});

test("pruning callback stops a real fit and the trial ends PRUNED; no tensor leak", async () => {
  await tf.setBackend("cpu");
  const study = await createStudy({ direction: "maximize", pruner: new MedianPruner({ nStartupTrials: 1, nWarmupSteps: 0 }), sampler: new RandomSampler(3) });
  const train = tinyData(1, 32);
  const val = tinyData(2, 16);
  const before = tf.memory().numTensors;
  const epochsRun: number[] = [];
  await study.optimize(
    async (trial) => {
      // Trial 0 learns; trial 1 has lr 0 and cannot beat trial 0's curve.
      const lr = trial.number === 0 ? 0.05 : 0;
      const model = tinyModel(4);
      const cb = pruningCallback(trial, "val_accuracy");
      const r = await fit(model, { train, val }, { epochs: 4, batchSize: 8, seed: 5, progress: false, optimizer: { name: "adamw", lr }, callbacks: [cb] });
      model.dispose();
      epochsRun.push(r.history.length);
      cb.throwIfPruned();
      return Math.max(...r.history.map((h) => h.val_accuracy));
    },
    { nTrials: 2, progress: false },
  );
  const trials = await study.getTrials();
  assert.deepEqual(trials.map((t) => t.state), ["COMPLETE", "PRUNED"]);
  assert.equal(epochsRun[0], 4);
  assert.ok(epochsRun[1] < 4, `pruned fit ran ${epochsRun[1]} epochs`);
  assert.equal(trials[1].intermediate.size, epochsRun[1]);
  assert.ok(new TrialPruned() instanceof Error);
  tf.dispose([train.x, train.y, val.x, val.y]);
  assert.equal(tf.memory().numTensors, before - 4);
});
