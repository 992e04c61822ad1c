/**
 * Weight quantisation in the TensorFlow.js converter's format, so tfjs-core's own loader
 * (`tf.loadLayersModel` → io.decodeWeights) dequantises the weights — no custom decoder in the page.
 * A quantised weight keeps `dtype: "float32"` in the manifest and adds
 *   "quantization": { "dtype": "uint8", "scale": s, "min": m }   value = q · s + m
 *   "quantization": { "dtype": "float16" }                        IEEE half bits, little-endian
 * uint8 is affine per tensor over [min, max], nudged (as the converter does) so that 0.0 is exactly
 * representable — zero padding and ReLU zeros stay exact; a constant tensor gets scale 1.
 * float16 rounds to nearest, ties to even; overflow saturates to ±65504 (finite weights stay finite).
 * Non-float32 weights (int32 step counters …) pass through unchanged.
 */
export type QuantizeScheme = "none" | "float16" | "uint8";
export const QUANTIZE_SCHEMES: readonly QuantizeScheme[] = ["none", "float16", "uint8"];

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: "uint8" | "uint16" | "float16"; scale?: number; min?: number };
  [k: string]: unknown;
}

/** uint8 parameters for [lo, hi]: the converter's zero-point nudge. */
export function uint8Params(lo: number, hi: number): { scale: number; min: number } {
  const a = Math.min(lo, 0);
  const b = Math.max(hi, 0);
  if (b === a) return { scale: 1, min: a };
  const scale = (b - a) / 255;
  const zeroPoint = Math.round(-a / scale);
  return { scale, min: -zeroPoint * scale };
}

export function quantizeUint8(values: Float32Array): { data: Uint8Array; scale: number; min: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (values.length === 0) lo = hi = 0;
  const { scale, min } = uint8Params(lo, hi);
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = Math.round((values[i] - min) / scale);
    data[i] = q < 0 ? 0 : q > 255 ? 255 : q;
  }
  return { data, scale, min };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE 754 half bits, round to nearest even; overflow saturates to the largest finite half. */
export function toFloat16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN (refused upstream: checkpoints are finite)
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    const m = mant | 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++; // a carry into the exponent is the right rounding
  if ((h & 0x7c00) === 0x7c00) return sign | 0x7bff;
  return sign | h;
}

export function quantizeFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
  return out;
}

/** Re-encodes a tfjs weight buffer (float32/int32 specs, in order) under `scheme`. */
export function quantizeWeights(data: ArrayBuffer, specs: readonly WeightSpec[], scheme: QuantizeScheme): { data: ArrayBuffer; specs: WeightSpec[] } {
  if (scheme === "none") return { data, specs: specs.map((s) => ({ ...s })) };
  const parts: Uint8Array[] = [];
  const out: WeightSpec[] = [];
  let offset = 0;
  for (const s of specs) {
    if (s.quantization) throw new Error(`quantize: weight ${s.name} is already quantised (${s.quantization.dtype})`);
    const n = s.shape.reduce((a, b) => a * b, 1);
    const bytes = 4 * n;
    if (offset + bytes > data.byteLength) throw new Error(`quantize: weight ${s.name} runs past the end of the buffer`);
    if (s.dtype !== "float32") {
      parts.push(new Uint8Array(data.slice(offset, offset + bytes)));
      out.push({ ...s });
    } else {
      const values = new Float32Array(data.slice(offset, offset + bytes));
      if (scheme === "uint8") {
        const q = quantizeUint8(values);
        parts.push(q.data);
        out.push({ ...s, quantization: { dtype: "uint8", scale: q.scale, min: q.min } });
      } else {
        parts.push(new Uint8Array(quantizeFloat16(values).buffer));
        out.push({ ...s, quantization: { dtype: "float16" } });
      }
    }
    offset += bytes;
  }
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.byteLength;
  }
  return { data: joined.buffer, specs: out };
}
