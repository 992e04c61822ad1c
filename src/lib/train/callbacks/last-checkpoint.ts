/**
 * lastCheckpoint({dir, configHash}): after every epoch, saves <dir>/last — model, optimizer
 * slots, epoch, step, scheduler state, history, every callback's state, the stop flag and the
 * run config's hash (train/resume.ts decideResume compares it). Runs after the other callbacks
 * so their states for this epoch are in it. No RNG position is saved: every random order in
 * training is a function of (seed, epoch). An interrupt or crash mid-epoch writes nothing, so
 * last/ always holds the last COMPLETED epoch.
 */
import * as path from "path";
import { Callback, TrainContext } from "../types";

export const LAST_DIR = "last";

export interface LastCheckpointOptions {
  /** The run folder; the checkpoint goes to <dir>/last. */
  dir: string;
  /** configHash(runConfig) from train/resume.ts; stored so a resume with other settings is refused. */
  configHash?: string;
}

export interface LastCheckpointCallback extends Callback {
  /** <dir>/last */
  readonly path: string;
}

export function lastCheckpoint(options: LastCheckpointOptions): LastCheckpointCallback {
  const target = path.join(options.dir, LAST_DIR);
  return {
    name: `lastCheckpoint:${target}`,
    path: target,
    runLast: true,
    async onEpochEnd(_epoch: number, _logs, ctx: TrainContext) {
      await ctx.saveCheckpoint(target, options.configHash !== undefined ? { configHash: options.configHash } : {});
    },
  };
}
