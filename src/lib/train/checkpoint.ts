/**
 * Checkpoints in the tfjs layers format (model.json + weights.bin) written WITHOUT tfjs-node:
 * model.save(tf.io.withSaveHandler(...)) gives the artifacts, we write the files ourselves.
 * A checkpoint directory:
 *   model.json       tfjs "layers-model" JSON (loadable by tf.loadLayersModel from a URL/handler)
 *   weights.bin      model weights
 *   optimizer.bin    optimizer slots (AdamW moments, momentum…) when an optimizer is given
 *   checkpoint.json  metadata: epoch, step, seed, optimizer config + slot specs, scheduler state,
 *                    best metric, history, callback state (whatever the caller puts in `meta`)
 * The directory is written atomically: everything goes to a sibling temp directory, fsynced, then
 * swapped in by rename, so a crash never leaves a half-written checkpoint under `dir`.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { stableStringify } from "../util/atomic-write";
import { NamedTensor } from "./optimizers/types";
import "../models/input-normalization"; // registers the normalisation layer so saved models load

export const CHECKPOINT_FORMAT = "steel-defect-lab/checkpoint";
export const CHECKPOINT_VERSION = 1;

type WeightSpec = tf.io.WeightsManifestEntry;

export interface OptimizerStateMeta {
  className: string;
  config: tf.serialization.ConfigDict;
  /** Specs of optimizer.bin, stored under index names "slot/<i>". */
  specs: WeightSpec[];
  /** Original slot names in order (e.g. "dense/kernel/m"). */
  names: string[];
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
  optimizerData?: ArrayBuffer;
}

function fsyncWrite(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `files` into `dir` atomically (temp dir + rename; the old dir is removed after the swap). */
export function writeDirAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  const abs = path.resolve(dir);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const stamp = `${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
  const tmp = `${abs}.tmp-${stamp}`;
  fs.mkdirSync(tmp);
  try {
    for (const [name, data] of Object.entries(files)) fsyncWrite(path.join(tmp, name), data);
    if (fs.existsSync(abs)) {
      const old = `${abs}.old-${stamp}`;
      fs.renameSync(abs, old);
      fs.renameSync(tmp, abs);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(tmp, abs);
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** A crash between the two renames leaves only `<dir>.old-*`; fall back to the newest such copy. */
function resolveDir(dir: string): string {
  const abs = path.resolve(dir);
  if (fs.existsSync(path.join(abs, "model.json"))) return abs;
  const parent = path.dirname(abs);
  const base = path.basename(abs) + ".old-";
  const olds = fs.existsSync(parent)
    ? fs
        .readdirSync(parent)
        .filter((f) => f.startsWith(base) && fs.existsSync(path.join(parent, f, "model.json")))
        .map((f) => path.join(parent, f))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
    : [];
  if (olds.length) return olds[0];
  throw new Error(`checkpoint: no model.json in ${abs}; pass the directory a checkpoint was saved to (it holds model.json, weights.bin, checkpoint.json)`);
}

function toBytes(buf: ArrayBuffer): Uint8Array {
  return new Uint8Array(buf);
}

function readBuffer(file: string): ArrayBuffer {
  const b = fs.readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
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

function modelFiles(a: tf.io.ModelArtifacts, weightOrder?: string[]): Record<string, string | Uint8Array> {
  const data = a.weightData ? tf.io.CompositeArrayBuffer.join(a.weightData) : new ArrayBuffer(0);
  const json: tf.io.ModelJSON = {
    modelTopology: a.modelTopology as {},
    format: a.format ?? "layers-model",
    generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs ?? [] }],
    ...(a.trainingConfig ? { trainingConfig: a.trainingConfig } : {}),
    ...(a.userDefinedMetadata || weightOrder ? { userDefinedMetadata: { ...(a.userDefinedMetadata ?? {}), ...(weightOrder ? { weightOrder } : {}) } } : {}),
  };
  return { "model.json": JSON.stringify(json), "weights.bin": toBytes(data) };
}

/** Saves just the model (model.json + weights.bin), atomically. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  writeDirAtomic(dir, modelFiles(await modelArtifacts(model), canonicalWeights(model).map((w) => w.originalName)));
}

export interface SaveCheckpointArgs<M> {
  model: tf.LayersModel;
  optimizer?: tf.Optimizer;
  meta: M;
}

/** Saves model, optimizer slots and metadata as one atomic directory. */
export async function saveCheckpoint<M>(dir: string, args: SaveCheckpointArgs<M>): Promise<void> {
  const files = modelFiles(await modelArtifacts(args.model), canonicalWeights(args.model).map((w) => w.originalName));
  const file: CheckpointFile<M> = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, meta: args.meta };
  if (args.optimizer) {
    const weights: NamedTensor[] = await args.optimizer.getWeights();
    try {
      const indexed = weights.map((w, i) => ({ name: `slot/${i}`, tensor: w.tensor }));
      const { data, specs } = await tf.io.encodeWeights(indexed);
      files["optimizer.bin"] = toBytes(data);
      file.optimizer = {
        className: args.optimizer.getClassName(),
        config: args.optimizer.getConfig(),
        specs,
        names: weights.map((w) => w.name),
      };
    } finally {
      // Only the iteration scalar is a fresh tensor; the slots belong to the optimizer.
      const iter = weights.find((w) => w.name === "iter");
      if (iter) iter.tensor.dispose();
    }
  }
  files["checkpoint.json"] = stableStringify(file);
  writeDirAtomic(dir, files);
}

/** Reads a checkpoint (or a bare saveModel directory) from disk. */
export function readCheckpoint<M = Record<string, unknown>>(dir: string): LoadedCheckpoint<M> {
  const d = resolveDir(dir);
  const modelJson = JSON.parse(fs.readFileSync(path.join(d, "model.json"), "utf8")) as tf.io.ModelJSON;
  const manifest = modelJson.weightsManifest ?? [];
  const weightSpecs = manifest.flatMap((g) => g.weights);
  const paths = manifest.flatMap((g) => g.paths);
  const buffers = paths.map((p) => readBuffer(path.join(d, p)));
  const weightData = tf.io.concatenateArrayBuffers(buffers);
  const metaFile = path.join(d, "checkpoint.json");
  const file: CheckpointFile<M> = fs.existsSync(metaFile)
    ? (JSON.parse(fs.readFileSync(metaFile, "utf8")) as CheckpointFile<M>)
    : { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, meta: {} as M };
  if (file.format !== CHECKPOINT_FORMAT) throw new Error(`checkpoint: ${metaFile} has format "${file.format}", expected "${CHECKPOINT_FORMAT}"`);
  if (file.version > CHECKPOINT_VERSION) throw new Error(`checkpoint: ${metaFile} is version ${file.version}; this library reads up to ${CHECKPOINT_VERSION}`);
  const optFile = path.join(d, "optimizer.bin");
  return { dir: d, modelJson, weightSpecs, weightData, file, ...(fs.existsSync(optFile) ? { optimizerData: readBuffer(optFile) } : {}) };
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
