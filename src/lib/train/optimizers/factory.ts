/**
 * Optimizers by name: createOptimizer("adamw", {lr: 1e-3, weightDecay: 1e-2}). Every optimizer
 * returned has setLearningRate/getLearningRate so a scheduler can drive it per step.
 */
import { ScheduledAdam } from "./adam";
import { AdamW } from "./adamw";
import { ScheduledSGD } from "./sgd";
import { ScheduledOptimizer } from "./types";

export type OptimizerName = "adamw" | "adam" | "sgd";
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ["adamw", "adam", "sgd"];

export interface OptimizerOptions {
  lr: number;
  /** adamw: decoupled (default 0.01); adam, sgd: coupled L2 (default 0). */
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  /** Adam(W) ε, default 1e-8 (PyTorch). */
  epsilon?: number;
  /** sgd: default 0.9. */
  momentum?: number;
  nesterov?: boolean;
}

/** A serialisable description of an optimizer: what checkpoints store. */
export interface OptimizerSpec extends OptimizerOptions {
  name: OptimizerName;
}

export function createOptimizer(name: OptimizerName | string, options: OptimizerOptions): ScheduledOptimizer {
  const lr = options.lr;
  if (!Number.isFinite(lr) || lr < 0) throw new Error(`createOptimizer("${name}"): lr must be a finite number ≥ 0, got ${lr}`);
  switch (name.toLowerCase()) {
    case "adamw":
      return new AdamW(lr, options.weightDecay ?? 0.01, options.beta1 ?? 0.9, options.beta2 ?? 0.999, options.epsilon ?? 1e-8);
    case "adam":
      return new ScheduledAdam(lr, options.beta1 ?? 0.9, options.beta2 ?? 0.999, options.epsilon ?? 1e-8, options.weightDecay ?? 0);
    case "sgd":
      return new ScheduledSGD(lr, options.momentum ?? 0.9, options.nesterov ?? false, options.weightDecay ?? 0);
    default:
      throw new Error(`unknown optimizer "${name}"; use one of ${OPTIMIZER_NAMES.join(", ")}`);
  }
}

/** createOptimizer from a spec object. */
export const optimizerFromSpec = (spec: OptimizerSpec): ScheduledOptimizer => createOptimizer(spec.name, spec);
