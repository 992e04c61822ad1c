/** Tiny seeded models and data for the trainer tests (cpu backend, milliseconds per step). */
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../src/lib/util/rng";

export interface TinyModelOptions {
  conv?: boolean;
  classes?: number;
  activation?: "softmax" | "sigmoid" | "linear";
  inputShape?: [number, number, number];
  hidden?: number;
}

/** A small Dense (optionally Conv) classifier with seeded initialisers: same seed → same weights. */
export function tinyModel(seed: number, o: TinyModelOptions = {}): tf.LayersModel {
  const rng = createRng(seed, "tiny-model");
  const init = () => tf.initializers.glorotUniform({ seed: rng.seed32() });
  const m = tf.sequential();
  const inputShape = o.inputShape ?? [4, 4, 1];
  if (o.conv) {
    m.add(tf.layers.conv2d({ inputShape, filters: 3, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init() }));
    m.add(tf.layers.flatten());
  } else {
    m.add(tf.layers.flatten({ inputShape }));
  }
  m.add(tf.layers.dense({ units: o.hidden ?? 8, activation: "relu", kernelInitializer: init() }));
  m.add(tf.layers.dense({ units: o.classes ?? 3, activation: o.activation ?? "softmax", kernelInitializer: init() }));
  return m;
}

/** N samples [N, 4, 4, 1] whose class is the argmax of three fixed pixel sums (learnable). */
export function tinyData(seed: number, n: number, classes = 3): { x: tf.Tensor4D; y: tf.Tensor2D; labels: number[] } {
  const rng = createRng(seed, "tiny-data");
  const xs: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const img = Array.from({ length: 16 }, () => rng.normal(0, 1));
    const scores = Array.from({ length: classes }, (_, c) => img[c * 3] + img[c * 3 + 1] + img[c * 3 + 2]);
    labels.push(scores.indexOf(Math.max(...scores)));
    xs.push(...img);
  }
  const x = tf.tensor4d(xs, [n, 4, 4, 1]);
  const y = tf.oneHot(tf.tensor1d(labels, "int32"), classes).toFloat() as tf.Tensor2D;
  return { x, y, labels };
}

export async function weightsOf(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

export function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((arr, i) => arr.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}
