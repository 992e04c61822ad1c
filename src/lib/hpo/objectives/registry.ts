/**
 * Objectives by name, as the `hpo` command and the worker tests pick them: "classifier" (the
 * write-up's search space, trained for real; see classifier-study.ts) and the cheap test functions
 * of benchmarks.ts (quadratic, branin, hartmann6), which optionally hold each trial for `delayMs`
 * so a test can kill a worker mid-trial.
 */
import type { StudyDirection } from "../trial/frozen";
import type { TrialLike } from "../trial/trial-like";
import { BENCHMARKS, benchmarkObjective } from "./benchmarks";

export const OBJECTIVE_NAMES = ["classifier", "quadratic", "branin", "hartmann6"] as const;
export type ObjectiveName = (typeof OBJECTIVE_NAMES)[number];

export const OBJECTIVE_DIRECTIONS: Record<ObjectiveName, StudyDirection> = {
  classifier: "maximize",
  quadratic: "minimize",
  branin: "minimize",
  hartmann6: "minimize",
};

export function isTestFunction(name: ObjectiveName): name is Exclude<ObjectiveName, "classifier"> {
  return name !== "classifier";
}

/**
 * A test function as an objective. With delayMs > 0 each trial reports step 0, waits until its
 * parameters are stored (shouldPrune flushes the writes), calls onHold, then waits delayMs.
 */
export function testFunctionObjective(name: Exclude<ObjectiveName, "classifier">, opts: { delayMs?: number; onHold?: (trial: TrialLike) => void } = {}) {
  const f = benchmarkObjective(BENCHMARKS[name]);
  const delay = opts.delayMs ?? 0;
  return async (trial: TrialLike): Promise<number> => {
    const value = f(trial);
    if (delay > 0) {
      trial.report(value, 0);
      await trial.shouldPrune();
      opts.onHold?.(trial);
      await new Promise((r) => setTimeout(r, delay));
    }
    return value;
  };
}
