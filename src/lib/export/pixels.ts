/**
 * Decoded RGBA pixels (what a browser canvas gives) → the model's input, exactly as Node's
 * readImage does it with sharp: drop alpha, resize (vips-resize.ts, byte-identical to sharp),
 * apply the channel policy of data/image-io.ts, scale by 1/255 in float32. No Node imports.
 */
import { vipsResizeLinear } from "./vips-resize";

export interface ModelInput {
  data: Float32Array;
  height: number;
  width: number;
  channels: 1 | 3;
}

/** RGBA (4 bytes a pixel) → RGB, or → grey when every pixel has R = G = B (as sharp keeps grey sources grey). */
export function dropAlpha(rgba: Uint8Array | Uint8ClampedArray, height: number, width: number): { data: Uint8Array; channels: 1 | 3 } {
  const n = height * width;
  if (rgba.length !== 4 * n) throw new Error(`pixels: ${rgba.length} bytes is not ${height}x${width} RGBA`);
  let grey = true;
  for (let p = 0; p < n && grey; p++) grey = rgba[4 * p] === rgba[4 * p + 1] && rgba[4 * p] === rgba[4 * p + 2];
  const c = grey ? 1 : 3;
  const out = new Uint8Array(n * c);
  for (let p = 0; p < n; p++) for (let k = 0; k < c; k++) out[p * c + k] = rgba[4 * p + k];
  return { data: out, channels: c };
}

export function toModelInput(rgba: Uint8Array | Uint8ClampedArray, height: number, width: number, input: { height: number; width: number; channels: 1 | 3 }): ModelInput {
  const src = dropAlpha(rgba, height, width);
  const r = vipsResizeLinear({ data: src.data, height, width, channels: src.channels }, input.height, input.width);
  const n = r.height * r.width;
  const outC = input.channels;
  const out = new Float32Array(n * outC);
  const k = 1 / 255;
  const s = r.data;
  if (r.channels === outC) for (let i = 0; i < out.length; i++) out[i] = s[i] * k;
  else if (outC === 3) for (let p = 0; p < n; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = s[p] * k;
  else for (let p = 0; p < n; p++) out[p] = Math.round(0.299 * s[3 * p] + 0.587 * s[3 * p + 1] + 0.114 * s[3 * p + 2]) * k;
  return { data: out, height: r.height, width: r.width, channels: outC };
}
