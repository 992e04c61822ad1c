/**
 * One classification experiment end to end, as notebooks 03/04 and the `train` CLI call it: a
 * thin wrapper over the experiment runner (src/lib/runner) with the classification task, so a
 * notebook stays a few lines and a script reproduces it exactly.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Dataset } from "../data/types";
import type { Workspace } from "../runtime/workspace";
import { loadModel } from "../train/checkpoint";
import type { Callback } from "../train/types";
import { runExperiment } from "../runner/runner";
import { classificationTask, classificationResultOf, ClassificationResult } from "../runner/tasks/classification";
import type { ClassificationConfig, TrainedConfig } from "../runner/tasks/classification-config";

export type { AugmentPreset, ClassificationConfig, TrainedConfig } from "../runner/tasks/classification-config";
export type { ClassificationResult } from "../runner/tasks/classification";
export { augmentation, classSampler, classificationMetricsJson } from "../runner/tasks/classification";

/** Trains `cfg` on `ds` (split, sampler, best checkpoint, early stopping) and evaluates on the test split. */
export async function runClassification(ws: Workspace, ds: Dataset, cfg: ClassificationConfig, opts: { callbacks?: Callback[]; restart?: boolean } = {}): Promise<ClassificationResult> {
  const run = await runExperiment(ws, ds, classificationTask(cfg), { outDir: cfg.outDir, callbacks: opts.callbacks, restart: opts.restart });
  return classificationResultOf(run, cfg);
}

/** Rebuilds a trained classifier from its run folder (config.json + best checkpoint). */
export async function loadClassifier(runDir: string): Promise<{ model: tf.LayersModel; config: TrainedConfig }> {
  const configFile = path.join(runDir, "config.json");
  if (!fs.existsSync(configFile)) throw new Error(`${runDir} is not a training run folder (no config.json); train one with the 'train' command first`);
  const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as TrainedConfig;
  const model = await loadModel(path.join(runDir, "best"));
  return { model, config };
}
