/**
 * One classification experiment end to end, as notebooks 03/04 and the `train` CLI call it: a
 * thin wrapper over the experiment runner (src/lib/runner) with the classification task, so a
 * notebook stays a few lines and a script reproduces it exactly.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Dataset } from "../data/types";
import { wasPreflighted } from "../data/preflight";
import { silentProgress } from "../util/progress";
import { checkDataset } from "./datasets";
import type { Workspace } from "../runtime/workspace";
import { CheckpointError, loadModel } from "../train/checkpoint";
import type { Callback } from "../train/types";
import { runExperiment } from "../runner/runner";
import { classificationTask, classificationResultOf, ClassificationResult } from "../runner/tasks/classification";
import type { ClassificationConfig, TrainedConfig } from "../runner/tasks/classification-config";

export type { AugmentPreset, ClassificationConfig, TrainedConfig } from "../runner/tasks/classification-config";
export type { ClassificationResult } from "../runner/tasks/classification";
export { augmentation, classSampler, classificationMetricsJson } from "../runner/tasks/classification";

/**
 * Trains `cfg` on `ds` (split, sampler, best checkpoint, early stopping) and evaluates on the test split.
 * A dataset openDataset did not return (a loader called directly, a hand-made subset) is pre-flight
 * checked first, strictly, so a broken file stops the run before epoch 1. A rerun into a run folder
 * that holds a last/ checkpoint resumes from it, or refuses when the config changed (`restart: true`
 * starts over) — train/resume.ts decideResume.
 */
export async function runClassification(ws: Workspace, ds: Dataset, cfg: ClassificationConfig, opts: { callbacks?: Callback[]; restart?: boolean } = {}): Promise<ClassificationResult> {
  // Skips the caller already accepted (a lenient load) stay skips; anything new in strict data is an error.
  const data = wasPreflighted(ds) ? ds : (await checkDataset(ws, ds, { lenient: ds.skipped.length > 0, progress: silentProgress })).dataset;
  const run = await runExperiment(ws, data, classificationTask(cfg), { outDir: cfg.outDir, callbacks: opts.callbacks, restart: opts.restart });
  return classificationResultOf(run, cfg);
}

/** Rebuilds a trained classifier from its run folder (config.json + best checkpoint). */
export async function loadClassifier(runDir: string): Promise<{ model: tf.LayersModel; config: TrainedConfig }> {
  const configFile = path.join(runDir, "config.json");
  if (!fs.existsSync(configFile)) throw new Error(`${runDir} is not a training run folder (no config.json); train one with the 'train' command first`);
  let config: TrainedConfig;
  try {
    config = JSON.parse(fs.readFileSync(configFile, "utf8")) as TrainedConfig;
  } catch (e) {
    // Name the file: a bare SyntaxError "at position 500" says nothing about which one.
    throw new CheckpointError(configFile, `${configFile} is not valid JSON (${(e as Error).message}); the run folder is damaged — retrain it (train --restart)`);
  }
  const model = await loadModel(path.join(runDir, "best"));
  return { model, config };
}
