/**
 * Writes small Keras 2 `.h5` weight files with h5wasm (root attribute layer_names, per-layer
 * weight_names, datasets at /<layer>/<layer>/<w>:0), for the weight-loading tests.
 */
import * as tf from "@tensorflow/tfjs";
import { loadH5wasm, type H5Group } from "../../src/lib/models/keras-h5";

export interface LayerSpec {
  name: string;
  weights: { name: string; shape: number[]; data: Float32Array }[];
}

/** Writes `layers` in the Keras 2 save_weights layout; under /model_weights when `full`. */
export async function writeKerasH5(file: string, layers: LayerSpec[], full = false): Promise<void> {
  const h5 = await loadH5wasm();
  const f = new h5.File(file, "w");
  try {
    const root: H5Group = full ? f.create_group("model_weights") : f;
    root.create_attribute("layer_names", layers.map((l) => l.name), null, "S64");
    root.create_attribute("backend", "tensorflow");
    for (const l of layers) {
      const g = root.create_group(l.name);
      g.create_attribute("weight_names", l.weights.map((w) => `${l.name}/${w.name}:0`), null, "S128");
      if (l.weights.length === 0) continue;
      const inner = g.create_group(l.name);
      for (const w of l.weights) inner.create_dataset({ name: `${w.name}:0`, data: w.data, shape: w.shape, dtype: "<f" });
    }
  } finally {
    f.close();
  }
}

/** Every weighted layer of `model` in the Keras layout (values as they are now). */
export function layersOf(model: tf.LayersModel, keep: (layerName: string) => boolean = () => true): LayerSpec[] {
  return model.layers
    .filter((l) => keep(l.name))
    .map((l) => ({
      name: l.name,
      weights: l.weights.map((w) => ({
        name: w.originalName.split("/").pop() as string,
        shape: w.shape as number[],
        data: w.read().dataSync() as Float32Array,
      })),
    }));
}
