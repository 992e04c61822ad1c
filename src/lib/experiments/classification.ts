/**
 * One classification experiment end to end, as notebooks 03/04 and the `train` CLI call it: a
 * thin wrapper over the experiment runner (src/lib/runner) with the classification task, so a
 * notebook stays a few lines and a script reproduces it exactly.
 */
import { Dataset } from "../data/types";
import { wasPreflighted } from "../data/preflight";
import { silentProgress } from "../util/progress";
import { checkDataset } from "./datasets";
import type { Workspace } from "../runtime/workspace";
import type { Callback } from "../train/types";
import { runExperiment } from "../runner/runner";
import { classificationTask, classificationResultOf, ClassificationResult } from "../runner/tasks/classification";
import type { ClassificationConfig, TrainedConfig } from "../runner/tasks/classification-config";

export type { AugmentPreset, ClassificationConfig, TrainedConfig } from "../runner/tasks/classification-config";
export type { ClassificationResult } from "../runner/tasks/classification";
export { loadClassifier } from "../runner/load-classifier";
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

