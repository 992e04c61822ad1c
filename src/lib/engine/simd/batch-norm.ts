/**
 * Training-mode batch normalisation over the last (channel) axis as wasm SIMD kernels on the
 * tfjs wasm heap: two passes for the forward (statistics, then normalise) and two for the
 * backward (two per-channel sums, then dx), instead of the ~20 full-size elementwise and
 * reduction kernels tfjs runs for moments + batchNorm and their gradients.
 *
 * Math (M values per channel, xc = x - mean, s = 1/sqrt(var + eps)):
 *   forward   y  = xc · (gamma·s) + beta
 *   backward  dbeta = Σ dy,  dgamma = s · Σ dy·xc
 *             dx = dy · A + xc · B + D,  A = gamma·s,  B = -gamma·s³·Σdy·xc / M,  D = -gamma·s·Σdy / M
 *   and, when the batch statistics themselves receive gradients (dmean, dvar):
 *             B += 2·dvar / M,  D += dmean / M.
 * Sums run in float32 lanes over blocks of ~16k values and are added up in float64 in JS, so
 * their error does not grow with the batch size.
 */
import * as tf from "@tensorflow/tfjs";
import { FunctionBuilder, I32, V128 } from "../../util/wasm-asm";
import { nativeBatchNormPasses, nativeSums } from "../native/batch-norm";
import { heapModule } from "../wasm/heap-module";
import { checkWasmInternals, heapF32, heapU8, sizeOf, WasmScope } from "../wasm/scope";

/** All pointers are byte offsets on the heap; `pix` pixels of `cb` = 4·C bytes each. */
interface BatchNormModule {
  chanSum(x: number, pix: number, cb: number, acc: number): void;
  chanSqDev(x: number, pix: number, cb: number, mean: number, acc: number): void;
  normalize(x: number, pix: number, cb: number, mean: number, scale: number, beta: number, y: number): void;
  gradSums(dy: number, x: number, pix: number, cb: number, mean: number, sdy: number, sdyx: number): void;
  gradApply(dy: number, x: number, pix: number, cb: number, mean: number, a: number, b: number, d: number, dx: number): void;
}

/**
 * Emits `for pixel < pix { for o = 0; o < cb; o += 16 { body(o) } ptrs += cb }` (cb ≥ 16).
 * `body` addresses element o of the current pixel as ptr + o, a channel vector as vec + o.
 */
function channelLoop(f: FunctionBuilder, pix: number, cb: number, ptrs: number[], body: (o: number) => void): void {
  const p = f.local(I32);
  const o = f.local(I32);
  f.forRange(p, { local: pix }, () => {
    f.i32(0).set(o);
    f.loop();
    body(o);
    f.inc(o, 16);
    f.get(o).get(cb).ltU().brIf(0);
    f.end();
    for (const q of ptrs) f.inc(q, { local: cb });
  });
}

/** Pushes v128 at heap[base + o]. */
function load(f: FunctionBuilder, base: number, o: number): void {
  f.get(base).get(o).add().loadV();
}

/** Pushes x[o] - mean[o]. */
function centered(f: FunctionBuilder, x: number, mean: number, o: number): void {
  load(f, x, o);
  load(f, mean, o);
  f.f32x4Sub();
}

/** acc[o] += (value pushed by `value`). */
function accumulate(f: FunctionBuilder, acc: number, o: number, value: () => void): void {
  f.get(acc).get(o).add();
  load(f, acc, o);
  value();
  f.f32x4Add().storeV();
}

function buildFunctions(): Array<{ name: string; fn: FunctionBuilder }> {
  const chanSum = new FunctionBuilder([I32, I32, I32, I32]);
  {
    const [X, PIX, CB, ACC] = [0, 1, 2, 3];
    channelLoop(chanSum, PIX, CB, [X], (o) => accumulate(chanSum, ACC, o, () => load(chanSum, X, o)));
  }
  const chanSqDev = new FunctionBuilder([I32, I32, I32, I32, I32]);
  {
    const f = chanSqDev;
    const [X, PIX, CB, MEAN, ACC] = [0, 1, 2, 3, 4];
    const d = f.local(V128);
    channelLoop(f, PIX, CB, [X], (o) =>
      accumulate(f, ACC, o, () => {
        centered(f, X, MEAN, o);
        f.tee(d).get(d).f32x4Mul();
      }),
    );
  }
  const normalize = new FunctionBuilder([I32, I32, I32, I32, I32, I32, I32]);
  {
    const f = normalize;
    const [X, PIX, CB, MEAN, SCALE, BETA, Y] = [0, 1, 2, 3, 4, 5, 6];
    channelLoop(f, PIX, CB, [X, Y], (o) => {
      f.get(Y).get(o).add();
      centered(f, X, MEAN, o);
      load(f, SCALE, o);
      f.f32x4Mul();
      load(f, BETA, o);
      f.f32x4Add().storeV();
    });
  }
  const gradSums = new FunctionBuilder([I32, I32, I32, I32, I32, I32, I32]);
  {
    const f = gradSums;
    const [DY, X, PIX, CB, MEAN, SDY, SDYX] = [0, 1, 2, 3, 4, 5, 6];
    const g = f.local(V128);
    channelLoop(f, PIX, CB, [DY, X], (o) => {
      accumulate(f, SDY, o, () => {
        load(f, DY, o);
        f.tee(g);
      });
      accumulate(f, SDYX, o, () => {
        f.get(g);
        centered(f, X, MEAN, o);
        f.f32x4Mul();
      });
    });
  }
  const gradApply = new FunctionBuilder([I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  {
    const f = gradApply;
    const [DY, X, PIX, CB, MEAN, A, B, D, DX] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    channelLoop(f, PIX, CB, [DY, X, DX], (o) => {
      f.get(DX).get(o).add();
      load(f, DY, o);
      load(f, A, o);
      f.f32x4Mul();
      centered(f, X, MEAN, o);
      load(f, B, o);
      f.f32x4Mul().f32x4Add();
      load(f, D, o);
      f.f32x4Add().storeV();
    });
  }
  return [
    { name: "chanSum", fn: chanSum },
    { name: "chanSqDev", fn: chanSqDev },
    { name: "normalize", fn: normalize },
    { name: "gradSums", fn: gradSums },
    { name: "gradApply", fn: gradApply },
  ];
}

/** Values per float32 partial sum before it is added to the float64 total. */
const BLOCK_VALUES = 16384;

/** Whether the SIMD kernels handle `x`: float32 with a channel count that is a multiple of 4. */
export function simdBatchNormSupports(x: tf.TensorInfo): boolean {
  const C = x.shape[x.shape.length - 1];
  return x.dtype === "float32" && x.shape.length >= 2 && C > 0 && C % 4 === 0 && sizeOf(x.shape) > 0;
}

function module(backend: ReturnType<typeof checkWasmInternals>): BatchNormModule {
  const m = heapModule<BatchNormModule>(backend, "batch-norm", buildFunctions);
  if (!m) throw new Error("engine/batch-norm: this JavaScript engine has no wasm SIMD (check simdBatchNormAvailable first)");
  return m;
}

/** Whether the SIMD kernels can run on `backend` (wasm backend with a reachable heap and SIMD). */
export function simdBatchNormAvailable(backend: unknown): boolean {
  try {
    return heapModule<BatchNormModule>(checkWasmInternals(backend), "batch-norm", buildFunctions) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Per-channel float64 sums over all pixels: `pass(offset, pixels, accs)` accumulates a block
 * into the float32 accumulators `accs` (zeroed per block), which are then added to the totals.
 */
function blockedSums(s: WasmScope, C: number, M: number, nAcc: number, pass: (pixel0: number, pixels: number, accs: number[]) => void): Float64Array[] {
  const acc = s.alloc([nAcc * C]);
  const accBase = s.offsetOf(acc);
  const accs = Array.from({ length: nAcc }, (_, i) => accBase + 4 * i * C);
  const totals = Array.from({ length: nAcc }, () => new Float64Array(C));
  const block = Math.max(1, Math.floor(BLOCK_VALUES / C));
  for (let p0 = 0; p0 < M; p0 += block) {
    const heap = heapF32(s.backend);
    heap.fill(0, accBase >>> 2, (accBase >>> 2) + nAcc * C);
    pass(p0, Math.min(block, M - p0), accs);
    const h = heapF32(s.backend);
    for (let i = 0; i < nAcc; i++) {
      const a = accs[i] >>> 2;
      const t = totals[i];
      for (let c = 0; c < C; c++) t[c] += h[a + c];
    }
  }
  s.free(acc);
  return totals;
}

function readVector(s: WasmScope, t: tf.TensorInfo): Float64Array {
  const n = sizeOf(t.shape);
  const start = s.offsetOf(t) >>> 2;
  return Float64Array.from(heapF32(s.backend).subarray(start, start + n));
}

/** Forward in training mode: [y, mean, variance] (biased batch variance, as tf.moments). */
export function simdBatchNormForward(backendLike: unknown, x: tf.TensorInfo, gamma: tf.TensorInfo, beta: tf.TensorInfo, epsilon: number): tf.TensorInfo[] {
  const backend = checkWasmInternals(backendLike);
  const native = nativeBatchNormPasses();
  const m = native ? undefined : module(backend);
  const s = new WasmScope(backend);
  try {
    const C = x.shape[x.shape.length - 1];
    const M = sizeOf(x.shape) / C;
    const cb = 4 * C;
    const xBase = s.offsetOf(x);
    const sum = native
      ? nativeSums(native, s, 0, xBase, 0, M, C, 0)[0]
      : blockedSums(s, C, M, 1, (p0, n, [acc]) => m!.chanSum(xBase + p0 * cb, n, cb, acc))[0];
    const mean = sum.map((v) => v / M);
    const meanT = s.fromValues([C], mean);
    const meanBase = s.offsetOf(meanT);
    const sq = native
      ? nativeSums(native, s, 1, xBase, 0, M, C, meanBase)[0]
      : blockedSums(s, C, M, 1, (p0, n, [acc]) => m!.chanSqDev(xBase + p0 * cb, n, cb, meanBase, acc))[0];
    const variance = sq.map((v) => v / M);
    const g = readVector(s, gamma);
    const scale = s.fromValues([C], variance.map((v, c) => g[c] / Math.sqrt(v + epsilon)));
    const y = s.alloc([...x.shape]);
    if (native) {
      native.bnApply(0, heapU8(backend), Float64Array.of(xBase, 0, M, C, meanBase, s.offsetOf(scale), s.offsetOf(beta), 0, s.offsetOf(y)));
    } else {
      m!.normalize(xBase, M, cb, meanBase, s.offsetOf(scale), s.offsetOf(beta), s.offsetOf(y));
    }
    const varT = s.fromValues([C], variance);
    return [s.keep(y), s.keep(meanT), s.keep(varT)];
  } finally {
    s.dispose();
  }
}

/**
 * Backward: [dx, dgamma, dbeta] from dy and the forward's x, gamma, mean, variance; `dmean` /
 * `dvar` ([C], or undefined) are gradients that reached the batch-statistics outputs.
 */
export function simdBatchNormBackward(
  backendLike: unknown,
  t: { dy: tf.TensorInfo; x: tf.TensorInfo; gamma: tf.TensorInfo; mean: tf.TensorInfo; variance: tf.TensorInfo; dmean?: tf.TensorInfo; dvar?: tf.TensorInfo },
  epsilon: number,
): tf.TensorInfo[] {
  const backend = checkWasmInternals(backendLike);
  const native = nativeBatchNormPasses();
  const m = native ? undefined : module(backend);
  const s = new WasmScope(backend);
  try {
    const { x, dy } = t;
    const C = x.shape[x.shape.length - 1];
    const M = sizeOf(x.shape) / C;
    const cb = 4 * C;
    const dyBase = s.offsetOf(dy);
    const xBase = s.offsetOf(x);
    const meanBase = s.offsetOf(t.mean);
    const [sdy, sdyx] = native
      ? nativeSums(native, s, 2, xBase, dyBase, M, C, meanBase)
      : blockedSums(s, C, M, 2, (p0, n, [a0, a1]) => m!.gradSums(dyBase + p0 * cb, xBase + p0 * cb, n, cb, meanBase, a0, a1));
    const gamma = readVector(s, t.gamma);
    const variance = readVector(s, t.variance);
    const dmean = t.dmean ? readVector(s, t.dmean) : undefined;
    const dvar = t.dvar ? readVector(s, t.dvar) : undefined;
    const A = new Float64Array(C);
    const B = new Float64Array(C);
    const D = new Float64Array(C);
    const dgamma = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const inv = 1 / Math.sqrt(variance[c] + epsilon);
      A[c] = gamma[c] * inv;
      B[c] = (-gamma[c] * inv * inv * inv * sdyx[c]) / M + (dvar ? (2 * dvar[c]) / M : 0);
      D[c] = (-gamma[c] * inv * sdy[c]) / M + (dmean ? dmean[c] / M : 0);
      dgamma[c] = inv * sdyx[c];
    }
    const [aT, bT, dT] = [s.fromValues([C], A), s.fromValues([C], B), s.fromValues([C], D)];
    const dx = s.alloc([...x.shape]);
    if (native) {
      native.bnApply(1, heapU8(backend), Float64Array.of(xBase, dyBase, M, C, meanBase, s.offsetOf(aT), s.offsetOf(bT), s.offsetOf(dT), s.offsetOf(dx)));
    } else {
      m!.gradApply(dyBase, xBase, M, cb, meanBase, s.offsetOf(aT), s.offsetOf(bT), s.offsetOf(dT), s.offsetOf(dx));
    }
    const dgammaT = s.fromValues([C], dgamma);
    const dbetaT = s.fromValues([C], sdy);
    return [s.keep(dx), s.keep(dgammaT), s.keep(dbetaT)];
  } finally {
    s.dispose();
  }
}
