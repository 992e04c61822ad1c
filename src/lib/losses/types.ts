/**
 * The loss contract shared by the trainer and gradient accumulation.
 *
 * A loss maps (yTrue, yPred) to a scalar that is a normalised sum over samples (or pixels):
 * loss = Σ_i l_i / Σ_i n_i. `normalizer(yTrue)` returns this batch's Σ n_i (batch size for a
 * plain mean, Σ w_y for class-weighted cross-entropy), so a batch split into micro-batches can be
 * recombined exactly: L = Σ_k (n_k / N) L_k.
 */
import * as tf from "@tensorflow/tfjs";

export interface LossFn {
  (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar;
  /** Name for logs and checkpoints. */
  lossName?: string;
  /** This batch's normaliser (default: the batch size). Read synchronously; small tensors only. */
  normalizer?: (yTrue: tf.Tensor) => number;
  /** True when yPred is expected to be logits (metrics then threshold at 0 instead of 0.5). */
  fromLogits?: boolean;
}

/** Attaches name / normaliser / logits flag to a plain function. */
export function defineLoss(
  name: string,
  fn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar,
  extra: { normalizer?: (yTrue: tf.Tensor) => number; fromLogits?: boolean } = {},
): LossFn {
  const f = fn as LossFn;
  f.lossName = name;
  if (extra.normalizer) f.normalizer = extra.normalizer;
  f.fromLogits = extra.fromLogits ?? false;
  return f;
}

/** Batch size: the normaliser of every per-sample mean. */
export const batchSizeOf = (yTrue: tf.Tensor): number => yTrue.shape[0];

/** Throws a readable error when yTrue and yPred disagree, instead of a broadcast error deep in tfjs. */
export function checkSameShape(name: string, yTrue: tf.Tensor, yPred: tf.Tensor): void {
  const a = yTrue.shape;
  const b = yPred.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(`${name}: yTrue shape [${a.join(", ")}] does not match yPred shape [${b.join(", ")}]; labels must be one-hot/multi-hot with the model's output shape`);
  }
}

/** Per-class vector check (class weights, posWeight, alpha). */
export function checkPerClass(name: string, what: string, values: readonly number[] | undefined, classes: number): void {
  if (values === undefined) return;
  if (values.length !== classes) {
    throw new Error(`${name}: ${what} has ${values.length} entries but the output has ${classes} classes (last axis)`);
  }
  values.forEach((v, i) => {
    if (!Number.isFinite(v) || v < 0) throw new Error(`${name}: ${what}[${i}] = ${v} must be a finite number ≥ 0`);
  });
}

/** Default clip for log of probabilities (float32-safe). */
export const PROB_EPSILON = 1e-7;
