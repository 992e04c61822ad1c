/**
 * Shared helpers for the engine tests: run the same computation on the cpu backend (the
 * reference) and on wasm with our kernels, on seeded random inputs, and compare.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmTrainingKernels } from "../../src/lib/engine/index";
import { createRng } from "../../src/lib/util/rng";

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Seeded N(0, 1) values (or uniform in [lo, hi)). */
export function randomHost(shape: number[], seed: number | string, stream: string, range?: [number, number]): HostTensor {
  const rng = createRng(seed, stream);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = range ? rng.uniform(range[0], range[1]) : rng.normal();
  return { shape, data };
}

/** ||a - b||₂ / max(||b||₂, tiny): the error measure of all engine tests. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relErr: length ${a.length} vs ${b.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    num += d * d;
    den += b[i] * b[i];
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

let ready: Promise<void> | undefined;

/** Initialises wasm once per test process and registers the training kernels. */
export function setupWasm(): Promise<void> {
  ready ??= (async () => {
    await tf.setBackend("wasm");
    await tf.ready();
    registerWasmTrainingKernels();
  })();
  return ready;
}

/** Live tensors and (on wasm) backend data buffers — both must be stable across a computation. */
export function counts(): { tensors: number; dataIds: number } {
  const be = tf.backend() as unknown as { numDataIds(): number };
  return { tensors: tf.memory().numTensors, dataIds: be.numDataIds() };
}

/**
 * Runs `f` on cpu and on wasm with the same host inputs; returns both outputs (flattened)
 * and asserts (via the return) nothing leaked on wasm.
 */
export async function onBothBackends(
  inputs: Record<string, HostTensor>,
  f: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[],
): Promise<{ cpu: Float32Array[]; wasm: Float32Array[]; leaked: { tensors: number; dataIds: number } }> {
  await setupWasm();
  const out: Record<string, Float32Array[]> = {};
  let leaked = { tensors: 0, dataIds: 0 };
  for (const be of ["cpu", "wasm"] as const) {
    await tf.setBackend(be);
    const before = counts();
    const ts: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.data, v.shape);
    const r = tf.tidy(() => f(ts));
    const list = Array.isArray(r) ? r : [r];
    out[be] = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
    tf.dispose(Object.values(ts));
    const after = counts();
    if (be === "wasm") leaked = { tensors: after.tensors - before.tensors, dataIds: after.dataIds - before.dataIds };
  }
  await tf.setBackend("wasm");
  return { cpu: out.cpu, wasm: out.wasm, leaked };
}

/** Runs `f` on one backend with fresh tensors made from `inputs`; returns the flattened outputs. */
export async function runOn(
  backend: "cpu" | "wasm",
  inputs: Record<string, HostTensor>,
  f: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await setupWasm();
  const prev = tf.getBackend();
  await tf.setBackend(backend);
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.data, v.shape);
  const r = tf.tidy(() => f(ts));
  const list = Array.isArray(r) ? r : [r];
  const out = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  tf.dispose(Object.values(ts));
  await tf.setBackend(prev);
  return out;
}
