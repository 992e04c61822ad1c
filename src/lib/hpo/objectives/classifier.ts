/**
 * Objective "classifier": the classification write-up's search space, filled into a
 * ClassificationConfig, trained by runClassification, scored by the best validation macro-F1.
 * Space: lr log-uniform 1e-5…1e-2; batch size {16, 32, 64} (a profile may offer smaller ones;
 * choices above the training split's size dropped); freeze stages 0…4 only with pretrained weights
 * (frozen random stages learn nothing) — without them the head width {32, 64, 128} is searched
 * instead (the SimpleCNN's capacity knob); scheduler {none, cosine}.
 * The runner is a parameter so tests can count epochs without training.
 */
import type { Dataset } from "../../data/types";
import type { ClassificationConfig, ClassificationResult } from "../../experiments/classification";
import type { Workspace } from "../../runtime/workspace";
import type { Callback } from "../../train/types";
import { pruningCallback } from "../callbacks/pruning";
import type { TrialLike } from "../trial/trial-like";

export const BATCH_SIZES = [16, 32, 64] as const;
export const HEAD_WIDTHS = [32, 64, 128] as const;
export const SCHEDULERS = ["none", "cosine"] as const;

export interface ClassifierSpaceContext {
  /** Images in the training split (batch sizes above it are not offered). */
  trainSize: number;
  /** Whether ImageNet weights will really be loaded (freeze is searched only then). */
  pretrained: boolean;
  /** Batch sizes offered (default BATCH_SIZES). */
  batchSizes?: readonly number[];
}

/** The trial's point of the write-up's space, applied to a base config. */
export function classifierConfig(trial: TrialLike, base: ClassificationConfig, ctx: ClassifierSpaceContext): ClassificationConfig {
  const lr = trial.suggestFloat("lr", 1e-5, 1e-2, { log: true });
  const fits = (ctx.batchSizes ?? BATCH_SIZES).filter((b) => b <= ctx.trainSize);
  const batchSize = trial.suggestCategorical("batch_size", fits.length ? fits : [Math.max(1, ctx.trainSize)]);
  const freeze = ctx.pretrained ? trial.suggestInt("freeze", 0, 4) : 0;
  const head = ctx.pretrained ? base.head : { ...base.head, hidden: trial.suggestCategorical("head_units", HEAD_WIDTHS) };
  const scheduler = trial.suggestCategorical("scheduler", SCHEDULERS);
  return {
    ...base,
    head,
    run: `${base.run}_trial${trial.number}`,
    outDir: base.outDir ? `${base.outDir}/trial_${trial.number}` : undefined,
    batchSize,
    freeze,
    optimizer: { ...base.optimizer, lr },
    scheduler: scheduler === "cosine" ? { type: "cosine", minLr: Math.min(lr / 100, 1e-5) } : { type: "none" },
  };
}

/** Runs one configuration; `callbacks` must be passed on to the trainer for pruning to work. */
export type ClassificationRunner = (ws: Workspace, ds: Dataset, cfg: ClassificationConfig, callbacks: Callback[]) => Promise<ClassificationResult>;

export interface ClassifierObjectiveOptions {
  runner: ClassificationRunner;
  ctx: ClassifierSpaceContext;
  /** Epoch metric reported for pruning and maximised (default val_macroF1). */
  monitor?: string;
}

/** Objective value: the best epoch's monitored value (the checkpoint runClassification keeps). */
export function classifierObjective(ws: Workspace, ds: Dataset, base: ClassificationConfig, opts: ClassifierObjectiveOptions) {
  const monitor = opts.monitor ?? "val_macroF1";
  return async (trial: TrialLike): Promise<number> => {
    const cfg = classifierConfig(trial, base, opts.ctx);
    const pruning = pruningCallback(trial, monitor);
    const result = await opts.runner(ws, ds, cfg, [pruning]);
    result.model.dispose();
    pruning.throwIfPruned();
    // A runner that dropped the callbacks: record the curve afterwards (plots), without pruning.
    if (pruning.reported === 0) for (const h of result.history) if (h[monitor] !== undefined) trial.report(h[monitor], h.epoch);
    const values = result.history.map((h) => h[monitor]).filter((v) => Number.isFinite(v));
    if (!values.length) throw new Error(`trial ${trial.number}: no finite ${monitor} in the training history`);
    trial.setUserAttr("test_macro_f1", result.evaluation.summary.macro_f1);
    trial.setUserAttr("best_epoch", result.bestEpoch);
    return Math.max(...values);
  };
}

/** runClassification with the pruning callback passed on to the trainer. */
export const currentClassificationRunner: ClassificationRunner = async (ws, ds, cfg, callbacks) => {
  const { runClassification } = await import("../../experiments/classification");
  return runClassification(ws, ds, cfg, { callbacks });
};
