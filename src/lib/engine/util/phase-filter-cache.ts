/**
 * The re-laid-out filters of the model's weights for Conv2DBackpropInput (kernels/), kept
 * between calls; one cache per wasm backend instance. Identity sweeps it (see kernels/Identity.ts)
 * and releaseWasmKernelCaches() clears it.
 */
import * as tf from "@tensorflow/tfjs";
import type { ConvGeometry } from "./conv-geometry";
import { heapF32, memoryOffsetOf, type WasmBackendLike, type WasmScope } from "../wasm/scope";

/**
 * Sub-filter of one stride phase, rotated and with in/out channels swapped:
 *   G[t, u, co, c] = W[rh + (Jh-1-t)·sh, rw + (Jw-1-u)·sw, c, co]   (t < Jh, u < Jw).
 * With sh = sw = 1 and rh = rw = 0 this is the 180°-rotated filter of the stride-1 path.
 * Filter-sized work done with a heap loop (the wasm Reverse kernel costs ~40 ns/element).
 */
function writePhaseFilter(backend: WasmBackendLike, out: tf.TensorInfo, w: tf.TensorInfo, g: ConvGeometry, rh: number, rw: number, Jh: number, Jw: number): void {
  const { KW, C, CO, sh, sw } = g;
  const heap = heapF32(backend);
  const src = memoryOffsetOf(backend, w) >>> 2;
  const dst = memoryOffsetOf(backend, out) >>> 2;
  for (let t = 0; t < Jh; t++) {
    const kh = rh + (Jh - 1 - t) * sh;
    for (let u = 0; u < Jw; u++) {
      const kw = rw + (Jw - 1 - u) * sw;
      const wBase = src + (kh * KW + kw) * C * CO; // W[kh, kw] is [C, CO]
      const oBase = dst + (t * Jw + u) * CO * C; // G[t, u] is [CO, C]
      for (let c = 0; c < C; c++) {
        const wRow = wBase + c * CO;
        for (let co = 0; co < CO; co++) heap[oBase + co * C + c] = heap[wRow + co];
      }
    }
  }
}

/**
 * Phase filters of the model's weights (tf.Variables), kept across calls: with gradient
 * accumulation the weights stay the same for every micro-batch of a step, and re-laying them
 * out (plus XNNPACK re-packing them, ~10 ns/weight) on every call would cost ~0.5 s per
 * micro-batch for ResNet-50. Entries of weights that were disposed (replaced by an optimiser
 * step) are freed at the next call. Plain tensors (not variables) are never cached.
 */
export class PhaseFilterCache {
  private readonly entries = new Map<object, Map<string, tf.TensorInfo>>();

  /** `enabled: false` never keeps anything (every call lays the filter out again). */
  constructor(
    readonly backend: WasmBackendLike,
    readonly enabled = true,
  ) {}

  /** The phase filter of `w` for (rh, rw): cached for variables, else owned by `scope`. */
  get(scope: WasmScope, w: tf.TensorInfo, g: ConvGeometry, rh: number, rw: number, Jh: number, Jw: number): tf.TensorInfo {
    if (!this.enabled || !isVariableData(w.dataId as object)) {
      const out = scope.alloc([Jh, Jw, g.CO, g.C]);
      writePhaseFilter(this.backend, out, w, g, rh, rw, Jh, Jw);
      return out;
    }
    let byKey = this.entries.get(w.dataId as object);
    if (!byKey) {
      byKey = new Map();
      this.entries.set(w.dataId as object, byKey);
    }
    const key = `${g.KH},${g.KW},${g.C},${g.CO},${g.sh},${g.sw},${rh},${rw},${Jh},${Jw}`;
    let t = byKey.get(key);
    if (!t) {
      t = this.backend.makeOutput([Jh, Jw, g.CO, g.C], "float32");
      writePhaseFilter(this.backend, t, w, g, rh, rw, Jh, Jw);
      byKey.set(key, t);
    }
    return t;
  }

  /** Frees the entries of weights that no longer exist. */
  sweep(): void {
    for (const [src, byKey] of this.entries) {
      if (this.backend.dataIdMap.has(src)) continue;
      for (const t of byKey.values()) this.backend.disposeData(t.dataId as object);
      this.entries.delete(src);
    }
  }

  /** Frees everything (e.g. after training). */
  clear(): void {
    for (const byKey of this.entries.values()) for (const t of byKey.values()) this.backend.disposeData(t.dataId as object);
    this.entries.clear();
  }

  get size(): number {
    let n = 0;
    for (const byKey of this.entries.values()) n += byKey.size;
    return n;
  }
}

function isVariableData(dataId: object): boolean {
  const vars = (tf.engine() as unknown as { state: { registeredVariables: Record<string, tf.Variable> } }).state.registeredVariables;
  for (const name in vars) if (vars[name].dataId === dataId) return true;
  return false;
}

let current: PhaseFilterCache | undefined;
let caching = true;

/** Whether weights' phase filters are kept between calls (RegisterOptions.cacheFilters). */
export function setPhaseFilterCaching(enabled: boolean): void {
  if (enabled === caching) return;
  current?.clear();
  current = undefined;
  caching = enabled;
}

/** The cache of `backend` (a new one when the backend changed). */
export function phaseFilterCache(backend: WasmBackendLike): PhaseFilterCache {
  if (!current || current.backend !== backend) current = new PhaseFilterCache(backend, caching);
  return current;
}

/** Frees the entries of weights that no longer exist. */
export function sweepPhaseFilterCache(): void {
  current?.sweep();
}

/** Frees every cached filter (e.g. after training). */
export function clearPhaseFilterCache(): void {
  current?.clear();
}
