/**
 * Notebook 08's experiment: a classifier trained by an earlier notebook (03 by default — reused,
 * never retrained) under the capture perturbations on that notebook's own test split, with the
 * test-time mitigations side by side. Results under outputs/robustness/<run>/.
 */
import * as fs from "fs";
import * as path from "path";
import type { Dataset } from "../data/types";
import { classificationView } from "../data/views";
import { readSplitCsv } from "../data/splits";
import { loadClassifier } from "../experiments/classification";
import type { Workspace } from "../runtime/workspace";
import type { TestTimeMitigation } from "./mitigations";
import { runRobustness, type RobustnessRun } from "./run";
import type { PerturbationKind } from "./types";
import type { ImageSize } from "../data/views";

export interface RobustnessExperimentOptions {
  /** Run folder name under outputs/models/ (default "03_simplecnn_baseline"). */
  run?: string;
  kinds?: PerturbationKind[];
  severities?: number[];
  mitigations?: TestTimeMitigation[];
  /** Default: twice the model input (see SweepOptions.captureSize). */
  captureSize?: ImageSize | "native";
  criticalClass?: string;
  /** Evaluate only the first N test images (smoke runs). */
  limit?: number;
}

export interface RobustnessExperiment extends RobustnessRun {
  run: string;
  runDir: string;
  classNames: string[];
  captureSize?: ImageSize;
  /** A test image for the perturbation gallery. */
  exampleImage: string;
}

export async function robustnessExperiment(ws: Workspace, ds: Dataset, o: RobustnessExperimentOptions = {}): Promise<RobustnessExperiment> {
  const run = o.run ?? "03_simplecnn_baseline";
  const runDir = path.join(ws.paths.models, run);
  const splitCsv = path.join(ws.paths.splits, `${ds.name}_${run}.csv`);
  if (!fs.existsSync(path.join(runDir, "config.json")) || !fs.existsSync(splitCsv)) {
    throw new Error(`the robustness test reuses the classifier of ${run} (${runDir}) and its split (${splitCsv}), and they are not there yet: run that notebook first (make notebooks ONLY=${run.slice(0, 2)})`);
  }
  const { model, config } = await loadClassifier(runDir);
  const view = classificationView(ds, { mode: config.mode, imageSize: config.imageSize, channels: config.channels });
  if (view.classNames.join(",") !== config.classNames.join(",")) throw new Error(`${run} was trained on classes [${config.classNames.join(", ")}] but ${ds.name} has [${view.classNames.join(", ")}]`);
  let indices = readSplitCsv(splitCsv, ds.samples).test;
  if (o.limit !== undefined) indices = indices.slice(0, o.limit);
  const captureSize = o.captureSize === "native" ? undefined : o.captureSize ?? { height: 2 * config.imageSize.height, width: 2 * config.imageSize.width };
  const outDir = path.join(ws.paths.outputs, "robustness", run);
  const r = await runRobustness({
    model,
    view,
    indices,
    mode: config.mode,
    kinds: o.kinds,
    severities: o.severities,
    mitigations: o.mitigations ?? ["none", "clahe", "tta"],
    seed: ws.config.seed,
    batchSize: config.batchSize,
    criticalClass: o.criticalClass,
    captureSize,
    outDir,
  });
  model.dispose();
  return { ...r, run, runDir, classNames: view.classNames, captureSize, exampleImage: ds.samples[indices[0]].path };
}
