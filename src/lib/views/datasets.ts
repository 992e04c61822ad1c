/** Notebook flavour of openDataset: the same pipeline, announcing real/synthetic data and skips as a banner. */
import type { DatasetName, Dataset } from "../data/types";
import type { Workspace } from "../runtime/workspace";
import { openDataset as openDatasetPipeline, OpenDatasetOptions } from "../experiments/datasets";
import { showBanner } from "../report/display";

export function openDataset(ws: Workspace, name: DatasetName, opts: OpenDatasetOptions = {}): Promise<Dataset> {
  return openDatasetPipeline(ws, name, { announce: showBanner, ...opts });
}
