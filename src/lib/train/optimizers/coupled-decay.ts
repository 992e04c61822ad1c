/**
 * Coupled (L2) weight decay shared by ScheduledAdam and ScheduledSGD, as torch.optim.Adam/SGD
 * apply it: g ← g + wd·p before the optimizer's own update. (AdamW decays decoupled, itself.)
 */
import * as tf from "@tensorflow/tfjs";
import { NamedTensor, engineVariable, gradientList } from "./types";

/** g + wd·p for every entry (new tensors; the caller disposes them). */
export function l2Gradients(grads: NamedTensor[], wd: number): NamedTensor[] {
  return grads.map(({ name, tensor }) => ({
    name,
    tensor: tensor == null ? tensor : tf.tidy(() => tf.add(tensor, tf.mul(engineVariable(name), wd))),
  }));
}

/** Calls `apply` (the base optimizer's applyGradients) on the gradients with L2 decay added. */
export function applyWithCoupledDecay(apply: (g: NamedTensor[]) => void, variableGradients: tf.NamedTensorMap | NamedTensor[], wd: number): void {
  const grads = gradientList(variableGradients);
  if (wd === 0) return apply(grads);
  const withDecay = l2Gradients(grads, wd);
  try {
    apply(withDecay);
  } finally {
    tf.dispose(withDecay.map((g) => g.tensor));
  }
}
