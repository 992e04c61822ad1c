/**
 * The "classifier" objective without training: a fake runner plays epoch curves through the
 * callbacks the objective hands it (as the trainer does), so the space → config mapping, the
 * pruning callback stopping the fit, and the objective value are checked against hand-computed
 * numbers.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { classifierConfig, classifierObjective, ClassificationRunner } from "../../src/lib/hpo/objectives/classifier";
import { createStudy } from "../../src/lib/hpo/study/study";
import { MedianPruner } from "../../src/lib/hpo/pruners/median";
import { RandomSampler } from "../../src/lib/hpo/samplers/random";
import { FixedTrial } from "../../src/lib/hpo/trial/fixed-trial";
import { hpoClassifierPreset } from "../../src/lib/experiments/presets";
import type { EpochLogs } from "../../src/lib/train/types";

const base = hpoClassifierPreset("quick", false);

test("classifier space: the trial's point becomes the config (head width without ImageNet weights, freeze with them)", () => {
  const cfg = classifierConfig(new FixedTrial({ lr: 3e-4, batch_size: 32, head_units: 128, scheduler: "none" }, 7), base, { trainSize: 700, pretrained: false });
  assert.equal(cfg.optimizer.lr, 3e-4);
  assert.equal(cfg.batchSize, 32);
  assert.equal(cfg.head?.hidden, 128);
  assert.equal(cfg.freeze, 0);
  assert.deepEqual(cfg.scheduler, { type: "none" });
  assert.equal(cfg.run, "06_hpo_trial7");
  const pre = classifierConfig(new FixedTrial({ lr: 1e-3, batch_size: 16, freeze: 3, scheduler: "cosine" }), base, { trainSize: 700, pretrained: true });
  assert.equal(pre.freeze, 3);
  assert.deepEqual(pre.scheduler, { type: "cosine", minLr: 1e-5 });
  // batch sizes above the training split are not offered: 64 with 40 training images is out of the space
  assert.throws(() => classifierConfig(new FixedTrial({ lr: 1e-3, batch_size: 64, head_units: 64, scheduler: "none" }), base, { trainSize: 40, pretrained: false }), /64 is not one of \[16,32\]/);
});

test("classifier objective: a bad trial is pruned mid-fit by the median pruner; good ones return their best epoch", async () => {
  const curves: Record<string, number[]> = { good: [0.5, 0.6, 0.7, 0.65], better: [0.55, 0.62, 0.75, 0.7], bad: [0.1, 0.1, 0.12, 0.15] };
  const epochsRun: number[] = [];
  const runner: ClassificationRunner = async (_ws, _ds, cfg, callbacks) => {
    const curve = cfg.optimizer.lr > 5e-3 ? curves.bad : cfg.optimizer.lr > 1e-3 ? curves.better : curves.good;
    const history: EpochLogs[] = [];
    for (let epoch = 0; epoch < curve.length; epoch++) {
      const logs = { epoch, lr: cfg.optimizer.lr, val_macroF1: curve[epoch] } as EpochLogs;
      history.push(logs);
      const r = await callbacks[0].onEpochEnd!(epoch, logs, {} as never);
      if (r === "stop") break;
    }
    epochsRun.push(history.length);
    return { model: { dispose() {} }, history, bestEpoch: 0, evaluation: { summary: { macro_f1: 0.5 } } } as never;
  };
  const objective = classifierObjective({} as never, {} as never, base, { runner, ctx: { trainSize: 700, pretrained: false } });
  const study = await createStudy({ direction: "maximize", sampler: new RandomSampler(1), pruner: new MedianPruner({ nStartupTrials: 2, nWarmupSteps: 1 }) });
  for (const lr of [5e-4, 2e-3, 8e-3]) await study.enqueueTrial({ lr, batch_size: 16, head_units: 64, scheduler: "cosine" });
  await study.optimize(objective, { nTrials: 3, progress: false });
  const trials = await study.getTrials();
  assert.deepEqual(trials.map((t) => t.state), ["COMPLETE", "COMPLETE", "PRUNED"]);
  assert.deepEqual(trials.slice(0, 2).map((t) => t.values![0]), [0.7, 0.75], "value = the best epoch's val macro-F1");
  // Step 1: median of the completed trials' values at step 1 is (0.6 + 0.62) / 2 = 0.61 > 0.1 → pruned after 2 epochs.
  assert.deepEqual(epochsRun, [4, 4, 2]);
  assert.deepEqual([...trials[2].intermediate.entries()], [[0, 0.1], [1, 0.1]]);
});
