/**
 * A layers model as the files of a TensorFlow.js web model: model.json (topology + weightsManifest)
 * and weight shards of at most 4 MiB ("group1-shard1of2.bin", as tensorflowjs_converter names
 * them), optionally quantised. Also the reverse for checking: the files → a model, decoded by
 * tfjs's own loader.
 */
import * as tf from "@tensorflow/tfjs";
import { modelArtifacts } from "../train/checkpoint";
import { quantizeWeights, QuantizeScheme, WeightSpec } from "./quantize";
import "../models/input-normalization"; // the custom first layer must be registered to load

export const SHARD_BYTES = 4 * 1024 * 1024;

export interface WebModelFiles {
  modelJson: tf.io.ModelJSON;
  shards: { name: string; data: Uint8Array }[];
  /** Weight bytes (all shards). */
  weightBytes: number;
}

export async function webModelFiles(model: tf.LayersModel, scheme: QuantizeScheme): Promise<WebModelFiles> {
  const a = await modelArtifacts(model);
  const data = a.weightData ? tf.io.CompositeArrayBuffer.join(a.weightData) : new ArrayBuffer(0);
  const q = quantizeWeights(data, (a.weightSpecs ?? []) as WeightSpec[], scheme);
  const bytes = new Uint8Array(q.data);
  const n = Math.max(1, Math.ceil(bytes.byteLength / SHARD_BYTES));
  const shards = Array.from({ length: n }, (_, i) => ({ name: `group1-shard${i + 1}of${n}.bin`, data: bytes.slice(i * SHARD_BYTES, (i + 1) * SHARD_BYTES) }));
  const modelJson: tf.io.ModelJSON = {
    modelTopology: a.modelTopology as {},
    format: "layers-model",
    generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: `steel-defect-lab export (${scheme === "none" ? "float32" : scheme})`,
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: q.specs as tf.io.WeightsManifestEntry[] }],
  };
  return { modelJson, shards, weightBytes: bytes.byteLength };
}

/** The model the files describe, through tfjs's loader (dequantisation included). */
export async function loadWebModel(files: WebModelFiles): Promise<tf.LayersModel> {
  const total = files.shards.reduce((a, s) => a + s.data.byteLength, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const s of files.shards) {
    joined.set(s.data, at);
    at += s.data.byteLength;
  }
  const weightSpecs = files.modelJson.weightsManifest.flatMap((g) => g.weights);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: files.modelJson.modelTopology, weightSpecs, weightData: joined.buffer }));
}

/** File name → bytes, for writeDirAtomic. */
export function filesOf(files: WebModelFiles, metadata: unknown): Record<string, string | Uint8Array> {
  const out: Record<string, string | Uint8Array> = { "model.json": JSON.stringify(files.modelJson), "metadata.json": JSON.stringify(metadata, null, 2) + "\n" };
  for (const s of files.shards) out[s.name] = s.data;
  return out;
}
