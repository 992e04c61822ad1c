/**
 * Categorical cross-entropy with PyTorch semantics (torch.nn.functional.cross_entropy):
 *   weighted mean:   L = Σ_i w_{y_i} · nll_i / Σ_i w_{y_i}
 *   label smoothing: L = (1 − ε) · L_nll + (ε / C) · Σ_i Σ_c w_c · (−log p_ic) / Σ_i w_{y_i}
 * (the smoothing term is normalised by the same Σ w_{y_i}, exactly as ATen does).
 *
 * Shapes: yTrue one-hot [N, C] (or [N, H, W, C] masks, every pixel a sample); yPred the same
 * shape, softmax probabilities (default) or logits (`fromLogits: true`). yTrue is read through
 * argmax, so it must be hard one-hot labels.
 */
import * as tf from "@tensorflow/tfjs";
import { PROB_EPSILON, LossFn, checkPerClass, checkSameShape, defineLoss } from "./types";

export interface CrossEntropyOptions {
  /** yPred are logits (log-softmax is applied) rather than probabilities. */
  fromLogits?: boolean;
  /** Per-class weights w_c (length C), PyTorch `weight`. */
  classWeights?: readonly number[];
  /** ε in [0, 1), PyTorch `label_smoothing`. */
  labelSmoothing?: number;
  /** Clip for probabilities before log (default 1e-7). */
  epsilon?: number;
}

/** Flattens [..., C] to [M, C] and returns log-probabilities and the one-hot targets. */
function prepare(yTrue: tf.Tensor, yPred: tf.Tensor, o: CrossEntropyOptions): { logp: tf.Tensor2D; onehot: tf.Tensor2D; C: number } {
  const C = yPred.shape[yPred.shape.length - 1];
  const pred2 = yPred.reshape([-1, C]) as tf.Tensor2D;
  const logp = o.fromLogits ? tf.logSoftmax(pred2) : tf.log(tf.clipByValue(pred2, o.epsilon ?? PROB_EPSILON, 1));
  const onehot = tf.oneHot(tf.argMax(yTrue.reshape([-1, C]), 1), C).toFloat() as tf.Tensor2D;
  return { logp: logp as tf.Tensor2D, onehot, C };
}

/** Σ_i w_{y_i}: the PyTorch normaliser of this batch (the sample count without weights). */
export function crossEntropyNormalizer(yTrue: tf.Tensor, classWeights?: readonly number[]): number {
  const C = yTrue.shape[yTrue.shape.length - 1];
  const rows = yTrue.size / C;
  if (!classWeights) return rows;
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.argMax(yTrue.reshape([-1, C]), 1), C).toFloat();
    return tf.sum(tf.mul(onehot, tf.tensor1d(classWeights as number[]))).dataSync()[0];
  });
}

export function crossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor, options: CrossEntropyOptions = {}): tf.Scalar {
  checkSameShape("crossEntropy", yTrue, yPred);
  const ls = options.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls < 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1), got ${ls}`);
  return tf.tidy(() => {
    const { logp, onehot, C } = prepare(yTrue, yPred, options);
    checkPerClass("crossEntropy", "classWeights", options.classWeights, C);
    const w = options.classWeights ? tf.tensor1d(options.classWeights as number[]) : tf.ones([C]);
    const wy = tf.sum(tf.mul(onehot, w), 1); // [M]
    const nll = tf.neg(tf.sum(tf.mul(onehot, logp), 1)); // [M]
    const denom = tf.sum(wy);
    const nllLoss = tf.div(tf.sum(tf.mul(wy, nll)), denom);
    if (ls === 0) return nllLoss as tf.Scalar;
    const smooth = tf.neg(tf.sum(tf.mul(logp, w), 1)); // [M]
    const smoothLoss = tf.div(tf.sum(smooth), denom);
    return tf.add(tf.mul(nllLoss, 1 - ls), tf.mul(smoothLoss, ls / C)) as tf.Scalar;
  });
}

/** Cross-entropy as a LossFn carrying its weighted normaliser (exact gradient accumulation). */
export function crossEntropyLoss(options: CrossEntropyOptions = {}): LossFn {
  return defineLoss("cross-entropy", (t, p) => crossEntropy(t, p, options), {
    normalizer: (t) => crossEntropyNormalizer(t, options.classWeights),
    fromLogits: options.fromLogits,
  });
}
