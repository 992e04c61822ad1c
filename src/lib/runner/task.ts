/**
 * A task is a small plug-in (PyTorch Lightning's LightningModule idea): it says what its data
 * view, model, loss, metrics and artefacts are. The runner (runner.ts) owns the sequence —
 * prepare → build model → fit → evaluate → write artefacts — so classification, segmentation,
 * an HPO trial or a cross-dataset evaluation never re-implement it.
 */
import type * as tf from "@tensorflow/tfjs";
import type { BatchSource, Dataset } from "../data/types";
import type { LossFn } from "../losses/types";
import type { LossName, LossOptions } from "../losses/registry";
import type { OptimizerSpec } from "../train/optimizers/factory";
import type { SchedulerSpec } from "../train/schedulers";
import type { Workspace } from "../runtime/workspace";
import type { EpochLogs } from "../train/types";

export interface RunContext {
  ws: Workspace;
  ds: Dataset;
  /** The run's seed (ws.config.seed): passed explicitly to the split, the model and fit. */
  seed: number;
  /** The run folder (best/, history.csv, metrics.json, config.json, figures). */
  outDir: string;
}

/** What prepare returns for training: batch sources plus whatever the task needs later. */
export interface TrainingData {
  train: BatchSource;
  /** Optional: a task may validate through FitPlan.valScore instead (segmentation: stitched full images). */
  val?: BatchSource;
}

export interface BuiltModel {
  model: tf.LayersModel;
  /** Free-form facts about the model worth keeping in the result (pretrained note, params). */
  info: Record<string, unknown>;
}

/** The task's part of the fit call; the runner adds seed, callbacks and the checkpoint. */
export interface FitPlan {
  epochs: number;
  optimizer: OptimizerSpec;
  scheduler?: SchedulerSpec;
  loss: LossName | LossFn;
  lossOptions?: LossOptions;
  classWeights?: readonly number[];
  microBatchSize?: number;
  /** Metric picking the best checkpoint and driving early stopping. */
  monitor: string;
  /** Early-stopping patience in epochs (0/undefined = off). */
  patience?: number;
  label: string;
  /** Extra per-epoch validation metrics (fit's valScore), e.g. segmentation's val_kaggle. */
  valScore?: (model: tf.LayersModel, epoch: number) => Promise<Record<string, number>>;
}

/** (Named apart from the trainer's `Task` = multiclass | multilabel | segmentation metric kind.) */
export interface ExperimentTask<D extends TrainingData, E> {
  readonly name: string;
  /** Stage 1: dataset view + split (written as CSV) + batch sources. */
  prepare(ctx: RunContext): D;
  /** Stage 2: the model by registry name (and any weights to load). */
  buildModel(ctx: RunContext, data: D): Promise<BuiltModel>;
  /** Stage 3 input: loss, optimizer, monitor … for the runner's one fit call. */
  fitPlan(ctx: RunContext, data: D): FitPlan;
  /** Stage 4: the task's metrics on its held-out data (also used without training). */
  evaluate(ctx: RunContext, model: tf.LayersModel, data: D): Promise<E>;
  /** Stage 5: figures and other files of the evaluation; returns name → path. */
  writeArtefacts(ctx: RunContext, evaluation: E, data: D): Promise<Record<string, string>>;
  /** The deterministic part of a finished run, written as <run folder>/metrics.json. */
  metricsJson(run: ExperimentRun<D, E>): Record<string, unknown>;
  /** What config.json records so that the checkpoint can be rebuilt and reused. */
  savedConfig(ctx: RunContext, data: D): Record<string, unknown>;
}

/** A finished run: what every stage produced. */
export interface ExperimentRun<D extends TrainingData, E> {
  ctx: RunContext;
  data: D;
  built: BuiltModel;
  model: tf.LayersModel;
  history: EpochLogs[];
  /** 0-based epoch of the restored best checkpoint. */
  bestEpoch: number;
  evaluation: E;
  /** Artefacts plus checkpoint, history and config. */
  files: Record<string, string>;
  /** Wall-clock seconds (never written to metrics JSON). */
  seconds: { train: number; perEpoch: number[] };
  /** How the run started: fresh, or resumed from last/ after `afterEpoch` epochs (never in metrics JSON). */
  start: RunStart;
}

export type RunStart = { action: "fresh"; message: string } | { action: "resume"; afterEpoch: number; message: string };

