/**
 * Saves a resumable checkpoint (atomic directory write) whenever the monitored metric improves.
 * Its best value travels in checkpoints, so a resumed run does not overwrite a better model, and
 * persists across fit calls (like Keras ModelCheckpoint): in two-stage training one instance
 * keeps the best of both stages.
 */
import { Callback, EpochLogs, MonitorMode, TrainContext, improves, monitoredValue, resolveMode } from "../types";

export interface BestCheckpointOptions {
  dir: string;
  monitor?: string;
  mode?: MonitorMode;
  minDelta?: number;
}

export interface BestCheckpointState {
  best: number | null;
  bestEpoch: number;
}

export interface BestCheckpointCallback extends Callback {
  readonly state: BestCheckpointState;
}

export function bestCheckpoint(options: BestCheckpointOptions): BestCheckpointCallback {
  const monitor = options.monitor ?? "val_loss";
  const mode = resolveMode(monitor, options.mode);
  const state: BestCheckpointState = { best: null, bestEpoch: -1 };
  return {
    name: `bestCheckpoint:${monitor}`,
    state,
    async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainContext) {
      const value = monitoredValue(logs, monitor, "bestCheckpoint");
      if (!improves(value, state.best, mode, options.minDelta ?? 0)) return;
      state.best = value;
      state.bestEpoch = epoch;
      await ctx.saveCheckpoint(options.dir);
    },
    getState: () => ({ ...state }),
    setState(s: unknown) {
      Object.assign(state, s as BestCheckpointState);
    },
  };
}
