/**
 * Checkpoints in the tfjs layers format (model.json + weights.bin) written WITHOUT tfjs-node:
 * model.save(tf.io.withSaveHandler(...)) gives the artifacts, we write the files ourselves.
 * A checkpoint directory:
 *   model.json       tfjs "layers-model" JSON (loadable by tf.loadLayersModel from a URL/handler);
 *                    userDefinedMetadata.weightsSha256 = sha256 of weights.bin
 *   weights.bin      model weights
 *   optimizer.bin    optimizer slots (AdamW moments, momentum…) when an optimizer is given
 *   checkpoint.json  metadata: epoch, step, seed, optimizer config + slot specs (+ sha256 of
 *                    optimizer.bin), scheduler state, best metric, history, callback state
 *                    (whatever the caller puts in `meta`)
 * Written atomically (util/atomic-write writeDirAtomic). Every file is checked on load: JSON
 * that does not parse, a missing or short weights file, a hash mismatch, NaN/Inf weights each
 * give one CheckpointError naming the file and what to do. NaN/Inf weights are refused on save.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { findDirOrPrevious, stableStringify, writeDirAtomic } from "../util/atomic-write";
import { CheckpointError, DAMAGED, checkBytes, firstNonFinite, readBuffer, readJson, sha256 } from "./checkpoint-checks";
import { NamedTensor } from "./optimizers/types";
import "../models/input-normalization"; // registers the normalisation layer so saved models load


export { CheckpointError, firstNonFinite, sha256 } from "./checkpoint-checks";

export const CHECKPOINT_FORMAT = "steel-defect-lab/checkpoint";
/** 2 adds the sha256 of weights.bin / optimizer.bin; version 1 files (no hashes) still load. */
export const CHECKPOINT_VERSION = 2;

type WeightSpec = tf.io.WeightsManifestEntry;

export interface OptimizerStateMeta {
  className: string;
  config: tf.serialization.ConfigDict;
  /** Specs of optimizer.bin, stored under index names "slot/<i>". */
  specs: WeightSpec[];
  /** Original slot names in order (e.g. "dense/kernel/m"). */
  names: string[];
  /** sha256 (hex) of optimizer.bin; absent in version-1 files. */
  sha256?: string;
}

export interface CheckpointFile<M = Record<string, unknown>> {
  format: string;
  version: number;
  meta: M;
  optimizer?: OptimizerStateMeta;
}

export interface LoadedCheckpoint<M = Record<string, unknown>> {
  dir: string;
  modelJson: tf.io.ModelJSON;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
  file: CheckpointFile<M>;
  /** false for a bare model directory (saveModel): no checkpoint.json, `file.meta` is {}. */
  hasMetadata: boolean;
  optimizerData?: ArrayBuffer;
}

function toBytes(buf: ArrayBuffer): Uint8Array {
  return new Uint8Array(buf);
}

/** Model artifacts via a save handler (no file:// handler needed). */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      captured = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  if (!captured) throw new Error(`checkpoint: model "${model.name}" produced no artifacts`);
  return captured;
}

/**
 * Every weight in a canonical order: layer by layer (recursing into nested models), each layer's
 * own order. tfjs's `model.weights` puts trainable weights first, so its order changes when
 * layers are frozen; this one does not.
 */
export function canonicalWeights(model: tf.LayersModel): tf.LayerVariable[] {
  const seen = new Set<number>();
  const out: tf.LayerVariable[] = [];
  const visit = (layer: tf.layers.Layer) => {
    const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(inner)) {
      inner.forEach(visit);
      return;
    }
    for (const w of layer.weights) {
      if (seen.has(w.id)) continue;
      seen.add(w.id);
      out.push(w);
    }
  };
  model.layers.forEach(visit);
  return out;
}

function modelFiles(a: tf.io.ModelArtifacts, where: string, weightOrder?: string[]): Record<string, string | Uint8Array> {
  const data = a.weightData ? tf.io.CompositeArrayBuffer.join(a.weightData) : new ArrayBuffer(0);
  const specs = a.weightSpecs ?? [];
  const bad = firstNonFinite(data, specs);
  if (bad) throw new Error(`${where}: weight ${bad}; not saved (the previous copy, if any, is kept) — lower the learning rate or check the inputs`);
  const json: tf.io.ModelJSON = {
    modelTopology: a.modelTopology as {},
    format: a.format ?? "layers-model",
    generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: ["weights.bin"], weights: specs }],
    ...(a.trainingConfig ? { trainingConfig: a.trainingConfig } : {}),
    userDefinedMetadata: { ...(a.userDefinedMetadata ?? {}), ...(weightOrder ? { weightOrder } : {}), weightsSha256: sha256(data) },
  };
  return { "model.json": JSON.stringify(json), "weights.bin": toBytes(data) };
}

/** Saves just the model (model.json + weights.bin), atomically. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  writeDirAtomic(dir, modelFiles(await modelArtifacts(model), `saveModel(${dir})`, canonicalWeights(model).map((w) => w.originalName)));
}

export interface SaveCheckpointArgs<M> {
  model: tf.LayersModel;
  optimizer?: tf.Optimizer;
  meta: M;
}

/** Saves model, optimizer slots and metadata as one atomic directory; refuses NaN/Inf weights. */
export async function saveCheckpoint<M>(dir: string, args: SaveCheckpointArgs<M>): Promise<void> {
  const where = `saveCheckpoint(${dir})`;
  const files = modelFiles(await modelArtifacts(args.model), where, canonicalWeights(args.model).map((w) => w.originalName));
  const file: CheckpointFile<M> = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, meta: args.meta };
  if (args.optimizer) {
    const weights: NamedTensor[] = await args.optimizer.getWeights();
    try {
      const indexed = weights.map((w, i) => ({ name: `slot/${i}`, tensor: w.tensor }));
      const { data, specs } = await tf.io.encodeWeights(indexed);
      const names = weights.map((w) => w.name);
      const bad = firstNonFinite(data, specs, names);
      if (bad) throw new Error(`${where}: optimizer slot ${bad}; not saved (the previous copy, if any, is kept)`);
      files["optimizer.bin"] = toBytes(data);
      file.optimizer = { className: args.optimizer.getClassName(), config: args.optimizer.getConfig(), specs, names, sha256: sha256(data) };
    } finally {
      // Only the iteration scalar is a fresh tensor; the slots belong to the optimizer.
      const iter = weights.find((w) => w.name === "iter");
      if (iter) iter.tensor.dispose();
    }
  }
  files["checkpoint.json"] = stableStringify(file);
  writeDirAtomic(dir, files);
}

function readModelJson(d: string): { modelJson: tf.io.ModelJSON; weightSpecs: WeightSpec[]; weightData: ArrayBuffer } {
  const jsonFile = path.join(d, "model.json");
  const modelJson = readJson<tf.io.ModelJSON>(jsonFile);
  const manifest = modelJson.weightsManifest;
  if (!modelJson.modelTopology || !Array.isArray(manifest) || manifest.some((g) => !Array.isArray(g.paths) || !Array.isArray(g.weights))) {
    throw new CheckpointError(jsonFile, `checkpoint: ${jsonFile} lacks modelTopology or a weightsManifest of {paths, weights}; ${DAMAGED}`);
  }
  const weightSpecs = manifest.flatMap((g) => g.weights);
  const paths = manifest.flatMap((g) => g.paths);
  const weightData = tf.io.concatenateArrayBuffers(paths.map((p) => readBuffer(path.join(d, p), `model weights listed in ${jsonFile}`)));
  const weightsFile = paths.length === 1 ? path.join(d, paths[0]) : `${d}/{${paths.join(",")}}`;
  const sha = (modelJson.userDefinedMetadata as { weightsSha256?: string } | undefined)?.weightsSha256;
  checkBytes(weightsFile, weightData, weightSpecs, jsonFile, sha);
  const bad = firstNonFinite(weightData, weightSpecs);
  if (bad) throw new CheckpointError(weightsFile, `checkpoint: ${weightsFile} weight ${bad}; the model diverged before this save — resume from an earlier checkpoint or train again`);
  return { modelJson, weightSpecs, weightData };
}

function readMetaFile<M>(d: string): CheckpointFile<M> | undefined {
  const metaFile = path.join(d, "checkpoint.json");
  if (!fs.existsSync(metaFile)) return undefined;
  const file = readJson<CheckpointFile<M>>(metaFile);
  if (!file || typeof file !== "object" || Array.isArray(file)) throw new CheckpointError(metaFile, `checkpoint: ${metaFile} is not a JSON object; ${DAMAGED}`);
  if (file.format !== CHECKPOINT_FORMAT) throw new CheckpointError(metaFile, `checkpoint: ${metaFile} has format "${file.format}", expected "${CHECKPOINT_FORMAT}"`);
  if (!Number.isInteger(file.version) || file.version < 1) throw new CheckpointError(metaFile, `checkpoint: ${metaFile} has version ${JSON.stringify(file.version)}, expected an integer ≥ 1; ${DAMAGED}`);
  if (file.version > CHECKPOINT_VERSION) throw new CheckpointError(metaFile, `checkpoint: ${metaFile} is version ${file.version}; this library reads up to ${CHECKPOINT_VERSION} (update the code)`);
  if (!file.meta || typeof file.meta !== "object" || Array.isArray(file.meta)) throw new CheckpointError(metaFile, `checkpoint: ${metaFile} has no "meta" object; ${DAMAGED}`);
  const o = file.optimizer;
  if (o !== undefined && (typeof o.className !== "string" || !Array.isArray(o.specs) || !Array.isArray(o.names) || o.names.length !== o.specs.length)) {
    throw new CheckpointError(metaFile, `checkpoint: ${metaFile} has an optimizer entry without className, or specs and names of different lengths; ${DAMAGED}`);
  }
  return file;
}

function readOptimizerData(d: string, o: OptimizerStateMeta | undefined): ArrayBuffer | undefined {
  const optFile = path.join(d, "optimizer.bin");
  if (!o) return undefined;
  const data = readBuffer(optFile, "optimizer state listed in checkpoint.json");
  const metaFile = path.join(d, "checkpoint.json");
  checkBytes(optFile, data, o.specs, metaFile, o.sha256);
  const bad = firstNonFinite(data, o.specs, o.names);
  if (bad) throw new CheckpointError(optFile, `checkpoint: ${optFile} slot ${bad}; resume from an earlier checkpoint or train again`);
  return data;
}

/**
 * Reads and checks a checkpoint (or a bare saveModel directory). If `dir` is missing but a
 * complete `<dir>.old-*` exists (a crash mid-swap), that previous version is read.
 */
export function readCheckpoint<M = Record<string, unknown>>(dir: string): LoadedCheckpoint<M> {
  const d = findDirOrPrevious(dir, "model.json");
  if (!d) {
    const abs = path.resolve(dir);
    throw new CheckpointError(abs, `checkpoint: no model.json in ${abs}; pass the directory a checkpoint was saved to (it holds model.json, weights.bin, checkpoint.json)`);
  }
  const model = readModelJson(d);
  const meta = readMetaFile<M>(d);
  const optimizerData = readOptimizerData(d, meta?.optimizer);
  return {
    dir: d,
    ...model,
    file: meta ?? { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, meta: {} as M },
    hasMetadata: meta !== undefined,
    ...(optimizerData ? { optimizerData } : {}),
  };
}

/** A new LayersModel from a checkpoint directory (custom layers must be registered first). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const c = readCheckpoint(dir);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: c.modelJson.modelTopology, weightSpecs: c.weightSpecs, weightData: c.weightData }));
}

/**
 * Copies checkpoint weights into an existing model of the same architecture. Weights are matched
 * by name when every name matches (same layer names), else by the canonical layer order recorded
 * at save time (a rebuilt model whose auto-generated names differ). Shapes are always checked.
 */
export function restoreModelWeights(model: tf.LayersModel, ckpt: LoadedCheckpoint<unknown>): void {
  const targets = canonicalWeights(model);
  const specs = ckpt.weightSpecs;
  if (specs.length !== targets.length) {
    throw new Error(`checkpoint ${ckpt.dir}: holds ${specs.length} weight tensors but model "${model.name}" has ${targets.length}; build the same architecture before resuming`);
  }
  const map = tf.io.decodeWeights(ckpt.weightData, specs);
  try {
    const byName = targets.every((w) => map[w.originalName] !== undefined);
    const order = (ckpt.modelJson.userDefinedMetadata as { weightOrder?: string[] } | undefined)?.weightOrder;
    const sources = byName
      ? targets.map((w) => w.originalName)
      : order && order.length === targets.length
        ? order
        : specs.map((sp) => sp.name); // files without a recorded order: tfjs's model.weights order
    if (!byName && !order) {
      // Only safe when the model's trainable flags are as they were at save time.
      const modelOrder = model.weights;
      targets.splice(0, targets.length, ...modelOrder);
    }
    targets.forEach((w, i) => {
      const t = map[sources[i]];
      if (!t) throw new Error(`checkpoint ${ckpt.dir}: no weight named "${sources[i]}"`);
      const want = w.shape;
      if (t.shape.length !== want.length || t.shape.some((d, j) => d !== want[j])) {
        throw new Error(`checkpoint ${ckpt.dir}: weight "${sources[i]}" has shape [${t.shape}] but the model's "${w.originalName}" is [${want}]`);
      }
    });
    targets.forEach((w, i) => w.write(map[sources[i]]));
  } finally {
    tf.dispose(Object.values(map));
  }
}

/** Restores optimizer slots (moments, iteration count) saved by saveCheckpoint. */
export async function restoreOptimizerState(optimizer: tf.Optimizer, ckpt: LoadedCheckpoint<unknown>): Promise<void> {
  const o = ckpt.file.optimizer;
  if (!o || !ckpt.optimizerData) throw new Error(`checkpoint ${ckpt.dir}: has no optimizer state (saved without an optimizer)`);
  if (o.className !== optimizer.getClassName()) {
    throw new Error(`checkpoint ${ckpt.dir}: optimizer state is ${o.className} but the run uses ${optimizer.getClassName()}; resume with the same optimizer`);
  }
  const map = tf.io.decodeWeights(ckpt.optimizerData, o.specs);
  const named: NamedTensor[] = o.specs.map((s, i) => ({ name: o.names[i], tensor: map[s.name] }));
  try {
    await optimizer.setWeights(named);
  } finally {
    tf.dispose(named.map((n) => n.tensor));
  }
}
