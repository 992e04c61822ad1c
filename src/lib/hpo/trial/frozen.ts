/** A trial as stored: what samplers, pruners, tables and plots read. */
import { Distribution, ParamValue, toExternal } from "../distributions";

export type TrialState = "RUNNING" | "COMPLETE" | "PRUNED" | "FAIL" | "WAITING";
export const FINISHED_STATES: readonly TrialState[] = ["COMPLETE", "PRUNED", "FAIL"];

export type StudyDirection = "minimize" | "maximize";

export interface FrozenTrial {
  trialId: number;
  /** 0-based, consecutive within a study. */
  number: number;
  state: TrialState;
  /** One value per study direction; null until COMPLETE. */
  values: number[] | null;
  /** Internal (numeric) parameter values; see distributions.ts. */
  params: Record<string, number>;
  distributions: Record<string, Distribution>;
  /** step → reported value. */
  intermediate: Map<number, number>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  /** Milliseconds since the epoch. */
  start: number | null;
  complete: number | null;
  heartbeat: number | null;
}

export function externalParams(t: FrozenTrial): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(t.params)) out[k] = toExternal(t.distributions[k], v);
  return out;
}

export function lastStep(t: FrozenTrial): number | null {
  let last: number | null = null;
  for (const s of t.intermediate.keys()) if (last === null || s > last) last = s;
  return last;
}
