/**
 * Worker liveness (Optuna's heartbeat_interval / grace_period / RetryFailedTrialCallback): a running
 * trial's heartbeat column is refreshed every intervalS; before a worker starts a trial it marks
 * FAIL every RUNNING trial silent for longer than graceS (its worker died) and, with `retry`,
 * re-queues a WAITING copy with the same parameters. Both happen in one storage transaction.
 */
import { RetryPolicy } from "../storage/retry";
import { Storage } from "../storage/types";

export interface HeartbeatOptions {
  intervalS: number;
  /** Default: 2 × intervalS (Optuna's default grace is 2 × the interval as well). */
  graceS?: number;
  /** Re-queue trials failed for a missing heartbeat; false/undefined = just mark them FAIL. */
  retry?: RetryPolicy | false;
}

export interface Beat {
  stop(): Promise<void>;
}

/** Starts beating for a trial: one write now, then every intervalS (the timer does not hold the process). */
export async function startHeartbeat(storage: Storage, trialId: number, intervalS: number): Promise<Beat> {
  await storage.heartbeat(trialId);
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    // A failed beat is not fatal: a missed one only risks the trial being failed as stale.
    inFlight = inFlight.then(() => storage.heartbeat(trialId)).catch(() => undefined);
  }, intervalS * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}

export function graceMs(opts: HeartbeatOptions): number {
  return 1000 * (opts.graceS ?? 2 * opts.intervalS);
}

export async function failStale(storage: Storage, studyId: number, opts: HeartbeatOptions | undefined) {
  if (!opts) return [];
  return storage.failStaleTrials(studyId, graceMs(opts), opts.retry || undefined);
}
