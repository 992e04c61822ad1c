/**
 * fit(model, data, options): the training loop for notebooks and scripts, in steps — setUp,
 * restore (resumeFrom), trainEpoch, validate, endEpoch — that fit strings together.
 *
 * Data is abstract: `data.train` is a BatchSource (x [N, H, W, C], y [N, C] or masks
 * [N, H, W, C], a known batchesPerEpoch, a fresh async iterable per epoch) — the streaming loader
 * plugs in directly — or plain tensors {x, y} batched by arrayBatches with `batchSize`.
 * Each step: scheduler → lr, trainStep (gradient accumulation over `microBatchSize`), metrics
 * collected from the training-mode predictions, then the interrupt check. Each epoch: validation,
 * history row, scheduler state update, callbacks (may stop). Files are the callbacks' business:
 * historyLogger (history.csv/json), lastCheckpoint (last/ every epoch), bestCheckpoint.
 * `resumeFrom` restores weights, optimizer slots, scheduler state, history and callback state,
 * so an interrupted run finishes with the same weights as an uninterrupted one (same seed).
 * Every random order is a function of (seed, epoch) (arrayBatches, the data samplers); the one RNG
 * position carried across epochs, the seeded dropouts' streams, is saved in meta.streams.
 */
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { BatchSource } from "../data/types";
import { LossFn, batchSizeOf } from "../losses/types";
import { findDirOrPrevious } from "../util/atomic-write";
import { InterruptedError, clearInterrupt, interruptRequested } from "../util/interrupt";
import { Progress, createProgress, silentProgress } from "../util/progress";
import { yieldToEventLoop } from "../util/event-loop";
import { createRng } from "../util/rng";
import { arrayBatches } from "./array-batches";
import { CheckpointError, readCheckpoint, restoreModelWeights, restoreOptimizerState, saveCheckpoint } from "./checkpoint";
import { EpochMetrics, Task } from "./epoch-metrics";
import { evaluate } from "./evaluate";
import { FitData, FitOptions, FitResult, inferTask, isBatchSource, resolveLoss } from "./fit-options";
import { OptimizerSpec, optimizerFromSpec } from "./optimizers/factory";
import { ScheduledOptimizer } from "./optimizers/types";
import { SchedulerSpec, SchedulerState, initialSchedulerState, lrAt, schedulerEpochEnd } from "./schedulers";
import { trainStep } from "./step";
import { TrainerMeta, checkTrainerMeta } from "./trainer-meta";
import { Callback, EpochLogs, TrainContext, improves, resolveMode } from "./types";
import { dropoutStreams } from "../models/layers";

// What fit takes and returns, and its evaluation step, stay importable from here.
export * from "./fit-options";
export { evaluate } from "./evaluate";
export type { TrainerMeta } from "./trainer-meta";

function progressFor(options: FitOptions, label: string, total: number) {
  if (options.progress === false) return silentProgress;
  return createProgress({ total, label, ...(typeof options.progress === "function" ? { sink: options.progress } : {}) });
}

function display(logs: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs)) if (k !== "epoch") out[k] = v;
  return out;
}

/**
 * Whether `dir` holds a checkpoint fit can resume from: false when there is none; a checkpoint
 * that is there but damaged throws its CheckpointError (never silently "no checkpoint").
 */
export function hasCheckpoint(dir: string): boolean {
  if (findDirOrPrevious(dir, "model.json") === undefined) return false;
  return readCheckpoint(dir).hasMetadata;
}

/** Everything set-up resolves once; the epoch steps read it and update `state`. */
interface FitRun {
  model: tf.LayersModel;
  options: FitOptions;
  seed: number;
  task: Task;
  loss: LossFn;
  lossName: string;
  train: BatchSource;
  val?: BatchSource;
  monitor: string;
  monitorMode: "min" | "max";
  optimizer: ScheduledOptimizer;
  ownsOptimizer: boolean;
  optSpec?: OptimizerSpec;
  baseLr: number;
  schedSpec: SchedulerSpec;
  callbacks: Callback[];
  cbNames: string[];
  stepsPerEpoch: number;
  totalSteps: number;
  ctx: TrainContext;
  state: {
    schedState: SchedulerState;
    history: EpochLogs[];
    step: number;
    startEpoch: number;
    resumedAfterEpoch?: number;
    /** Epoch being trained, -1 before the first; the epoch a checkpoint is labelled with. */
    currentEpoch: number;
  };
}

/** Set-up: resolves task, loss, batch sources, optimizer, scheduler and the callbacks' context. */
function setUp(model: tf.LayersModel, data: FitData, options: FitOptions): FitRun {
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new Error(`fit: epochs must be an integer ≥ 1, got ${options.epochs}`);
  if (!Number.isInteger(options.seed)) throw new Error(`fit: seed must be an integer (the run seed, e.g. readRunConfig().seed), got ${options.seed}`);
  const seed = options.seed;
  const task = options.task ?? inferTask(options.loss);
  const loss = resolveLoss(options, task);
  const batchSize = options.batchSize ?? 32;
  const train = isBatchSource(data.train)
    ? data.train
    : arrayBatches(data.train.x, data.train.y, batchSize, createRng(seed, "train/shuffle"), { ids: data.train.ids });
  const val = data.val === undefined ? undefined : isBatchSource(data.val) ? data.val : arrayBatches(data.val.x, data.val.y, batchSize, null, { ids: data.val.ids });
  const monitor = options.monitor ?? (val ? "val_loss" : "loss");

  // A spec is built (and disposed) here; a ready optimizer belongs to the caller.
  // tf.Optimizer's Symbol.hasInstance reads `.minimize`, so `undefined instanceof` throws: test presence first.
  const given = options.optimizer !== undefined && options.optimizer instanceof tf.Optimizer ? (options.optimizer as ScheduledOptimizer) : undefined;
  const optSpec: OptimizerSpec | undefined = given ? undefined : ((options.optimizer as OptimizerSpec | undefined) ?? { name: "adamw", lr: 1e-3 });
  const optimizer: ScheduledOptimizer = given ?? optimizerFromSpec(optSpec as OptimizerSpec);
  if (typeof optimizer.setLearningRate !== "function" || typeof optimizer.getLearningRate !== "function") {
    throw new Error("fit: the optimizer must have setLearningRate/getLearningRate (use createOptimizer or pass a spec)");
  }
  const callbacks = [...(options.callbacks ?? [])];
  const run: FitRun = {
    model,
    options,
    seed,
    task,
    loss,
    lossName: loss.lossName ?? "custom",
    train,
    val,
    monitor,
    monitorMode: resolveMode(monitor),
    optimizer,
    ownsOptimizer: given === undefined,
    optSpec,
    baseLr: optSpec ? optSpec.lr : optimizer.getLearningRate(),
    schedSpec: options.scheduler ?? { type: "none" },
    callbacks,
    cbNames: callbacks.map((c, i) => c.name ?? `callback${i}`),
    stepsPerEpoch: train.batchesPerEpoch,
    totalSteps: options.epochs * train.batchesPerEpoch,
    ctx: undefined as unknown as TrainContext,
    state: { schedState: initialSchedulerState(), history: [], step: 0, startEpoch: 0, currentEpoch: -1 },
  };
  run.ctx = {
    model,
    optimizer,
    history: run.state.history,
    epochs: options.epochs,
    seed,
    stopTraining: false,
    saveCheckpoint: (dir: string, extra?: { configHash?: string }) =>
      saveCheckpoint<TrainerMeta>(dir, { model, optimizer, meta: buildMeta(run, run.state.currentEpoch, extra) }),
  };
  return run;
}

/** The checkpoint metadata of the state after `epoch`. */
function buildMeta(run: FitRun, epoch: number, extra: { configHash?: string } = {}): TrainerMeta {
  const { state, options } = run;
  const cbState: Record<string, unknown> = {};
  run.callbacks.forEach((c, i) => {
    if (c.getState) cbState[run.cbNames[i]] = c.getState();
  });
  let best: TrainerMeta["best"];
  state.history.forEach((h) => {
    const v = h[run.monitor];
    if (v !== undefined && improves(v, best ? best.value : null, run.monitorMode)) best = { monitor: run.monitor, value: v, epoch: h.epoch };
  });
  return {
    epoch,
    step: state.step,
    epochs: options.epochs,
    seed: run.seed,
    baseLr: run.baseLr,
    optimizer: run.optSpec ?? { className: run.optimizer.getClassName(), config: run.optimizer.getConfig() },
    scheduler: { spec: run.schedSpec, state: state.schedState },
    task: run.task,
    loss: run.lossName,
    history: state.history,
    ...(best ? { best } : {}),
    callbacks: cbState,
    ...streamsMeta(run.model),
    ...(run.ctx.stopTraining ? { stopped: true } : {}),
    ...(extra.configHash !== undefined ? { configHash: extra.configHash } : {}),
  };
}

/** Where the model's seeded dropout streams are (none: no field, checkpoints of other models unchanged). */
function streamsMeta(model: tf.LayersModel): Pick<TrainerMeta, "streams"> {
  const streams = dropoutStreams(model);
  if (streams.size === 0) return {};
  return { streams: { dropout: Object.fromEntries([...streams].map(([name, s]) => [name, s.calls])) } };
}

/** Puts every seeded dropout stream where the checkpoint says (a stream the model lacks is a mismatch). */
function restoreStreams(model: tf.LayersModel, meta: TrainerMeta, metaFile: string): void {
  const streams = dropoutStreams(model);
  for (const [name, calls] of Object.entries(meta.streams?.dropout ?? {})) {
    const s = streams.get(name);
    if (!s) throw new CheckpointError(metaFile, `fit: ${metaFile} has a dropout stream for layer "${name}", which this model does not have; resume with the model the checkpoint was trained with`);
    s.seek(calls);
  }
}

/** Restore: weights, optimizer slots, scheduler state, history and callback states from `dir`. */
async function restore(run: FitRun, dir: string): Promise<void> {
  const ckpt = readCheckpoint<TrainerMeta>(dir);
  const metaFile = path.join(ckpt.dir, "checkpoint.json");
  if (!ckpt.hasMetadata) {
    throw new CheckpointError(metaFile, `fit: cannot resume from ${ckpt.dir}: ${metaFile} is missing (a bare saved model, or a damaged checkpoint); resume from a checkpoint fit saved (last/ or best/), or start over`);
  }
  const meta = ckpt.file.meta;
  checkTrainerMeta(meta, metaFile);
  if (meta.seed !== run.seed) {
    throw new Error(`fit: checkpoint ${ckpt.dir} was trained with seed ${meta.seed} but this run uses ${run.seed}; resume with the same seed (or start a new run)`);
  }
  if (meta.epochs !== run.options.epochs) {
    throw new Error(`fit: checkpoint ${ckpt.dir} planned ${meta.epochs} epochs but this run asks for ${run.options.epochs}; schedules depend on the total, resume with the same epochs`);
  }
  restoreModelWeights(run.model, ckpt);
  await restoreOptimizerState(run.optimizer, ckpt);
  restoreStreams(run.model, meta, metaFile);
  const { state } = run;
  state.schedState = meta.scheduler.state;
  state.history = meta.history;
  run.ctx.history = state.history;
  state.step = meta.step;
  state.startEpoch = meta.epoch + 1;
  state.resumedAfterEpoch = meta.epoch;
  if (meta.stopped) run.ctx.stopTraining = true;
  run.callbacks.forEach((c, i) => {
    if (c.setState && meta.callbacks[run.cbNames[i]] !== undefined) c.setState(meta.callbacks[run.cbNames[i]]);
  });
}

/** One epoch of training steps; stops with InterruptedError right after a batch when asked. */
async function trainEpoch(run: FitRun, epoch: number, bar: Progress): Promise<{ logs: Record<string, number>; lr: number }> {
  const { optimizer, loss, state, ctx } = run;
  const metrics = new EpochMetrics(run.task, loss.fromLogits ? 0 : 0.5);
  let batchIndex = 0;
  let lr = optimizer.getLearningRate();
  for await (const batch of run.train.batches(epoch)) {
    try {
      lr = lrAt(run.schedSpec, run.baseLr, { step: state.step, epoch, stepsPerEpoch: run.stepsPerEpoch, totalSteps: run.totalSteps }, state.schedState);
      optimizer.setLearningRate(lr);
      const r = trainStep(run.model, optimizer, batch.x, batch.y, { loss, microBatchSize: run.options.microBatchSize, returnPredictions: true });
      metrics.add(batch.y, r.predictions as tf.Tensor, r.loss, (loss.normalizer ?? batchSizeOf)(batch.y));
      (r.predictions as tf.Tensor).dispose();
      if (!Number.isFinite(r.loss)) {
        throw new Error(`fit: loss became ${r.loss} at epoch ${epoch}, batch ${batchIndex} (ids ${batch.ids.slice(0, 5).join(", ")}…); lower the learning rate or check the inputs for NaN`);
      }
      const logs = { batch: batchIndex, step: state.step, size: batch.x.shape[0], loss: r.loss, lr };
      for (const c of run.callbacks) await c.onBatchEnd?.(batchIndex, logs, ctx);
      const score = metrics.runningScore();
      bar.tick(1, { loss: metrics.runningLoss(), [score.name]: score.value });
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
    await yieldToEventLoop(); // so a SIGINT handler (the kernel's Interrupt) can run before the check
    if (interruptRequested()) throw new InterruptedError("fit", epoch, batchIndex);
    batchIndex++;
    state.step++;
  }
  if (batchIndex === 0) throw new Error(`fit: the training data yielded no batch in epoch ${epoch}; check data.train (size ${run.train.size})`);
  return { logs: metrics.result(), lr };
}

/** Validation: loss and metrics over data.val in inference mode (none without data.val), then options.valScore. */
async function validate(run: FitRun, epoch: number): Promise<Record<string, number>> {
  const logs = run.val ? await evaluate(run.model, run.val, { loss: run.loss, task: run.task, epoch, prefix: "val_" }) : {};
  if (run.options.valScore) Object.assign(logs, await run.options.valScore(run.model, epoch));
  return logs;
}

/** Epoch end: history row, scheduler update, callbacks (checkpoint writers last; any may stop). */
async function endEpoch(run: FitRun, epoch: number, logs: EpochLogs, bar: Progress): Promise<void> {
  const { state, ctx } = run;
  state.history.push(logs);
  state.schedState = schedulerEpochEnd(run.schedSpec, state.schedState, run.baseLr, logs);
  bar.done(display(logs));
  const ordered = [...run.callbacks.filter((c) => !c.runLast), ...run.callbacks.filter((c) => c.runLast)];
  for (const c of ordered) {
    const r = await c.onEpochEnd?.(epoch, logs, ctx);
    if (r === "stop") ctx.stopTraining = true;
  }
}

/**
 * Trains `model` on `data` for options.epochs (or the rest of them after `resumeFrom`).
 * Throws InterruptedError (util/interrupt) at the first batch end after requestInterrupt().
 */
export async function fit(model: tf.LayersModel, data: FitData, options: FitOptions): Promise<FitResult> {
  const run = setUp(model, data, options);
  const { ctx, state } = run;
  clearInterrupt();
  try {
    if (options.resumeFrom) await restore(run, options.resumeFrom);
    for (const c of run.callbacks) await c.onTrainBegin?.(ctx);
    const timings: { epoch: number; seconds: number }[] = [];
    let epochsRun = 0;
    let stopped = ctx.stopTraining && state.startEpoch < options.epochs;
    // One bar per fit, relabelled each epoch: a notebook shows one updating bar, not one per epoch.
    let bar: Progress | undefined;
    for (let epoch = state.startEpoch; epoch < options.epochs && !ctx.stopTraining; epoch++) {
      state.currentEpoch = epoch;
      const t0 = Date.now();
      for (const c of run.callbacks) await c.onEpochBegin?.(epoch, ctx);
      const label = `${options.label ?? "fit"} epoch ${epoch + 1}/${options.epochs}`;
      if (bar) bar.restart(label);
      else bar = progressFor(options, label, run.stepsPerEpoch);
      const trained = await trainEpoch(run, epoch, bar);
      const valLogs = await validate(run, epoch);
      const logs = { epoch, lr: trained.lr, ...trained.logs, ...valLogs } as EpochLogs;
      epochsRun++;
      await endEpoch(run, epoch, logs, bar);
      timings.push({ epoch, seconds: (Date.now() - t0) / 1000 });
      if (ctx.stopTraining && epoch < options.epochs - 1) stopped = true;
    }
    for (const c of run.callbacks) await c.onTrainEnd?.(state.history, ctx);
    return {
      history: state.history,
      epochsRun,
      stopped,
      ...(state.resumedAfterEpoch !== undefined ? { resumedAfterEpoch: state.resumedAfterEpoch } : {}),
      timings,
      task: run.task,
      lossName: run.lossName,
    };
  } finally {
    if (run.ownsOptimizer) run.optimizer.dispose();
  }
}
