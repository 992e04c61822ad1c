/**
 * fit(model, data, options): the training loop for notebooks and scripts.
 *
 * Data is abstract: `data.train` is a BatchSource (x [N, H, W, C], y [N, C] or masks
 * [N, H, W, C], a known batchesPerEpoch, a fresh async iterable per epoch) — the streaming loader
 * plugs in directly — or plain tensors {x, y} batched by arrayBatches with `batchSize`.
 * Each step: scheduler → lr, trainStep (gradient accumulation over `microBatchSize`), metrics
 * collected from the training-mode predictions. Each epoch: validation, history row, scheduler
 * state update, callbacks (may stop), optional resumable checkpoint in `checkpointDir`.
 * `resumeFrom` restores weights, optimizer slots, scheduler state, history and callback state,
 * so an interrupted run finishes with the same weights as an uninterrupted one (same seed).
 */
import * as tf from "@tensorflow/tfjs";
import { readRunConfig } from "../config/run-config";
import { BatchSource } from "../data/types";
import { LossName, LossOptions, createLoss } from "../losses/registry";
import { LossFn, batchSizeOf } from "../losses/types";
import { ProgressSink, createProgress, silentProgress } from "../util/progress";
import { createRng } from "../util/rng";
import { arrayBatches } from "./array-batches";
import { HistoryFiles, writeHistory } from "./callbacks/history-writer";
import { readCheckpoint, restoreModelWeights, restoreOptimizerState, saveCheckpoint } from "./checkpoint";
import { EpochMetrics, Task } from "./epoch-metrics";
import { OptimizerSpec, optimizerFromSpec } from "./optimizers/factory";
import { ScheduledOptimizer } from "./optimizers/types";
import { SchedulerSpec, SchedulerState, initialSchedulerState, lrAt, schedulerEpochEnd } from "./schedulers";
import { trainStep } from "./step";
import { Callback, EpochLogs, TrainContext, improves, resolveMode } from "./types";

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
  /** Seed for shuffling (default: readRunConfig().seed). */
  seed?: number;
  /** Metric whose best value is recorded in checkpoints; default val_loss with validation data, else loss. */
  monitor?: string;
  /** false = silent; a sink = custom drawing (tests); default: notebook / terminal bar. */
  progress?: boolean | ProgressSink;
  /** Label shown on the progress bar. */
  label?: string;
  /** Write history.csv and history.json here (after every epoch). */
  outDir?: string;
  /** Save a resumable checkpoint of the last epoch here after every epoch. */
  checkpointDir?: string;
  /** Resume from a checkpoint saved by checkpointDir / bestCheckpoint / ctx.saveCheckpoint. */
  resumeFrom?: string;
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
  files?: HistoryFiles;
  task: Task;
  lossName: string;
}

/** What checkpoint.json holds for the trainer. */
export interface TrainerMeta {
  /** Last completed epoch, 0-based. */
  epoch: number;
  /** Optimizer steps done. */
  step: number;
  epochs: number;
  seed: number;
  baseLr: number;
  optimizer: OptimizerSpec | { className: string; config: tf.serialization.ConfigDict };
  scheduler: { spec: SchedulerSpec; state: SchedulerState };
  task: Task;
  loss: string;
  history: EpochLogs[];
  best?: { monitor: string; value: number; epoch: number };
  callbacks: Record<string, unknown>;
}

function isBatchSource(d: BatchSource | ArrayData): d is BatchSource {
  return typeof (d as BatchSource).batches === "function";
}

function inferTask(loss: FitOptions["loss"]): Task {
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

function progressFor(options: FitOptions, label: string, total: number) {
  if (options.progress === false) return silentProgress;
  return createProgress({ total, label, ...(typeof options.progress === "function" ? { sink: options.progress } : {}) });
}

function display(logs: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs)) if (k !== "epoch") out[k] = v;
  return out;
}

/** Loss and metrics of a model over a BatchSource (inference mode). Disposes every batch. */
export async function evaluate(
  model: tf.LayersModel,
  source: BatchSource,
  options: { loss: LossFn; task: Task; epoch?: number; prefix?: string },
): Promise<Record<string, number>> {
  const metrics = new EpochMetrics(options.task, options.loss.fromLogits ? 0 : 0.5);
  const normalizer = options.loss.normalizer ?? batchSizeOf;
  for await (const batch of source.batches(options.epoch ?? 0)) {
    try {
      const { pred, loss } = tf.tidy(() => {
        const p = model.apply(batch.x, { training: false }) as tf.Tensor;
        return { pred: p, loss: options.loss(batch.y, p) };
      });
      metrics.add(batch.y, pred, loss.dataSync()[0], normalizer(batch.y));
      tf.dispose([pred, loss]);
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
  }
  return metrics.result(options.prefix ?? "");
}

/** Whether `dir` holds a checkpoint fit can resume from. */
export function hasCheckpoint(dir: string): boolean {
  try {
    readCheckpoint(dir);
    return true;
  } catch {
    return false;
  }
}

export async function fit(model: tf.LayersModel, data: FitData, options: FitOptions): Promise<FitResult> {
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new Error(`fit: epochs must be an integer ≥ 1, got ${options.epochs}`);
  const seed = options.seed ?? readRunConfig().seed;
  const task = options.task ?? inferTask(options.loss);
  const loss = resolveLoss(options, task);
  const lossName = loss.lossName ?? "custom";
  const batchSize = options.batchSize ?? 32;
  const train = isBatchSource(data.train)
    ? data.train
    : arrayBatches(data.train.x, data.train.y, batchSize, createRng(seed, "train/shuffle"), { ids: data.train.ids });
  const val = data.val === undefined ? undefined : isBatchSource(data.val) ? data.val : arrayBatches(data.val.x, data.val.y, batchSize, null, { ids: data.val.ids });
  const monitor = options.monitor ?? (val ? "val_loss" : "loss");
  const monitorMode = resolveMode(monitor);

  // A spec is built (and disposed) here; a ready optimizer belongs to the caller.
  const given = options.optimizer instanceof tf.Optimizer ? (options.optimizer as ScheduledOptimizer) : undefined;
  const optSpec: OptimizerSpec | undefined = given ? undefined : ((options.optimizer as OptimizerSpec | undefined) ?? { name: "adamw", lr: 1e-3 });
  const optimizer: ScheduledOptimizer = given ?? optimizerFromSpec(optSpec as OptimizerSpec);
  const ownsOptimizer = given === undefined;
  if (typeof optimizer.setLearningRate !== "function" || typeof optimizer.getLearningRate !== "function") {
    throw new Error("fit: the optimizer must have setLearningRate/getLearningRate (use createOptimizer or pass a spec)");
  }
  const baseLr = optSpec ? optSpec.lr : optimizer.getLearningRate();
  const schedSpec: SchedulerSpec = options.scheduler ?? { type: "none" };
  const callbacks = [...(options.callbacks ?? [])];
  const cbNames = callbacks.map((c, i) => c.name ?? `callback${i}`);

  const stepsPerEpoch = train.batchesPerEpoch;
  const totalSteps = options.epochs * stepsPerEpoch;
  let schedState = initialSchedulerState();
  let history: EpochLogs[] = [];
  let step = 0;
  let startEpoch = 0;
  let resumedAfterEpoch: number | undefined;

  const buildMeta = (epoch: number): TrainerMeta => {
    const cbState: Record<string, unknown> = {};
    callbacks.forEach((c, i) => {
      if (c.getState) cbState[cbNames[i]] = c.getState();
    });
    let best: TrainerMeta["best"];
    history.forEach((h) => {
      const v = h[monitor];
      if (v !== undefined && improves(v, best ? best.value : null, monitorMode)) best = { monitor, value: v, epoch: h.epoch };
    });
    return {
      epoch,
      step,
      epochs: options.epochs,
      seed,
      baseLr,
      optimizer: optSpec ?? { className: optimizer.getClassName(), config: optimizer.getConfig() },
      scheduler: { spec: schedSpec, state: schedState },
      task,
      loss: lossName,
      history,
      ...(best ? { best } : {}),
      callbacks: cbState,
    };
  };

  let currentEpoch = -1;
  const ctx: TrainContext = {
    model,
    optimizer,
    history,
    epochs: options.epochs,
    seed,
    stopTraining: false,
    saveCheckpoint: (dir: string) => saveCheckpoint<TrainerMeta>(dir, { model, optimizer, meta: buildMeta(currentEpoch) }),
  };

  try {
    if (options.resumeFrom) {
      const ckpt = readCheckpoint<TrainerMeta>(options.resumeFrom);
      const meta = ckpt.file.meta;
      if (meta.seed !== seed) {
        throw new Error(`fit: checkpoint ${ckpt.dir} was trained with seed ${meta.seed} but this run uses ${seed}; resume with the same seed (or start a new run)`);
      }
      if (meta.epochs !== options.epochs) {
        throw new Error(`fit: checkpoint ${ckpt.dir} planned ${meta.epochs} epochs but this run asks for ${options.epochs}; schedules depend on the total, resume with the same epochs`);
      }
      restoreModelWeights(model, ckpt);
      await restoreOptimizerState(optimizer, ckpt);
      schedState = meta.scheduler.state;
      history = meta.history;
      ctx.history = history;
      step = meta.step;
      startEpoch = meta.epoch + 1;
      resumedAfterEpoch = meta.epoch;
      callbacks.forEach((c, i) => {
        if (c.setState && meta.callbacks[cbNames[i]] !== undefined) c.setState(meta.callbacks[cbNames[i]]);
      });
    }

    for (const c of callbacks) await c.onTrainBegin?.(ctx);
    const timings: { epoch: number; seconds: number }[] = [];
    let epochsRun = 0;
    let stopped = false;
    let files: HistoryFiles | undefined;

    for (let epoch = startEpoch; epoch < options.epochs && !ctx.stopTraining; epoch++) {
      currentEpoch = epoch;
      const t0 = Date.now();
      for (const c of callbacks) await c.onEpochBegin?.(epoch, ctx);
      const metrics = new EpochMetrics(task, loss.fromLogits ? 0 : 0.5);
      const bar = progressFor(options, `${options.label ?? "fit"} epoch ${epoch + 1}/${options.epochs}`, stepsPerEpoch);
      let batchIndex = 0;
      let lr = optimizer.getLearningRate();
      for await (const batch of train.batches(epoch)) {
        try {
          lr = lrAt(schedSpec, baseLr, { step, epoch, stepsPerEpoch, totalSteps }, schedState);
          optimizer.setLearningRate(lr);
          const r = trainStep(model, optimizer, batch.x, batch.y, { loss, microBatchSize: options.microBatchSize, returnPredictions: true });
          const n = batch.x.shape[0];
          metrics.add(batch.y, r.predictions as tf.Tensor, r.loss, (loss.normalizer ?? batchSizeOf)(batch.y));
          (r.predictions as tf.Tensor).dispose();
          if (!Number.isFinite(r.loss)) {
            throw new Error(`fit: loss became ${r.loss} at epoch ${epoch}, batch ${batchIndex} (ids ${batch.ids.slice(0, 5).join(", ")}…); lower the learning rate or check the inputs for NaN`);
          }
          const logs = { batch: batchIndex, step, size: n, loss: r.loss, lr };
          for (const c of callbacks) await c.onBatchEnd?.(batchIndex, logs, ctx);
          const score = metrics.runningScore();
          bar.tick(1, { loss: metrics.runningLoss(), [score.name]: score.value });
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
        batchIndex++;
        step++;
      }
      if (batchIndex === 0) throw new Error(`fit: the training data yielded no batch in epoch ${epoch}; check data.train (size ${train.size})`);
      const trainLogs = metrics.result();
      const valLogs = val ? await evaluate(model, val, { loss, task, epoch, prefix: "val_" }) : {};
      const logs = { epoch, lr, ...trainLogs, ...valLogs } as EpochLogs;
      history.push(logs);
      schedState = schedulerEpochEnd(schedSpec, schedState, baseLr, logs);
      bar.done(display(logs));
      epochsRun++;
      for (const c of callbacks) {
        const r = await c.onEpochEnd?.(epoch, logs, ctx);
        if (r === "stop") ctx.stopTraining = true;
      }
      if (options.outDir) files = writeHistory(options.outDir, history);
      if (options.checkpointDir) await ctx.saveCheckpoint(options.checkpointDir);
      timings.push({ epoch, seconds: (Date.now() - t0) / 1000 });
      if (ctx.stopTraining && epoch < options.epochs - 1) stopped = true;
    }

    for (const c of callbacks) await c.onTrainEnd?.(history, ctx);
    if (options.outDir) files = writeHistory(options.outDir, history);
    return {
      history,
      epochsRun,
      stopped,
      ...(resumedAfterEpoch !== undefined ? { resumedAfterEpoch } : {}),
      timings,
      ...(files ? { files } : {}),
      task,
      lossName,
    };
  } finally {
    if (ownsOptimizer) optimizer.dispose();
  }
}
