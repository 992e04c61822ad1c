/**
 * Early stopping: stop when the monitored metric has not improved by more than `minDelta` for
 * `patience` epochs; optionally restore the best weights at the end (in-memory copies, kept
 * outside tidy and disposed when done). After a resume the in-memory best weights of the first
 * run are gone: the restore then only covers epochs after the resume (pair with bestCheckpoint
 * for a durable best model).
 */
import * as tf from "@tensorflow/tfjs";
import { Callback, EpochLogs, MonitorMode, TrainContext, improves, monitoredValue, resolveMode } from "../types";

export interface EarlyStoppingOptions {
  monitor?: string;
  mode?: MonitorMode;
  patience?: number;
  minDelta?: number;
  restoreBestWeights?: boolean;
}

export interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number;
  wait: number;
  stoppedEpoch: number;
  restored: boolean;
}

export interface EarlyStoppingCallback extends Callback {
  readonly state: EarlyStoppingState;
}

export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStoppingCallback {
  const monitor = options.monitor ?? "val_loss";
  const mode = resolveMode(monitor, options.mode);
  const patience = options.patience ?? 5;
  const state: EarlyStoppingState = { best: null, bestEpoch: -1, wait: 0, stoppedEpoch: -1, restored: false };
  let bestWeights: tf.Tensor[] | null = null;
  let resumed = false;
  const dropWeights = () => {
    if (bestWeights) tf.dispose(bestWeights);
    bestWeights = null;
  };
  return {
    name: `earlyStopping:${monitor}`,
    state,
    onTrainBegin() {
      // A new fit starts from scratch (Keras semantics), unless setState just restored a resume.
      if (!resumed) Object.assign(state, { best: null, bestEpoch: -1, wait: 0, stoppedEpoch: -1 });
      resumed = false;
      state.restored = false;
    },
    onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainContext) {
      const value = monitoredValue(logs, monitor, "earlyStopping");
      if (improves(value, state.best, mode, options.minDelta ?? 0)) {
        state.best = value;
        state.bestEpoch = epoch;
        state.wait = 0;
        if (options.restoreBestWeights) {
          dropWeights();
          bestWeights = ctx.model.getWeights().map((w) => tf.keep(w.clone()));
        }
        return;
      }
      state.wait += 1;
      if (state.wait >= patience) {
        state.stoppedEpoch = epoch;
        return "stop";
      }
    },
    onTrainEnd(_history: EpochLogs[], ctx: TrainContext) {
      if (options.restoreBestWeights && bestWeights) {
        ctx.model.setWeights(bestWeights);
        state.restored = true;
      }
      dropWeights();
    },
    getState: () => ({ best: state.best, bestEpoch: state.bestEpoch, wait: state.wait, stoppedEpoch: state.stoppedEpoch }),
    setState(s: unknown) {
      Object.assign(state, s as Partial<EarlyStoppingState>);
      resumed = true;
    },
  };
}
