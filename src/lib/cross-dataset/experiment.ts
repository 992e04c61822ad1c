/**
 * Notebook 09's experiment: the NEU source classifier (make experiment-neu's run when it is there
 * with the real NEU images, else trained now on the workspace's NEU — synthetic by default), the
 * workspace's GC10 (data_raw/gc10, else synthetic GC10-like frames), the zero-shot test with
 * diagnostics and mitigations. Results under outputs/cross-dataset/<source run>/.
 */
import * as path from "path";
import { preflight } from "../data/preflight";
import type { Announce } from "../experiments/datasets";
import type { Workspace } from "../runtime/workspace";
import type { TargetView } from "./gc10-target";
import type { Mitigation } from "./mitigations";
import { runCrossDataset, type CrossDatasetResult } from "./run";
import { neuSourceClassifier, openTarget, sourceOptions, type SourceClassifier } from "./source";

export interface CrossDatasetExperimentOptions {
  className?: string;
  views?: TargetView[];
  mitigations?: Mitigation[];
  margin?: number;
  /** Run folder under outputs/models/ to reuse (default experiment_neu_real). */
  reuse?: string;
  announce?: Announce;
}

export interface CrossDatasetExperiment {
  source: Omit<SourceClassifier, "model">;
  result: CrossDatasetResult;
}

export async function crossDatasetExperiment(ws: Workspace, o: CrossDatasetExperimentOptions = {}): Promise<CrossDatasetExperiment> {
  const src = await neuSourceClassifier(ws, { reuse: o.reuse, announce: o.announce });
  const target = (await preflight(await openTarget(ws, undefined, { announce: o.announce }), { boxes: "clip" })).dataset;
  const outDir = path.join(ws.paths.outputs, "cross-dataset", path.basename(src.runDir));
  const result = await runCrossDataset({
    ...sourceOptions(src),
    target,
    className: o.className,
    views: o.views,
    mitigations: o.mitigations,
    margin: o.margin,
    outDir,
  });
  const { model, ...rest } = src;
  model.dispose();
  return { source: rest, result };
}
