/**
 * Trainer callback that prunes (Optuna's integration callbacks, e.g. PyTorchLightningPruningCallback):
 * after every epoch it reports the monitored value at step = epoch and stops the fit when the
 * study's pruner says so. The objective then calls `throwIfPruned()` so the trial ends PRUNED.
 */
import { Callback, EpochLogs, monitoredValue } from "../../train/types";
import { TrialLike } from "../trial/trial-like";
import { TrialPruned } from "../trial/pruned";

export interface PruningCallback extends Callback {
  /** The epoch at which the fit was stopped, or null. */
  readonly prunedAt: number | null;
  /** Epochs reported so far (0 when the trainer never called the callback). */
  readonly reported: number;
  /** Throws TrialPruned when the fit was stopped by pruning. */
  throwIfPruned(): void;
}

export function pruningCallback(trial: TrialLike, monitor: string): PruningCallback {
  let prunedAt: number | null = null;
  let reported = 0;
  return {
    name: "hpo-pruning",
    get prunedAt() {
      return prunedAt;
    },
    get reported() {
      return reported;
    },
    async onEpochEnd(epoch: number, logs: EpochLogs): Promise<"stop" | void> {
      reported++;
      trial.report(monitoredValue(logs, monitor, "pruningCallback"), epoch);
      if (await trial.shouldPrune()) {
        prunedAt = epoch;
        return "stop" as const;
      }
      return undefined;
    },
    throwIfPruned() {
      if (prunedAt !== null) throw new TrialPruned(`trial ${trial.number} pruned at epoch ${prunedAt} (${monitor})`);
    },
  };
}
