/** Pruners decide, from reported intermediate values, whether a running trial should stop early. */
import { FrozenTrial, StudyDirection } from "../trial/frozen";

export interface PrunerContext {
  directions: StudyDirection[];
  /** Fresh read of the study's trials (all states). */
  trials: FrozenTrial[];
  /** The asking trial, with its intermediate values so far. */
  trial: FrozenTrial;
  /** Persists a system attribute of the asking trial (ASHA records rung values). */
  setSystemAttr(key: string, value: unknown): Promise<void>;
}

export interface Pruner {
  readonly name: string;
  prune(ctx: PrunerContext): Promise<boolean>;
}

export class NopPruner implements Pruner {
  readonly name = "nop";
  async prune(): Promise<boolean> {
    return false;
  }
}
