/**
 * One segmentation experiment end to end, as notebook 05 and `segment train` call it: a thin
 * wrapper over the experiment runner with the segmentation task. `loadSegmenter(runDir)` rebuilds
 * a trained U-Net from its run folder (config.json + best/ + postprocess.json) — for `segment
 * evaluate/predict` and any notebook that reuses the checkpoint.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data/types";
import type { Workspace } from "../runtime/workspace";
import { runExperiment } from "../runner/runner";
import { runContext } from "../runner/runner";
import {
  evaluateSegmentation,
  probabilityPredictor,
  segmentationEvaluationJson,
  segmentationTask,
  writeSegmentationArtefacts,
  type GateRequest,
  type SegmentationData,
  type SegmentationEvaluation,
} from "../runner/tasks/segmentation";
import type { SegmentationConfig, TrainedSegmentationConfig } from "../runner/tasks/segmentation-config";
import type { ExperimentRun } from "../runner/task";
import { resolvePostprocess, type ClassPostprocess } from "../segmentation/postprocess";
import type { TilePredictor } from "../segmentation/predict";
import { loadModel } from "../train/checkpoint";
import type { Callback } from "../train/types";
import { writeJsonAtomic } from "../util/atomic-write";

export type { SegmentationConfig, TrainedSegmentationConfig, SegmentationLoss } from "../runner/tasks/segmentation-config";
export type { SegmentationEvaluation, SegmentationExample, GateRequest, GatingInfo } from "../runner/tasks/segmentation";

export interface SegmentationResult {
  config: SegmentationConfig;
  run: ExperimentRun<SegmentationData, SegmentationEvaluation>;
  history: ExperimentRun<SegmentationData, SegmentationEvaluation>["history"];
  bestEpoch: number;
  evaluation: SegmentationEvaluation;
  files: Record<string, string>;
  seconds: { train: number; perEpoch: number[] };
  /** metrics.json of the run folder (deterministic). */
  metrics: Record<string, unknown>;
}

/**
 * Trains `cfg` on `ds` (tiles, stitched val score, best checkpoint, plateau, early stopping), evaluates on the test split.
 * `gate`: a classifier run folder whose presence probabilities gate each class (skipped, and said so, when it is missing).
 */
export async function runSegmentation(ws: Workspace, ds: Dataset, cfg: SegmentationConfig, opts: { callbacks?: Callback[]; restart?: boolean; gate?: GateRequest } = {}): Promise<SegmentationResult> {
  const task = segmentationTask(cfg, { gate: opts.gate });
  const run = await runExperiment(ws, ds, task, { outDir: cfg.outDir, callbacks: opts.callbacks, restart: opts.restart });
  return { config: cfg, run, history: run.history, bestEpoch: run.bestEpoch, evaluation: run.evaluation, files: run.files, seconds: run.seconds, metrics: task.metricsJson(run) };
}

/** Notebook 05's gate: a classification run under outputs/models (notebook 04's by default); a missing one is skipped, and said so. */
export function classifierGate(paths: { models: string }, run = "04_resnet50_classifier"): GateRequest {
  return { checkpoint: path.join(paths.models, run), hint: `run notebook ${run.slice(0, 2)} first` };
}

export interface LoadedSegmenter {
  model: tf.LayersModel;
  /** The model as a probability predictor for predictStitched / segmentFolder (sigmoid over logits when needed). */
  predictor: TilePredictor;
  config: TrainedSegmentationConfig;
  /** The post-processing chosen on the validation split (threshold 0.5 defaults when absent). */
  postprocess: ClassPostprocess[];
  tta: boolean;
  /** The classifier run (folder name) the post-processing was tuned with, when any class is gated. */
  gate?: string;
}

/**
 * A trained U-Net from its run folder: RUN_DIR/config.json (task "segmentation"), RUN_DIR/best/
 * (the best checkpoint on val_kaggle) and RUN_DIR/postprocess.json (per-class threshold, minimum
 * area, components, classifier gates; flip TTA) or `postprocessFile`.
 */
export async function loadSegmenter(runDir: string, postprocessFile?: string): Promise<LoadedSegmenter> {
  const configFile = path.join(runDir, "config.json");
  if (!fs.existsSync(configFile)) throw new Error(`${runDir} is not a training run folder (no config.json); train one with 'segment train' first`);
  const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as TrainedSegmentationConfig;
  if (config.task !== "segmentation") throw new Error(`${runDir} holds a ${config.task ?? "classification"} run, not a segmentation run (not a U-Net from 'segment train')`);
  const model = await loadModel(path.join(runDir, "best"));
  // Another post-processing (e.g. the one `segment evaluate --gate` chose) may be given instead.
  const ppFile = postprocessFile ?? path.join(runDir, "postprocess.json");
  const pp = fs.existsSync(ppFile) ? (JSON.parse(fs.readFileSync(ppFile, "utf8")) as { settings: ClassPostprocess[]; tta: boolean; gate?: string }) : undefined;
  const activation = config.loss === "lovasz-hinge" ? "linear" : "sigmoid";
  return { model, predictor: probabilityPredictor(model, activation), config, postprocess: resolvePostprocess(4, pp?.settings ?? {}), tta: pp?.tta ?? false, gate: pp?.gate };
}

/**
 * A trained segmenter on labelled data (`segment evaluate`): search + effects on `valIds`, scores
 * on `testIds`, artefacts and metrics.json in `outDir`.
 */
export async function evaluateSegmenter(
  ws: Workspace,
  seg: LoadedSegmenter,
  ds: Dataset,
  outDir: string,
  ids: { valIds: number[]; testIds: number[] },
  gate?: GateRequest,
): Promise<{ evaluation: SegmentationEvaluation; files: Record<string, string>; metrics: Record<string, unknown> }> {
  const ctx = runContext(ws, ds, "segment_evaluate", outDir);
  fs.mkdirSync(ctx.outDir, { recursive: true });
  const evaluation = await evaluateSegmentation(ctx, seg.config, seg.predictor, ids, gate);
  const files = await writeSegmentationArtefacts(ctx.outDir, evaluation);
  const metrics = { checkpoint: seg.config.run, encoder: seg.config.encoder, dataset: { name: ds.name, source: ds.source, images: ds.samples.length }, ...segmentationEvaluationJson(evaluation) };
  files.metrics = path.join(ctx.outDir, "metrics.json");
  writeJsonAtomic(files.metrics, metrics);
  return { evaluation, files, metrics };
}
