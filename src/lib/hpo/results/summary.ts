/**
 * A study at a glance — what `hpo show` prints and the `hpo` run record holds: trial counts by
 * state, the best trial, and whether the numbers are consecutive (a lost or duplicated trial shows).
 * The storage is named by its redacted description, never its URL.
 */
import { FrozenTrial, StudyDirection, TrialState, externalParams } from "../trial/frozen";
import { ParamValue } from "../distributions";

export interface StudySummary {
  study: string;
  storage: string;
  direction: StudyDirection;
  trials: number;
  states: Record<TrialState, number>;
  consecutiveNumbers: boolean;
  best: { number: number; value: number; params: Record<string, ParamValue> } | null;
}

export function summarizeStudy(name: string, storage: string, direction: StudyDirection, trials: FrozenTrial[]): StudySummary {
  const states: Record<TrialState, number> = { RUNNING: 0, COMPLETE: 0, PRUNED: 0, FAIL: 0, WAITING: 0 };
  for (const t of trials) states[t.state]++;
  const numbers = trials.map((t) => t.number).sort((a, b) => a - b);
  const sign = direction === "minimize" ? 1 : -1;
  let best: FrozenTrial | undefined;
  for (const t of trials) if (t.state === "COMPLETE" && t.values && (!best || sign * t.values[0] < sign * best.values![0])) best = t;
  return {
    study: name,
    storage,
    direction,
    trials: trials.length,
    states,
    consecutiveNumbers: numbers.every((n, i) => n === i),
    best: best ? { number: best.number, value: best.values![0], params: externalParams(best) } : null,
  };
}
