/**
 * Composing wasm kernels inside a kernel: `WasmScope` runs other registered wasm kernels
 * directly (no engine, no tape), makes zero-copy *views* into existing heap buffers, and
 * disposes every intermediate when the composite kernel finishes — whether it returns or throws.
 *
 * WHY views: XNNPACK's matmul wants a dense row-major [rows, K] operand. A shifted window of
 * an already transposed/padded activation buffer is exactly such an operand, so the filter
 * gradient needs no im2col copy at all (see kernels/Conv2DBackpropFilter.ts).
 *
 * This file touches BackendWasm internals (`dataIdMap`, `wasm.tfjs.disposeData`) of
 * @tensorflow/tfjs-backend-wasm 4.22; `checkWasmInternals` fails loudly if they change.
 */
import * as tf from "@tensorflow/tfjs";

type DataId = object;

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: tf.DataType;
  refCount: number;
}

interface WasmModuleLike {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  tfjs: { disposeData(id: number): void; getThreadsCount(): number };
  asm?: { memory?: { buffer: ArrayBuffer } };
  wasmMemory?: { buffer: ArrayBuffer };
  PThread?: unknown;
}

/** The parts of tfjs-backend-wasm's BackendWasm this module relies on. */
export interface WasmBackendLike {
  wasm: WasmModuleLike;
  dataIdMap: {
    get(dataId: DataId): WasmTensorData | undefined;
    has(dataId: DataId): boolean;
    delete(dataId: DataId): boolean;
    numDataIds(): number;
  };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  incRef(dataId: DataId): void;
  numDataIds(): number;
}

/** Throws a clear error when the backend is not a tfjs-backend-wasm 4.x instance. */
export function checkWasmInternals(backend: unknown): WasmBackendLike {
  const b = backend as Partial<WasmBackendLike> | undefined;
  const ok =
    b != null &&
    typeof b.makeOutput === "function" &&
    typeof b.disposeData === "function" &&
    b.dataIdMap != null &&
    typeof b.dataIdMap.get === "function" &&
    typeof b.dataIdMap.delete === "function" &&
    b.wasm != null &&
    b.wasm.tfjs != null &&
    typeof b.wasm.tfjs.disposeData === "function";
  if (!ok) {
    throw new Error(
      "engine/wasm/scope: the active backend does not look like @tensorflow/tfjs-backend-wasm 4.x " +
        "(missing makeOutput/dataIdMap/wasm.tfjs); these training kernels only run on that backend",
    );
  }
  return b as WasmBackendLike;
}

/** A Float32Array over the whole wasm heap, valid until the next allocation (the heap may grow). */
export function heapF32(backend: WasmBackendLike): Float32Array {
  return new Float32Array(heapBuffer(backend));
}

/** Bytes of the whole wasm heap (ArrayBuffer, or SharedArrayBuffer with threads); same validity. */
export function heapU8(backend: WasmBackendLike): Uint8Array {
  return new Uint8Array(heapBuffer(backend));
}

function heapBuffer(backend: WasmBackendLike): ArrayBufferLike {
  const mem = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  return mem ? mem.buffer : backend.wasm.HEAPU8.buffer;
}

/** Byte offset of a tensor's data on the wasm heap. */
export function memoryOffsetOf(backend: WasmBackendLike, t: tf.TensorInfo): number {
  const d = backend.dataIdMap.get(t.dataId as DataId);
  if (!d) throw new Error("engine/wasm/scope: tensor data is not on the wasm backend");
  return d.memoryOffset;
}

/** A reference-counted share of `x`'s buffer (a zero-copy alias, as wasm's own Reshape makes). */
export function aliasOf(backend: unknown, x: tf.TensorInfo): tf.TensorInfo {
  checkWasmInternals(backend).incRef(x.dataId as DataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

type Attrs = Record<string, unknown>;

/**
 * Runs wasm kernels and owns their outputs until `keep` or `dispose`. Use one per composite
 * kernel call: `const s = new WasmScope(backend); try { ...; return s.keep(out); } finally { s.dispose(); }`.
 * Ownership is tracked per data buffer, so a reshaped alias frees/keeps the buffer it aliases.
 */
export class WasmScope {
  /** Buffers this scope allocated (value true) or viewed (value false), by dataId. */
  private readonly buffers = new Map<DataId, boolean>();

  constructor(readonly backend: WasmBackendLike) {}

  /** Runs kernel `name` of the wasm backend; the output belongs to this scope. */
  run(name: string, inputs: Record<string, tf.TensorInfo>, attrs: Attrs = {}): tf.TensorInfo {
    const kernel = tf.getKernel(name, "wasm");
    if (!kernel) throw new Error(`engine/wasm/scope: wasm kernel "${name}" is not registered`);
    const out = kernel.kernelFunc({
      inputs: inputs as unknown as tf.NamedTensorInfoMap,
      backend: this.backend as unknown as tf.KernelBackend,
      attrs: attrs as unknown as tf.NamedAttrMap,
    });
    if (Array.isArray(out)) {
      throw new Error(`engine/wasm/scope: kernel "${name}" returned ${out.length} outputs, expected one`);
    }
    const id = out.dataId as DataId;
    if (this.buffers.has(id)) {
      // The kernel returned an alias of a buffer we already track (e.g. Identity/Reshape
      // bumped its refCount): drop that extra reference so one free() still releases it.
      if (this.buffers.get(id) === true) this.backend.disposeData(id);
      else this.backend.dataIdMap.get(id)!.refCount--;
    } else {
      this.buffers.set(id, true);
    }
    return out;
  }

  /** Same buffer, new shape: an alias (no copy, no new ownership). */
  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    if (sizeOf(shape) !== sizeOf(x.shape)) {
      throw new Error(`engine/wasm/scope: cannot reshape [${x.shape}] to [${shape}]`);
    }
    return { dataId: x.dataId, shape, dtype: x.dtype };
  }

  /** A fresh, uninitialised float32 buffer owned by this scope. */
  alloc(shape: number[]): tf.TensorInfo {
    const out = this.backend.makeOutput(shape, "float32");
    this.buffers.set(out.dataId as DataId, true);
    return out;
  }

  /** Byte offset of a tensor's data on the heap. */
  offsetOf(x: tf.TensorInfo): number {
    return memoryOffsetOf(this.backend, x);
  }

  /**
   * A zero-copy float32 view of `shape` starting `elemOffset` elements into `base`'s buffer.
   * The caller guarantees the view stays inside memory that `base` owns.
   */
  view(base: tf.TensorInfo, elemOffset: number, shape: number[]): tf.TensorInfo {
    if (base.dtype !== "float32") throw new Error(`engine/wasm/scope: views need float32, got ${base.dtype}`);
    const out = this.backend.makeOutput(shape, "float32", this.offsetOf(base) + 4 * elemOffset);
    this.buffers.set(out.dataId as DataId, false);
    return out;
  }

  /** A new float32 buffer of `shape` holding `values`, owned by this scope. */
  fromValues(shape: number[], values: ArrayLike<number>): tf.TensorInfo {
    const t = this.alloc(shape);
    heapF32(this.backend).set(values, this.offsetOf(t) >>> 2);
    return t;
  }

  /** Copies `src` (float32) into `dst` at element offset `dstOffset` (native memmove). */
  copyInto(dst: tf.TensorInfo, dstOffset: number, src: tf.TensorInfo): void {
    const n = sizeOf(src.shape);
    const heap = heapF32(this.backend);
    const s = this.offsetOf(src) >>> 2;
    heap.copyWithin((this.offsetOf(dst) >>> 2) + dstOffset, s, s + n);
  }

  /** Sets every element of float32 `t` to `value`. */
  fill(t: tf.TensorInfo, value: number): void {
    const start = this.offsetOf(t) >>> 2;
    heapF32(this.backend).fill(value, start, start + sizeOf(t.shape));
  }

  /**
   * Copies the window rows [top, top+H) × cols [left, left+W) of NHWC `t` into a new buffer
   * (one memmove per image row; the wasm StridedSlice kernel is ~100x slower for this).
   */
  cropNHWC(t: tf.TensorInfo, top: number, left: number, H: number, W: number): tf.TensorInfo {
    const [n, Hf, Wf, C] = t.shape;
    if (top === 0 && left === 0 && Hf === H && Wf === W) return t;
    if (top < 0 || left < 0 || top + H > Hf || left + W > Wf) {
      throw new Error(`engine/wasm/scope: crop [${top}+${H}, ${left}+${W}] outside [${t.shape}]`);
    }
    const out = this.alloc([n, H, W, C]);
    const heap = heapF32(this.backend);
    const src = this.offsetOf(t) >>> 2;
    const dst = this.offsetOf(out) >>> 2;
    const rowLen = W * C;
    for (let i = 0; i < n; i++) {
      for (let h = 0; h < H; h++) {
        const s = src + ((i * Hf + top + h) * Wf + left) * C;
        heap.copyWithin(dst + (i * H + h) * rowLen, s, s + rowLen);
      }
    }
    return out;
  }

  /** Frees `x`'s buffer now (it must belong to this scope). */
  free(x: tf.TensorInfo): void {
    const id = x.dataId as DataId;
    const own = this.buffers.get(id);
    if (own === undefined) throw new Error("engine/wasm/scope: free() of a tensor this scope does not own");
    this.buffers.delete(id);
    if (own) this.backend.disposeData(id);
    else this.releaseView(id);
  }

  /** Frees `x`'s buffer if this scope owns it (inputs and their aliases are left alone). */
  release(x: tf.TensorInfo): void {
    if (this.buffers.has(x.dataId as DataId)) this.free(x);
  }

  /** Hands `x`'s buffer to the caller (the engine): it survives the scope. Views cannot be kept. */
  keep(x: tf.TensorInfo): tf.TensorInfo {
    const id = x.dataId as DataId;
    const own = this.buffers.get(id);
    if (own === undefined) throw new Error("engine/wasm/scope: keep() of a tensor this scope does not own");
    if (own === false) throw new Error("engine/wasm/scope: keep() of a view; copy it first (its memory belongs to another tensor)");
    this.buffers.delete(id);
    return x;
  }

  /** Disposes every intermediate and view. Idempotent. */
  dispose(): void {
    const entries = [...this.buffers.entries()];
    this.buffers.clear();
    // Views first: releasing one also drops XNNPACK operators cached on its id.
    for (const [id, own] of entries) if (!own) this.releaseView(id);
    for (const [id, own] of entries) if (own) this.backend.disposeData(id);
  }

  private releaseView(id: DataId): void {
    const d = this.backend.dataIdMap.get(id);
    if (!d) return;
    // Never free() a view's memory: it belongs to its base tensor. Drop the C++ registration
    // (which also deletes operators cached on this id) and the JS bookkeeping only.
    this.backend.wasm.tfjs.disposeData(d.id);
    this.backend.dataIdMap.delete(id);
  }
}

/** Calls `body` with a fresh scope and disposes the scope afterwards. */
export function withScope<T>(backend: WasmBackendLike, body: (s: WasmScope) => T): T {
  const scope = new WasmScope(backend);
  try {
    return body(scope);
  } finally {
    scope.dispose();
  }
}
