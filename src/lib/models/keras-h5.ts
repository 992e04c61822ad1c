/**
 * Loads Keras 2 HDF5 weights (`model.save_weights("x.h5")`, `model.save("x.h5")`, or the
 * keras.applications files such as resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5) into a
 * tfjs model by layer name, with h5wasm (WebAssembly HDF5, no native code).
 *
 * Layout read (under `/model_weights` for full-model saves, else under `/`):
 *   attribute `layer_names`          ["conv1_pad", "conv1_conv", ...]
 *   /<layer> attribute `weight_names` ["conv1_conv/kernel:0", "conv1_conv/bias:0"] (empty if none)
 *   /<layer>/<weight_name>           dataset, e.g. /conv1_conv/conv1_conv/kernel:0
 * Keras and tfjs share kernel layouts (Conv2D [kh, kw, in, out], Dense [in, out]) and BN weight
 * order (gamma, beta, moving_mean, moving_variance), so values are copied as they are; weights
 * are matched by their short name (kernel, bias, gamma, ...), falling back to position.
 * Keras ResNet50 ImageNet weights expect caffe-style input (see ./preprocess).
 */
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import * as tf from "@tensorflow/tfjs";
import { findProjectRoot, projectPaths, type ProjectPaths } from "../config/paths";

/** The part of h5wasm's API used here (typed locally so the lib compiles without its d.ts). */
export interface H5Attribute {
  value: unknown;
}
export interface H5Entity {
  attrs: Record<string, H5Attribute>;
}
export interface H5Dataset extends H5Entity {
  shape: number[] | null;
  dtype: unknown;
  value: unknown;
}
export interface H5Group extends H5Entity {
  keys(): string[];
  get(name: string): H5Group | H5Dataset | null;
  create_group(name: string): H5Group;
  create_attribute(name: string, data: unknown, shape?: number[] | null, dtype?: string | null): void;
  create_dataset(args: { name: string; data: unknown; shape?: number[] | null; dtype?: string | null }): H5Dataset;
}
export interface H5File extends H5Group {
  close(): unknown;
}
export interface H5Wasm {
  ready: Promise<unknown>;
  File: new (filename: string, mode?: "r" | "w" | "a") => H5File;
  Dataset: new (...args: never[]) => H5Dataset;
  Group: new (...args: never[]) => H5Group;
}

let h5Promise: Promise<H5Wasm> | undefined;

/** Possible locations of h5wasm's Node entry: module search paths, then the project root. */
function h5wasmCandidates(): string[] {
  const dirs: string[] = [];
  if (typeof require !== "undefined" && require.resolve && require.resolve.paths) {
    dirs.push(...(require.resolve.paths("h5wasm") ?? []));
  }
  for (const start of [__dirname, process.cwd()]) {
    try {
      dirs.push(path.join(findProjectRoot(start), "node_modules"));
    } catch {
      // not inside the project from here
    }
  }
  return dirs.map((d) => path.join(d, "h5wasm", "dist", "node", "hdf5_hl.js"));
}

/**
 * h5wasm's Node build, ready to use. It is ESM-only ("h5wasm/node" exports only an `import`
 * condition), and TypeScript's CommonJS output (tsc, tslab) would rewrite `import()` into
 * `require()`, so the import goes through `new Function`, with the package file as a fallback.
 */
export function loadH5wasm(): Promise<H5Wasm> {
  if (!h5Promise) {
    const dynamicImport = new Function("specifier", "return import(specifier)") as (s: string) => Promise<H5Wasm>;
    h5Promise = dynamicImport("h5wasm/node")
      .catch((err: unknown) => {
        // A bare specifier resolves from the calling script, which tslab's loader may hide.
        const file = h5wasmCandidates().find((f) => fs.existsSync(f));
        if (!file) throw err;
        return dynamicImport(pathToFileURL(file).href);
      })
      .then(async (m) => {
        await m.ready;
        return m;
      })
      .catch((err: unknown) => {
        h5Promise = undefined;
        throw new Error(`cannot load h5wasm (npm package "h5wasm", Node build): ${(err as Error).message}`);
      });
  }
  return h5Promise;
}

export interface KerasH5LoadOptions {
  /** Record shape mismatches in `mismatched` and skip those layers instead of throwing. */
  skipMismatch?: boolean;
  /** Only load layers for which this returns true (e.g. encoder layers only). */
  filter?: (layerName: string) => boolean;
}

export interface KerasH5LoadReport {
  file: string;
  /** Model layers whose weights were all set from the file. */
  loaded: string[];
  /** Model layers with weights that the file does not have (they keep their initial values). */
  missing: string[];
  /** File layers with weights that the model does not have (e.g. Keras "predictions"). */
  unexpected: string[];
  /** With skipMismatch: "layer: weight file [..] vs model [..]" for each skipped layer. */
  mismatched: string[];
}

/** Short weight name: "conv1_conv/kernel:0" → "kernel", "conv1_conv/kernel_1" → "kernel". */
function shortName(name: string): string {
  const last = name.split("/").pop() ?? name;
  return last.replace(/:\d+$/, "").replace(/_\d+$/, "");
}

function asStrings(value: unknown, what: string): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  throw new Error(`${what} is not a list of strings`);
}

function isDataset(e: unknown): e is H5Dataset {
  return !!e && typeof e === "object" && "shape" in e && "dtype" in e;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** HDF5 puts its signature at byte 0, or 512, 1024, 2048... after a user block. */
function hasHdf5Signature(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      fs.readSync(fd, buf, 0, 8, at);
      if (buf.equals(HDF5_SIGNATURE)) return true;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/** Numeric dataset values as float32 (Keras files are float32; float64 is converted). */
function toFloat32(raw: unknown): Float32Array | undefined {
  if (raw instanceof Float32Array) return raw;
  if (typeof raw === "number") return Float32Array.of(raw);
  if (raw instanceof BigInt64Array || raw instanceof BigUint64Array || raw instanceof DataView) return undefined;
  if (ArrayBuffer.isView(raw)) return Float32Array.from(raw as unknown as ArrayLike<number>);
  return undefined;
}

const fmt = (s: readonly (number | null)[]) => `[${s.join(", ")}]`;

/**
 * Copies weights from a Keras `.h5` file into `model`, matching layers by name. Validates
 * everything first (names, counts, shapes) and only then writes, so a failed load leaves the
 * model untouched. A shape mismatch throws an Error naming the file, layer, weight and both
 * shapes (unless `skipMismatch`).
 */
export async function loadKerasH5Weights(
  model: tf.LayersModel,
  file: string,
  opts: KerasH5LoadOptions = {},
): Promise<KerasH5LoadReport> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new Error(`Keras weights file not found: ${abs}`);
  if (!hasHdf5Signature(abs)) {
    throw new Error(`${abs}: not an HDF5 file (no HDF5 signature); expected a Keras .h5 weights file`);
  }
  const h5 = await loadH5wasm();
  let f: H5File;
  let top: string[];
  try {
    f = new h5.File(abs, "r");
    top = f.keys();
  } catch (err) {
    throw new Error(`${abs}: not a readable HDF5 file (${(err as Error).message})`);
  }
  try {
    const mw = top.includes("model_weights") ? f.get("model_weights") : f;
    if (!mw || isDataset(mw)) throw new Error(`${abs}: /model_weights is not a group`);
    const root = mw as H5Group;
    if (!root.attrs["layer_names"]) {
      throw new Error(
        `${abs}: no "layer_names" attribute — not a Keras 2 HDF5 weights file ` +
          `(Keras 3 ".weights.h5" files use another layout; re-save with tf.keras 2 or Keras 2)`,
      );
    }
    const fileLayers = asStrings(root.attrs["layer_names"].value, `${abs}: attribute layer_names`);
    const modelLayers = new Map(model.layers.map((l) => [l.name, l]));
    const filter = opts.filter ?? (() => true);

    const report: KerasH5LoadReport = { file: abs, loaded: [], missing: [], unexpected: [], mismatched: [] };
    const writes: { layer: tf.layers.Layer; values: { data: Float32Array; shape: number[] }[] }[] = [];
    const inFile = new Set<string>();

    for (const layerName of fileLayers) {
      const g = root.get(layerName);
      if (!g || isDataset(g)) throw new Error(`${abs}: layer "${layerName}" is listed in layer_names but has no group`);
      const weightNames = asStrings(g.attrs["weight_names"]?.value, `${abs}: ${layerName}/weight_names`);
      if (weightNames.length === 0) continue;
      inFile.add(layerName);
      const layer = modelLayers.get(layerName);
      if (!layer || layer.weights.length === 0) {
        report.unexpected.push(layerName);
        continue;
      }
      if (!filter(layerName)) continue;
      const vars = layer.weights;
      if (vars.length !== weightNames.length) {
        const msg = `${abs}: layer "${layerName}" has ${weightNames.length} weights in the file (${weightNames.join(", ")}) but ${vars.length} in the model (${vars.map((v) => v.originalName).join(", ")})`;
        if (opts.skipMismatch) {
          report.mismatched.push(msg);
          continue;
        }
        throw new Error(msg);
      }
      // Order the file's weights like the model's: by short name when all match, else by position.
      const fileByShort = new Map(weightNames.map((n) => [shortName(n), n]));
      const byName = vars.every((v) => fileByShort.has(shortName(v.originalName))) && fileByShort.size === vars.length;
      const values: { data: Float32Array; shape: number[] }[] = [];
      let bad: string | undefined;
      vars.forEach((v, i) => {
        if (bad) return;
        const wn = byName ? (fileByShort.get(shortName(v.originalName)) as string) : weightNames[i];
        const ds = g.get(wn);
        if (!isDataset(ds)) throw new Error(`${abs}: dataset "${layerName}/${wn}" is missing`);
        const fileShape = ds.shape ?? [];
        const modelShape = v.shape as number[];
        if (fileShape.length !== modelShape.length || fileShape.some((d, k) => d !== modelShape[k])) {
          bad = `${abs}: layer "${layerName}" weight "${wn}" has shape ${fmt(fileShape)} in the file but ${fmt(modelShape)} in the model`;
          return;
        }
        const data = toFloat32(ds.value);
        if (!data || data.length !== v.shape.reduce<number>((a, d) => a * (d ?? 1), 1)) {
          throw new Error(`${abs}: dataset "${layerName}/${wn}" is not a numeric array of shape ${fmt(fileShape)} (dtype ${JSON.stringify(ds.dtype)})`);
        }
        values.push({ data, shape: modelShape });
      });
      if (bad) {
        if (opts.skipMismatch) {
          report.mismatched.push(bad);
          continue;
        }
        throw new Error(bad);
      }
      writes.push({ layer, values });
      report.loaded.push(layerName);
    }

    for (const layer of model.layers) {
      if (layer.weights.length > 0 && !inFile.has(layer.name) && filter(layer.name)) report.missing.push(layer.name);
    }
    for (const { layer, values } of writes) {
      const tensors = values.map((v) => tf.tensor(v.data, v.shape, "float32"));
      try {
        layer.setWeights(tensors);
      } finally {
        tf.dispose(tensors);
      }
    }
    return report;
  } finally {
    f.close();
  }
}

/** Keras's file name for ImageNet ResNet50 weights without the top. */
export const RESNET50_NOTOP_FILE = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5";

/**
 * Where ImageNet ResNet50 weights are, or undefined when there are none (the caller then says
 * "no ImageNet weights found — training from scratch"). Looks at $STEEL_RESNET50_WEIGHTS first
 * (set but pointing nowhere is an error: an explicit setting must not be silently ignored),
 * then `outputs/models/pretrained/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`.
 */
export function findPretrainedWeights(
  paths: ProjectPaths = projectPaths(),
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const fromEnv = env.STEEL_RESNET50_WEIGHTS?.trim();
  if (fromEnv) {
    const abs = path.resolve(paths.root, fromEnv);
    if (!fs.existsSync(abs)) {
      throw new Error(`STEEL_RESNET50_WEIGHTS points to ${abs}, which does not exist; fix the path or unset the variable`);
    }
    return abs;
  }
  const local = path.join(paths.models, "pretrained", RESNET50_NOTOP_FILE);
  return fs.existsSync(local) ? local : undefined;
}
