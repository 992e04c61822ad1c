/** What fit takes and returns, and how it resolves the task and loss from them. */
import * as tf from "@tensorflow/tfjs";
import { BatchSource } from "../data/types";
import { LossName, LossOptions, createLoss } from "../losses/registry";
import { LossFn } from "../losses/types";
import { ProgressSink } from "../util/progress";
import { Task } from "./epoch-metrics";
import { OptimizerSpec } from "./optimizers/factory";
import { ScheduledOptimizer } from "./optimizers/types";
import { SchedulerSpec } from "./schedulers";
import { Callback, EpochLogs } from "./types";

/** Plain tensors, batched by arrayBatches (the trainer does not dispose them). */
export interface ArrayData {
  x: tf.Tensor4D;
  y: tf.Tensor;
  ids?: readonly string[];
}

export interface FitData {
  train: BatchSource | ArrayData;
  val?: BatchSource | ArrayData;
}

export interface FitOptions {
  epochs: number;
  /** Batch size for ArrayData (a BatchSource has its own); default 32. */
  batchSize?: number;
  /** Gradient accumulation: micro-batch size (default: the whole batch). */
  microBatchSize?: number;
  /** Spec (default {name: "adamw", lr: 1e-3}) or a ready optimizer (not disposed by fit). */
  optimizer?: OptimizerSpec | ScheduledOptimizer;
  scheduler?: SchedulerSpec;
  /** Loss name or function; default by task: cross-entropy, bce, bce-dice. */
  loss?: LossName | LossFn;
  lossOptions?: LossOptions;
  /** Per-class weights: classWeights of cross-entropy, alpha of focal. */
  classWeights?: readonly number[];
  /** Default: from the loss name (bce/binary-focal → multilabel, dice/bce-dice → segmentation), else multiclass. */
  task?: Task;
  callbacks?: Callback[];
  /** The run seed (shuffling); required so fit never reads it from the environment. */
  seed: number;
  /** Metric whose best value is recorded in checkpoints; default val_loss with validation data, else loss. */
  monitor?: string;
  /** false = silent; a sink = custom drawing (tests); default: notebook / terminal bar. */
  progress?: boolean | ProgressSink;
  /** Label shown on the progress bar. */
  label?: string;
  /** Resume from a checkpoint saved by lastCheckpoint / bestCheckpoint / ctx.saveCheckpoint. */
  resumeFrom?: string;
  /**
   * Extra validation metrics after data.val, merged into the epoch's logs before the scheduler and
   * callbacks see them (segmentation: the Kaggle score of stitched full validation images, which
   * tile batches cannot give). Keys should carry the `val_` prefix; inference mode, no gradients.
   */
  valScore?: (model: tf.LayersModel, epoch: number) => Promise<Record<string, number>>;
}

export interface FitResult {
  history: EpochLogs[];
  /** Epochs run in this call (excluding those restored from a checkpoint). */
  epochsRun: number;
  stopped: boolean;
  /** Epoch (0-based) after which the checkpoint resumed, if resumed. */
  resumedAfterEpoch?: number;
  /** Wall-clock seconds per epoch; kept out of history so history stays reproducible. */
  timings: { epoch: number; seconds: number }[];
  task: Task;
  lossName: string;
}

export function isBatchSource(d: BatchSource | ArrayData): d is BatchSource {
  return typeof (d as BatchSource).batches === "function";
}

export function inferTask(loss: FitOptions["loss"]): Task {
  if (loss === "bce" || loss === "binary-focal") return "multilabel";
  if (loss === "dice" || loss === "bce-dice") return "segmentation";
  return "multiclass";
}

const DEFAULT_LOSS: Record<Task, LossName> = { multiclass: "cross-entropy", multilabel: "bce", segmentation: "bce-dice" };

export function resolveLoss(options: Pick<FitOptions, "loss" | "lossOptions" | "classWeights">, task: Task): LossFn {
  const loss = options.loss ?? DEFAULT_LOSS[task];
  if (typeof loss === "function") {
    if (options.classWeights) throw new Error("fit: classWeights only apply to a loss given by name (cross-entropy, focal); fold them into your loss function");
    if (options.lossOptions) throw new Error("fit: lossOptions only apply to a loss given by name");
    return loss;
  }
  const lo: LossOptions = { ...(options.lossOptions ?? {}) };
  if (options.classWeights) {
    if (loss === "cross-entropy") lo.classWeights = options.classWeights;
    else if (loss === "focal") lo.alpha = options.classWeights;
    else throw new Error(`fit: classWeights apply to cross-entropy and focal, not "${loss}" (for bce use lossOptions.posWeight)`);
  }
  return createLoss(loss, lo);
}

