/**
 * What createModel knows about each model it built (encoder, stage membership), kept in a
 * WeakMap so a tf.LayersModel stays a plain tfjs object (savable, loadable) and the record goes
 * away with the model. Models that did not come from createModel (e.g. tf.loadLayersModel)
 * fall back to the stage implied by Keras-style layer names.
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelInfo } from "./types";

const infos = new WeakMap<tf.LayersModel, ModelInfo>();

export function setModelInfo(model: tf.LayersModel, info: ModelInfo): void {
  infos.set(model, info);
}

export function getModelInfo(model: tf.LayersModel): ModelInfo | undefined {
  return infos.get(model);
}

/**
 * Encoder stage implied by a layer name: conv1_* / pool1_* → 0 (stem), conv2_*..conv5_* → 1..4
 * (ResNet, Keras naming), block1_*..blockN_* → 1..N (simplecnn); undefined for heads/decoders.
 */
export function stageFromLayerName(name: string): number | undefined {
  if (/^(conv1|pool1)_/.test(name)) return 0;
  const res = /^conv([2-5])_/.exec(name);
  if (res) return Number(res[1]) - 1;
  const block = /^block(\d+)_/.exec(name);
  if (block) return Number(block[1]);
  return undefined;
}

/** Stage of every encoder layer of `model` (recorded at build time, else from the names). */
export function layerStages(model: tf.LayersModel): Map<string, number> {
  const info = getModelInfo(model);
  const out = new Map<string, number>();
  for (const layer of model.layers) {
    const s = info ? info.stageOf[layer.name] : stageFromLayerName(layer.name);
    if (s !== undefined) out.set(layer.name, s);
  }
  return out;
}
