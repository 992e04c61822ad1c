/**
 * Re-queueing a failed trial (Optuna's RetryFailedTrialCallback): the copy is a WAITING trial with
 * the same parameters and system attrs naming the trial it retries, so a chain of retries is
 * traceable and bounded by maxRetry.
 */
import { FrozenTrial } from "../trial/frozen";

export interface RetryPolicy {
  /** Retries per original trial (undefined = unlimited). */
  maxRetry?: number;
}

/** System attrs for the retry of `failed`, or null when its retries are used up. */
export function retryAttrs(failed: FrozenTrial, policy: RetryPolicy): Record<string, unknown> | null {
  const history = Array.isArray(failed.systemAttrs.retry_history) ? (failed.systemAttrs.retry_history as number[]) : [];
  if (policy.maxRetry !== undefined && history.length >= policy.maxRetry) return null;
  return { failed_trial: failed.number, retry_history: [...history, failed.number] };
}
