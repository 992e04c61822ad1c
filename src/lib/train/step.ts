/**
 * One optimizer step with gradient accumulation over micro-batches.
 *
 * A batch of N is split into micro-batches of at most `microBatchSize`; each micro-batch's loss
 * is scaled by its share of the batch normaliser (n_k / N, or Σw_y / Σw_y for weighted CE, see
 * losses/types.ts) and its gradients are summed; the optimizer is applied ONCE. Without
 * BatchNorm (whose batch statistics depend on the split) this equals a full-batch step up to
 * float rounding, while peak memory scales with the micro-batch.
 *
 * Everything runs inside tf.tidy: only the returned predictions survive (caller disposes).
 */
import * as tf from "@tensorflow/tfjs";
import { LossFn, batchSizeOf } from "../losses/types";
import { NamedTensor } from "./optimizers/types";

export interface StepOptions {
  loss: LossFn;
  /** Micro-batch size; default (or ≥ N) = the whole batch in one pass. */
  microBatchSize?: number;
  /** Keep the training-mode predictions [N, ...] for train metrics (caller disposes). */
  returnPredictions?: boolean;
  /** Forward in training mode (dropout, BatchNorm batch statistics); default true. */
  training?: boolean;
}

export interface StepResult {
  /** Loss of the whole batch (normaliser-weighted over micro-batches), incl. regularisers. */
  loss: number;
  predictions?: tf.Tensor;
}

export interface GradientResult {
  loss: tf.Scalar;
  /** Gradients in model.trainableWeights order (variables without a gradient get zeros). */
  grads: NamedTensor[];
  predictions?: tf.Tensor;
}

/** The model's trainable variables, in a fixed order (optimizer slots are keyed by this order). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function forward(model: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  const out = model.apply(x, { training });
  if (Array.isArray(out)) throw new Error(`trainStep: model "${model.name}" has ${out.length} outputs; the trainer supports single-output models`);
  return out as tf.Tensor;
}

/** Micro-batch boundaries [start, size] covering 0..n-1. */
export function microBatches(n: number, microBatchSize?: number): [number, number][] {
  const m = microBatchSize && microBatchSize > 0 ? Math.min(microBatchSize, n) : n;
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += m) out.push([s, Math.min(m, n - s)]);
  return out;
}

/**
 * Loss and summed gradients of one batch, accumulated over micro-batches. Not tidied by itself:
 * call inside tf.tidy (trainStep does) or dispose the result.
 */
export function accumulateGradients(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, options: StepOptions): GradientResult {
  const n = x.shape[0];
  if (y.shape[0] !== n) throw new Error(`trainStep: x has ${n} samples but y has ${y.shape[0]}; a batch's x and y must align`);
  if (n === 0) throw new Error("trainStep: empty batch");
  const vars = trainableVariables(model);
  if (vars.length === 0) throw new Error(`trainStep: model "${model.name}" has no trainable weights (all layers frozen?)`);
  const training = options.training ?? true;
  const normalizer = options.loss.normalizer ?? batchSizeOf;
  const parts = microBatches(n, options.microBatchSize).map(([start, size]) => {
    const xs = parts1(x, start, size, n);
    const ys = parts1(y, start, size, n);
    return { xs, ys, weight: normalizer(ys) };
  });
  const total = parts.reduce((a, p) => a + p.weight, 0);
  if (!(total > 0)) throw new Error(`trainStep: the batch normaliser is ${total} (all class weights 0 for this batch?)`);
  let acc: tf.Tensor[] | null = null;
  let lossSum: tf.Scalar | null = null;
  const preds: tf.Tensor[] = [];
  for (const part of parts) {
    const share = part.weight / total;
    let pred: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const p = forward(model, part.xs, training);
      let l = options.loss(part.ys, p);
      const reg = model.calculateLosses();
      if (reg.length) l = tf.add(l, tf.addN(reg)) as tf.Scalar;
      pred = tf.keep(p); // only once the loss succeeded, so an error leaks nothing
      return tf.mul(l, share) as tf.Scalar;
    }, vars);
    if (options.returnPredictions && pred) preds.push(pred);
    else if (pred) (pred as tf.Tensor).dispose();
    const g = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
    if (acc === null) acc = g;
    else {
      const prev: tf.Tensor[] = acc;
      acc = prev.map((a, j) => tf.add(a, g[j]));
      tf.dispose(prev);
      tf.dispose(g);
    }
    const prevLoss: tf.Scalar | null = lossSum;
    lossSum = prevLoss ? (tf.add(prevLoss, value) as tf.Scalar) : value;
    if (prevLoss) {
      prevLoss.dispose();
      value.dispose();
    }
  }
  let predictions: tf.Tensor | undefined;
  if (options.returnPredictions) {
    // The parts were tf.keep()-ed (to escape variableGrads' scope): dispose them explicitly.
    predictions = preds.length === 1 ? preds[0] : tf.concat(preds, 0);
    if (preds.length > 1) tf.dispose(preds);
  }
  return {
    loss: lossSum as tf.Scalar,
    grads: vars.map((v, j) => ({ name: v.name, tensor: (acc as tf.Tensor[])[j] })),
    ...(predictions ? { predictions } : {}),
  };
}

function parts1(t: tf.Tensor, start: number, size: number, n: number): tf.Tensor {
  if (start === 0 && size === n) return t;
  const begin = t.shape.map((_, i) => (i === 0 ? start : 0));
  const sz = t.shape.map((d, i) => (i === 0 ? size : d));
  return tf.slice(t, begin, sz);
}

/** One training step: accumulate gradients over micro-batches, apply them once. */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor, y: tf.Tensor, options: StepOptions): StepResult {
  const out = tf.tidy(() => {
    const r = accumulateGradients(model, x, y, options);
    optimizer.applyGradients(r.grads);
    return r.predictions ? { loss: r.loss, predictions: r.predictions } : { loss: r.loss };
  });
  const loss = out.loss.dataSync()[0];
  out.loss.dispose();
  return out.predictions ? { loss, predictions: out.predictions as tf.Tensor } : { loss };
}
