/**
 * What the cross-dataset test asks of a trained classifier: probabilities (optionally with flip
 * TTA), penultimate-layer embeddings, and AdaBN (Li et al. 2016): every BatchNorm layer's moving
 * mean and variance re-estimated on the TARGET images — no labels, no gradient, nothing else
 * changes. Layers are adapted in order (layer k sees layers < k already adapted), each with the
 * population statistics (mean and biased variance over all images and positions), not a momentum
 * average, so the result does not depend on the batch size or order.
 */
import * as tf from "@tensorflow/tfjs";
import type { ImageData32 } from "../data/types";

function stack(images: readonly ImageData32[]): tf.Tensor4D {
  const [H, W, C] = [images[0].height, images[0].width, images[0].channels];
  const flat = new Float32Array(images.length * H * W * C);
  images.forEach((im, i) => flat.set(im.data, i * H * W * C));
  return tf.tensor4d(flat, [images.length, H, W, C]);
}

/** Probabilities [N][K]; `tta`: the mean over the image and its horizontal and vertical flips. */
export function predictProbs(model: tf.LayersModel, images: readonly ImageData32[], tta = false, batchSize = 32): number[][] {
  const out: number[][] = [];
  for (let b = 0; b < images.length; b += batchSize) {
    const p = tf.tidy(() => {
      const x = stack(images.slice(b, b + batchSize));
      let y = model.predict(x) as tf.Tensor;
      if (tta) y = y.add(model.predict(tf.reverse(x, 2)) as tf.Tensor).add(model.predict(tf.reverse(x, 1)) as tf.Tensor).div(3);
      return y.arraySync() as number[][];
    });
    out.push(...p);
  }
  return out;
}

/** The layer whose output feeds the final dense layer (the head's `head_predictions`). */
function penultimateTensor(model: tf.LayersModel): tf.SymbolicTensor {
  const last = model.layers.find((l) => l.name === "head_predictions") ?? model.layers[model.layers.length - 1];
  const input = last.input;
  return (Array.isArray(input) ? input[0] : input) as tf.SymbolicTensor;
}

/** Penultimate-layer embeddings [N][D] (the input of the final softmax layer, inference mode). */
export function embeddings(model: tf.LayersModel, images: readonly ImageData32[], batchSize = 32): number[][] {
  const sub = tf.model({ inputs: model.inputs, outputs: penultimateTensor(model) });
  const out: number[][] = [];
  for (let b = 0; b < images.length; b += batchSize) {
    out.push(...tf.tidy(() => (sub.predict(stack(images.slice(b, b + batchSize))) as tf.Tensor).reshape([-1, sub.outputs[0].shape.slice(1).reduce((a: number, c) => a * (c ?? 1), 1)]).arraySync() as number[][]));
  }
  return out;
}

function isBatchNorm(l: tf.layers.Layer): boolean {
  return l.getClassName() === "BatchNormalization";
}

/** Index of each moving statistic in a BN layer's weight list. */
function movingIndices(l: tf.layers.Layer): { mean: number; variance: number } {
  const names = l.weights.map((w) => w.originalName ?? w.name);
  const mean = names.findIndex((n) => /moving_mean/.test(n));
  const variance = names.findIndex((n) => /moving_variance/.test(n));
  if (mean < 0 || variance < 0) throw new Error(`cross-dataset: BatchNorm layer ${l.name} has no moving statistics (${names.join(", ")})`);
  return { mean, variance };
}

/** The BN moving statistics, copied (to restore after an AdaBN row). */
export interface BnSnapshot {
  layers: { name: string; weights: tf.Tensor[] }[];
}

export function snapshotBatchNorm(model: tf.LayersModel): BnSnapshot {
  return { layers: model.layers.filter(isBatchNorm).map((l) => ({ name: l.name, weights: l.getWeights().map((w) => w.clone()) })) };
}

/** Puts the snapshot back and frees it. */
export function restoreBatchNorm(model: tf.LayersModel, s: BnSnapshot): void {
  for (const { name, weights } of s.layers) {
    model.getLayer(name).setWeights(weights);
    weights.forEach((w) => w.dispose());
  }
}

/** AdaBN on `images` (model inputs); returns the adapted layer names. Only the moving statistics change. */
export function adaptBatchNorm(model: tf.LayersModel, images: readonly ImageData32[], batchSize = 32): string[] {
  if (images.length === 0) throw new Error("cross-dataset: AdaBN needs at least one target image");
  const adapted: string[] = [];
  for (const layer of model.layers.filter(isBatchNorm)) {
    const input = (Array.isArray(layer.input) ? layer.input[0] : layer.input) as tf.SymbolicTensor;
    const sub = tf.model({ inputs: model.inputs, outputs: input });
    const C = input.shape[input.shape.length - 1] as number;
    // Per batch: tf.moments (two-pass, no E[x²] − E[x]² cancellation); batches merged in float64 (Chan et al.).
    const mean64 = new Float64Array(C);
    const m2 = new Float64Array(C);
    let count = 0;
    const positions = (input.shape.slice(1, -1) as number[]).reduce((x, y) => x * y, 1);
    for (let b = 0; b < images.length; b += batchSize) {
      const [mt, vt] = tf.tidy(() => {
        const a = (sub.predict(stack(images.slice(b, b + batchSize))) as tf.Tensor).reshape([-1, C]);
        const { mean, variance } = tf.moments(a, 0);
        return [mean, variance];
      });
      const bm = mt.dataSync();
      const bv = vt.dataSync();
      mt.dispose();
      vt.dispose();
      const n = Math.min(batchSize, images.length - b) * positions;
      const total = count + n;
      for (let c = 0; c < C; c++) {
        const delta = bm[c] - mean64[c];
        mean64[c] += (delta * n) / total;
        m2[c] += bv[c] * n + (delta * delta * count * n) / total;
      }
      count = total;
    }
    const mean = Float32Array.from(mean64);
    const variance = Float32Array.from(m2, (v) => v / count);
    const { mean: mi, variance: vi } = movingIndices(layer);
    // getWeights() hands out the live variables (not copies): never dispose them.
    const w = layer.getWeights();
    const fresh = [tf.tensor1d(mean), tf.tensor1d(variance)];
    layer.setWeights(w.map((t, i) => (i === mi ? fresh[0] : i === vi ? fresh[1] : t)));
    fresh.forEach((t) => t.dispose());
    adapted.push(layer.name);
  }
  return adapted;
}
