/**
 * The one experiment runner: prepare → build model → fit → restore best → evaluate → write
 * artefacts, for any ExperimentTask. It owns the sequence, the checkpoint, early stopping and
 * the ONE fit call of the project's pipelines; tasks only say what differs. `evaluateTrained`
 * is the same evaluate + artefacts stages for a checkpoint on other data (no training).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data/types";
import type { Workspace } from "../runtime/workspace";
import { fit, FitResult } from "../train/trainer";
import { bestCheckpoint } from "../train/callbacks/best-checkpoint";
import { earlyStopping } from "../train/callbacks/early-stopping";
import { readCheckpoint, restoreModelWeights } from "../train/checkpoint";
import { historyLogger } from "../train/callbacks/history-writer";
import { lastCheckpoint } from "../train/callbacks/last-checkpoint";
import { configHash, decideResume } from "../train/resume";
import type { Callback } from "../train/types";
import { writeJsonAtomic } from "../util/atomic-write";
import { ExperimentRun, ExperimentTask, RunContext, TrainingData } from "./task";

export interface RunOptions {
  /** The run folder; default outputs/models/<run>. */
  outDir?: string;
  /** Extra callbacks after the runner's own (an HPO trial's per-epoch report hook may return "stop"). */
  callbacks?: Callback[];
  /** Start over even when the run folder holds a last/ checkpoint (the CLI's --restart). */
  restart?: boolean;
}

/** A rerun whose last/ checkpoint was written under another configuration. */
export class ResumeRefused extends Error {
  override name = "ResumeRefused";
}

/**
 * What the resume hash covers: the saved config without where the run folder is (a folder moved or
 * named by another --out still resumes; its contents decide, not its path).
 */
export function hashedConfig(saved: Record<string, unknown>): Record<string, unknown> {
  const { outDir: _where, ...rest } = saved;
  return rest;
}

export function runContext(ws: Workspace, ds: Dataset, run: string, outDir?: string): RunContext {
  return { ws, ds, seed: ws.config.seed, outDir: outDir ? path.resolve(outDir) : path.join(ws.paths.models, run) };
}

export async function runExperiment<D extends TrainingData, E>(
  ws: Workspace,
  ds: Dataset,
  task: ExperimentTask<D, E>,
  opts: RunOptions = {},
): Promise<ExperimentRun<D, E>> {
  const ctx = runContext(ws, ds, task.name, opts.outDir);
  fs.mkdirSync(ctx.outDir, { recursive: true });
  const data = task.prepare(ctx);
  const built = await task.buildModel(ctx, data);
  const plan = task.fitPlan(ctx, data);
  const bestDir = path.join(ctx.outDir, "best");
  const best = bestCheckpoint({ dir: bestDir, monitor: plan.monitor });
  // Resumable: last/ every epoch with the config's hash; a rerun with the same folder resumes, a
  // rerun with other settings is refused (--restart starts over).
  const hash = configHash(hashedConfig(task.savedConfig(ctx, data)));
  const decision = decideResume(ctx.outDir, hash, { restart: opts.restart });
  if (decision.action === "refuse") throw new ResumeRefused(`${decision.message} (from a notebook or script: pass { restart: true })`);
  if (decision.action === "resume" || decision.restarted) console.log(decision.message);
  const callbacks: Callback[] = [best];
  if (plan.patience) callbacks.push(earlyStopping({ monitor: plan.monitor, patience: plan.patience, restoreBestWeights: false }));
  callbacks.push(...(opts.callbacks ?? []), historyLogger({ dir: ctx.outDir }), lastCheckpoint({ dir: ctx.outDir, configHash: hash }));
  const t0 = Date.now();
  const fitted: FitResult = await fit(built.model, { train: data.train, val: data.val }, {
    epochs: plan.epochs,
    microBatchSize: plan.microBatchSize,
    optimizer: plan.optimizer,
    scheduler: plan.scheduler,
    loss: plan.loss,
    lossOptions: plan.lossOptions,
    classWeights: plan.classWeights,
    seed: ctx.seed,
    monitor: plan.monitor,
    callbacks,
    label: plan.label,
    ...(plan.valScore ? { valScore: plan.valScore } : {}),
    ...(decision.action === "resume" ? { resumeFrom: decision.from } : {}),
  });
  const trainSeconds = (Date.now() - t0) / 1000;
  // Evaluate the best epoch's weights, not the last epoch's.
  restoreModelWeights(built.model, readCheckpoint(bestDir));
  const evaluation = await task.evaluate(ctx, built.model, data);
  const artefacts = await task.writeArtefacts(ctx, evaluation, data);
  const files = { ...artefacts, checkpoint: bestDir, history: path.join(ctx.outDir, "history.csv") };
  const run: ExperimentRun<D, E> = {
    ctx,
    data,
    built,
    model: built.model,
    history: fitted.history,
    bestEpoch: best.state.bestEpoch,
    evaluation,
    files,
    seconds: { train: trainSeconds, perEpoch: fitted.timings.map((t) => t.seconds) },
    start: decision.action === "resume" ? { action: "resume", afterEpoch: decision.afterEpoch + 1, message: decision.message } : { action: "fresh", message: decision.message },
  };
  // config.json last: its presence marks a complete run folder (loadClassifier checks for it).
  writeJsonAtomic(path.join(ctx.outDir, "metrics.json"), task.metricsJson(run));
  writeJsonAtomic(path.join(ctx.outDir, "config.json"), task.savedConfig(ctx, data));
  return run;
}

/** Evaluate + artefacts of a trained model on data prepared by the task (cross-dataset, robustness). */
export async function evaluateTrained<D extends TrainingData, E>(
  ctx: RunContext,
  task: Pick<ExperimentTask<D, E>, "evaluate" | "writeArtefacts">,
  model: tf.LayersModel,
  data: D,
): Promise<{ evaluation: E; files: Record<string, string> }> {
  fs.mkdirSync(ctx.outDir, { recursive: true });
  const evaluation = await task.evaluate(ctx, model, data);
  const files = await task.writeArtefacts(ctx, evaluation, data);
  return { evaluation, files };
}
