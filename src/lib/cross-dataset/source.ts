/**
 * The two sides of the cross-dataset test, found the same way by the command and notebook 09:
 * - source: a trained NEU classifier with its data and split — a given run folder (the command's
 *   --source-checkpoint, e.g. `make experiment-neu`'s outputs/models/experiment_neu_real), or, in
 *   the notebook, that run when it is there, else a NEU model trained now with the NEU preset on
 *   whatever NEU data the workspace has (the embedded synthetic NEU-like set by default);
 * - target: GC10 from a folder (real unless it carries the synthetic generator's manifest), or the
 *   workspace's GC10 (data_raw/gc10, else the embedded synthetic GC10-like frames).
 * Both say loudly which data they are, through the `announce` sink (this layer never renders).
 */
import * as fs from "fs";
import * as path from "path";
import type * as tf from "@tensorflow/tfjs";
import { readSplitCsv } from "../data/splits";
import type { Dataset } from "../data/types";
import { NEU_CLASSES } from "../data/neu";
import { consoleAnnounce, loadDatasetAt, openDataset, type Announce } from "../experiments/datasets";
import { loadClassifier, runClassification, type ClassificationResult, type TrainedConfig } from "../experiments/classification";
import { neuPreset } from "../experiments/presets";
import type { Workspace } from "../runtime/workspace";

export interface SourceClassifier {
  model: tf.LayersModel;
  config: TrainedConfig;
  runDir: string;
  ds: Dataset;
  split: { train: number[]; val: number[]; test: number[] };
  /** True when an existing run was reused (not trained here). */
  reused: boolean;
  /** The training run when it was trained here (for its confusion matrix and learning curves). */
  trained?: ClassificationResult;
}

/** A folder is synthetic when the workspace's generator wrote it (its manifest names the dataset). */
export function isSyntheticFolder(root: string, name: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, "manifest.json"), "utf8")) as { dataset?: string }).dataset === name;
  } catch {
    return false;
  }
}

/** The split CSV a run wrote: `<outputs>/splits/<dataset>_<run>.csv` beside `<outputs>/models/<run>`. */
export function splitCsvOf(runDir: string, config: TrainedConfig): string {
  return path.join(path.dirname(path.dirname(path.resolve(runDir))), "splits", `${config.dataset}_${config.run}.csv`);
}

/** A trained NEU run folder with its NEU data (`dataRoot`) and split (`splitCsv`, default the run's own). */
/** The source half of runCrossDataset's options (model, classes, input geometry, NEU train/test), from a source classifier. */
export function sourceOptions(src: SourceClassifier) {
  return {
    model: src.model,
    classNames: src.config.classNames,
    imageSize: src.config.imageSize,
    channels: src.config.channels,
    source: { ds: src.ds, train: src.split.train, test: src.split.test },
  };
}

export async function loadSourceRun(runDir: string, dataRoot: string, o: { splitCsv?: string; announce?: Announce } = {}): Promise<SourceClassifier> {
  const { model, config } = await loadClassifier(runDir);
  if (config.classNames.join(",") !== NEU_CLASSES.join(",")) {
    model.dispose();
    throw new Error(`${runDir} was trained on classes [${config.classNames.join(", ")}], not NEU's [${NEU_CLASSES.join(", ")}]`);
  }
  const csv = o.splitCsv ?? splitCsvOf(runDir, config);
  if (!fs.existsSync(csv)) throw new Error(`the split of ${runDir} is not at ${csv}; pass it with --source-split FILE (NEU test accuracy must be scored on images the model did not train on)`);
  const source = isSyntheticFolder(dataRoot, "neu") ? "synthetic" : "real";
  const ds = await loadDatasetAt("neu", dataRoot, source);
  const split = readSplitCsv(csv, ds.samples);
  (o.announce ?? consoleAnnounce)(`source: ${config.model} ${config.imageSize.height}×${config.imageSize.width} from ${runDir} (reused, not retrained); NEU ${source.toUpperCase()} data from ${dataRoot}, test split ${split.test.length} images`, source === "real" ? "info" : "warning");
  return { model, config, runDir, ds, split, reused: true };
}

/** The notebook's source: `reuse` (default experiment_neu_real) with real NEU when both exist, else trained now. */
export async function neuSourceClassifier(ws: Workspace, o: { reuse?: string; run?: string; announce?: Announce } = {}): Promise<SourceClassifier> {
  const reuseDir = path.join(ws.paths.models, o.reuse ?? "experiment_neu_real");
  const realNeu = path.join(ws.paths.sharedData, "neu-det");
  if (fs.existsSync(path.join(reuseDir, "config.json")) && fs.existsSync(realNeu)) {
    const reused = await loadSourceRun(reuseDir, realNeu, { announce: o.announce });
    ws.dataSources.neu = reused.ds.source;
    return reused;
  }
  const ds = await openDataset(ws, "neu", { announce: o.announce });
  const cfg = { ...neuPreset(ws.config.profile), run: o.run ?? "09_neu_source" };
  const trained = await runClassification(ws, ds, cfg);
  const runDir = path.join(ws.paths.models, cfg.run);
  const { config } = await loadClassifier(runDir);
  const split = readSplitCsv(trained.split.csv, ds.samples);
  return { model: trained.model, config, runDir, ds, split, reused: false, trained };
}

/** GC10 at `root` (the command's --target-root), or the workspace's GC10; announced. */
export async function openTarget(ws: Workspace, root: string | undefined, o: { announce?: Announce; lenient?: boolean } = {}): Promise<Dataset> {
  const announce = o.announce ?? consoleAnnounce;
  if (root === undefined) return openDataset(ws, "gc10", { announce, lenient: o.lenient });
  const source = isSyntheticFolder(root, "gc10") ? "synthetic" : "real";
  const ds = await loadDatasetAt("gc10", root, source, o.lenient ? "lenient" : "strict");
  ws.dataSources.gc10 = source;
  announce(`target: GC10 ${source === "real" ? "REAL" : "SYNTHETIC (the workspace's generated GC10-like frames — results check the pipeline, not real-data transfer)"} data from ${root}, ${ds.samples.length} images`, source === "real" ? "info" : "warning");
  return ds;
}
