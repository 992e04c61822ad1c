/**
 * What checkpoint.json's `meta` holds for the trainer, and the type check a resume runs on it:
 * a hand-edited or damaged field (epoch "abc", seed missing) is refused with the file's name
 * instead of "resuming" into nonsense.
 */
import * as tf from "@tensorflow/tfjs";
import { CheckpointError } from "./checkpoint";
import { Task } from "./epoch-metrics";
import { OptimizerSpec } from "./optimizers/factory";
import { SchedulerSpec, SchedulerState } from "./schedulers";
import { EpochLogs } from "./types";

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
  /** getState() of every stateful callback, by callback name. */
  callbacks: Record<string, unknown>;
  /** RNG positions carried across epochs: training calls of each seeded dropout, by layer name. */
  streams?: { dropout: Record<string, number> };
  /** A callback had asked to stop (early stopping, pruning): a resume runs no more epochs. */
  stopped?: boolean;
  /** Hash of the run's configuration (lastCheckpoint), compared by decideResume. */
  configHash?: string;
}

const TASKS: readonly string[] = ["multiclass", "multilabel", "segmentation"];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Throws a CheckpointError naming `file` and the first field of the wrong type. */
export function checkTrainerMeta(meta: unknown, file: string): asserts meta is TrainerMeta {
  const fail = (field: string, want: string, got: unknown): never => {
    throw new CheckpointError(
      file,
      `checkpoint: ${file} field meta.${field} must be ${want}, got ${JSON.stringify(got)}; the file was edited or damaged — restore it, or start the run over (--restart)`,
    );
  };
  if (!isObject(meta)) return fail("", "an object", meta);
  const nonNegInt = (k: string) => {
    if (!Number.isInteger(meta[k]) || (meta[k] as number) < 0) fail(k, "a non-negative integer", meta[k]);
  };
  nonNegInt("epoch");
  nonNegInt("step");
  if (!Number.isInteger(meta.epochs) || (meta.epochs as number) < 1) fail("epochs", "an integer ≥ 1", meta.epochs);
  if ((meta.epoch as number) >= (meta.epochs as number)) fail("epoch", `below epochs (${meta.epochs})`, meta.epoch);
  if (!Number.isInteger(meta.seed)) fail("seed", "an integer", meta.seed);
  if (typeof meta.baseLr !== "number" || !Number.isFinite(meta.baseLr)) fail("baseLr", "a finite number", meta.baseLr);
  if (!TASKS.includes(meta.task as string)) fail("task", TASKS.join(" | "), meta.task);
  if (typeof meta.loss !== "string") fail("loss", "a string", meta.loss);
  if (!isObject(meta.scheduler) || !isObject(meta.scheduler.spec) || !isObject(meta.scheduler.state)) fail("scheduler", "{spec, state} objects", meta.scheduler);
  if (!isObject(meta.callbacks)) fail("callbacks", "an object", meta.callbacks);
  if (!Array.isArray(meta.history)) return fail("history", "an array", meta.history);
  if (meta.history.length !== (meta.epoch as number) + 1) fail("history", `an array of ${(meta.epoch as number) + 1} rows (epoch ${meta.epoch} is the last completed)`, `${meta.history.length} rows`);
  meta.history.forEach((row: unknown, i: number) => {
    if (!isObject(row) || row.epoch !== i || Object.values(row).some((v) => typeof v !== "number" && v !== null)) fail(`history[${i}]`, `a row of numbers with epoch ${i}`, row);
  });
  if (meta.streams !== undefined) {
    const streams = meta.streams;
    if (!isObject(streams) || !isObject(streams.dropout)) return fail("streams", "{dropout: {layer: calls}}", streams);
    for (const [name, calls] of Object.entries(streams.dropout)) {
      if (!Number.isInteger(calls) || (calls as number) < 0) fail(`streams.dropout.${name}`, "a non-negative integer", calls);
    }
  }
  if (meta.stopped !== undefined && typeof meta.stopped !== "boolean") fail("stopped", "a boolean", meta.stopped);
  if (meta.configHash !== undefined && typeof meta.configHash !== "string") fail("configHash", "a string", meta.configHash);
}
