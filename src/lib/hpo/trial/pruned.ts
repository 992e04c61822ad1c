/** Thrown by an objective (or the pruning callback's caller) to end a trial as PRUNED. */
export class TrialPruned extends Error {
  constructor(message = "trial pruned") {
    super(message);
    this.name = "TrialPruned";
  }
}
