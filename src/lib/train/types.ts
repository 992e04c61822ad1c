/** Types shared by the trainer and its callbacks. */
import * as tf from "@tensorflow/tfjs";
import { ScheduledOptimizer } from "./optimizers/types";

/**
 * One row of history: `epoch` (0-based), `lr` (at the epoch's last step), the train metrics
 * (loss, accuracy, macroF1 — or dice for segmentation) and the same with a `val_` prefix.
 */
export type EpochLogs = { epoch: number; lr: number } & Record<string, number>;

export interface BatchLogs {
  /** Batch index within the epoch, 0-based. */
  batch: number;
  /** Global optimizer step, 0-based. */
  step: number;
  size: number;
  loss: number;
  lr: number;
}

export type CallbackResult = void | "stop" | Promise<void | "stop">;

/** What callbacks can see and do during fit. */
export interface TrainContext {
  model: tf.LayersModel;
  optimizer: ScheduledOptimizer;
  /** Epochs completed so far (including those before a resume). */
  history: EpochLogs[];
  /** Planned number of epochs. */
  epochs: number;
  seed: number;
  /** Set true (or return "stop" from onEpochEnd) to end training after this epoch. */
  stopTraining: boolean;
  /**
   * Saves a resumable checkpoint of the current state (model, optimizer, scheduler, history,
   * callback states…); `extra` fields (e.g. configHash) are added to its metadata.
   */
  saveCheckpoint(dir: string, extra?: { configHash?: string }): Promise<void>;
}

/**
 * Training hooks. Stateful callbacks give a unique `name` and getState/setState so their state
 * (best value, patience counter) travels in checkpoints and survives a resume.
 */
export interface Callback {
  name?: string;
  /**
   * Run onEpochEnd after every other callback (checkpoint writers: the states they save must
   * include this epoch's updates of the others, e.g. early stopping's patience counter).
   */
  runLast?: boolean;
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(batch: number, logs: BatchLogs, ctx: TrainContext): void | Promise<void>;
  /** Return "stop" to end training after this epoch (early stopping, HPO pruning). */
  onEpochEnd?(epoch: number, logs: EpochLogs, ctx: TrainContext): CallbackResult;
  onTrainEnd?(history: EpochLogs[], ctx: TrainContext): void | Promise<void>;
  getState?(): unknown;
  setState?(state: unknown): void;
}

/** "min" for losses, "max" for scores; "auto" decides from the name (contains "loss" → min). */
export type MonitorMode = "min" | "max" | "auto";

export function resolveMode(monitor: string, mode: MonitorMode = "auto"): "min" | "max" {
  if (mode !== "auto") return mode;
  return /loss|error|mae|mse/i.test(monitor) ? "min" : "max";
}

/** Whether `value` improves on `best` by more than minDelta. */
export function improves(value: number, best: number | null, mode: "min" | "max", minDelta = 0): boolean {
  if (!Number.isFinite(value)) return false;
  if (best === null) return true;
  return mode === "min" ? value < best - minDelta : value > best + minDelta;
}

/** Reads a monitored value, with an error that lists what the logs do hold. */
export function monitoredValue(logs: EpochLogs, monitor: string, who: string): number {
  const v = logs[monitor];
  if (v === undefined) {
    throw new Error(`${who} monitors "${monitor}" but the epoch logs only have ${Object.keys(logs).join(", ")}; give fit a data.val or monitor a train metric such as "loss"`);
  }
  return v;
}
