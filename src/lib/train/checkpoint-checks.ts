/**
 * The checks a checkpoint's files pass on load (and its weights on save): JSON that parses,
 * files that exist, byte counts that match the manifest, the recorded sha256, finite weights.
 * Each failure is one CheckpointError naming the file and what to do.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";

type WeightSpec = tf.io.WeightsManifestEntry;

/** A damaged or unusable checkpoint; `file` is the file at fault. */
export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = "CheckpointError";
  }
}

export const DAMAGED = "the checkpoint is damaged: delete that folder and train again (or resume from another checkpoint)";

export function sha256(data: ArrayBuffer | Uint8Array): string {
  return createHash("sha256")
    .update(data instanceof Uint8Array ? data : new Uint8Array(data))
    .digest("hex");
}

export function readBuffer(file: string, what: string): ArrayBuffer {
  if (!fs.existsSync(file)) throw new CheckpointError(file, `checkpoint: ${file} is missing (${what}); ${DAMAGED}`);
  const b = fs.readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export function readJson<T>(file: string): T {
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new CheckpointError(file, `checkpoint: ${file} is not valid JSON (${(e as Error).message}; ${text.length} characters, truncated?); ${DAMAGED}`);
  }
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

function specBytes(s: WeightSpec): number {
  const dtype = s.quantization?.dtype ?? s.dtype;
  const per = DTYPE_BYTES[dtype];
  if (per === undefined) throw new Error(`checkpoint: weight "${s.name}" has dtype ${dtype}, which checkpoints do not store`);
  return s.shape.reduce((a, d) => a * d, 1) * per;
}

/** Checks a weights file's length against its specs and its hash (when one was recorded). */
export function checkBytes(file: string, data: ArrayBuffer, specs: WeightSpec[], manifestFile: string, sha?: string): void {
  const want = specs.reduce((a, s) => a + specBytes(s), 0);
  if (data.byteLength !== want) {
    throw new CheckpointError(file, `checkpoint: ${file} has ${data.byteLength} bytes but ${manifestFile} lists weights of ${want} bytes (truncated or from another save); ${DAMAGED}`);
  }
  if (sha !== undefined && sha256(data) !== sha) {
    throw new CheckpointError(file, `checkpoint: ${file} does not match the sha256 recorded in ${manifestFile} (the bytes changed after saving); ${DAMAGED}`);
  }
}

/** Name of the first float weight holding NaN or ±Inf, with its count, or undefined. */
export function firstNonFinite(data: ArrayBuffer, specs: WeightSpec[], names: readonly string[] = specs.map((s) => s.name)): string | undefined {
  let offset = 0;
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    const n = specBytes(s);
    if (s.dtype === "float32" && !s.quantization) {
      // A view, not a copy, when aligned (always, for files this module wrote).
      const v = offset % 4 === 0 ? new Float32Array(data, offset, n / 4) : new Float32Array(data.slice(offset, offset + n));
      let bad = 0;
      // x − x is 0 for finite x and NaN for NaN and ±Inf.
      for (let k = 0; k < v.length; k++) if (v[k] - v[k] !== 0) bad++;
      if (bad > 0) return `"${names[i]}" (${bad} of ${v.length} values are NaN/Inf)`;
    }
    offset += n;
  }
  return undefined;
}

