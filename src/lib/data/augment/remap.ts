/**
 * Exact pixel permutations (flips, rot90, crops) on channel-last buffers. Each is used for both
 * the image and its mask, so the two share exactly one index mapping. Written as plain index
 * loops (no per-pixel callbacks): these run on the main thread for every training sample.
 */

export type PixelArray = Float32Array | Uint8Array;

function alloc<T extends PixelArray>(like: T, n: number): T {
  return (like instanceof Float32Array ? new Float32Array(n) : new Uint8Array(n)) as T;
}

/** out[y][x] = src[y][W-1-x] */
export function flipHorizontal<T extends PixelArray>(src: T, H: number, W: number, C: number): T {
  const out = alloc(src, src.length);
  for (let y = 0; y < H; y++) {
    const row = y * W * C;
    for (let x = 0; x < W; x++) {
      const d = row + x * C;
      const s = row + (W - 1 - x) * C;
      for (let c = 0; c < C; c++) out[d + c] = src[s + c];
    }
  }
  return out;
}

/** out[y][x] = src[H-1-y][x] (whole rows copied). */
export function flipVertical<T extends PixelArray>(src: T, H: number, W: number, C: number): T {
  const out = alloc(src, src.length);
  const rowLen = W * C;
  for (let y = 0; y < H; y++) out.set(src.subarray((H - 1 - y) * rowLen, (H - y) * rowLen), y * rowLen);
  return out;
}

/** Window rows top..top+h-1, cols left..left+w-1 (whole row segments copied). */
export function cropPixels<T extends PixelArray>(src: T, W: number, C: number, top: number, left: number, h: number, w: number): T {
  const out = alloc(src, h * w * C);
  for (let y = 0; y < h; y++) {
    const s = ((top + y) * W + left) * C;
    out.set(src.subarray(s, s + w * C), y * w * C);
  }
  return out;
}

/**
 * numpy rot90 with k in 0..3 (counter-clockwise as displayed). Output is W x H for odd k:
 * k=1: out[i][j] = src[j][W-1-i]; k=2: out[i][j] = src[H-1-i][W-1-j]; k=3: out[i][j] = src[H-1-j][i].
 */
export function rot90Pixels<T extends PixelArray>(src: T, H: number, W: number, C: number, k: 0 | 1 | 2 | 3): T {
  if (k === 0) return src.slice() as T;
  if (k === 2) {
    const out = alloc(src, src.length);
    const n = H * W;
    for (let p = 0; p < n; p++) {
      const s = (n - 1 - p) * C;
      const d = p * C;
      for (let c = 0; c < C; c++) out[d + c] = src[s + c];
    }
    return out;
  }
  const out = alloc(src, src.length);
  // Walk the source row by row; (y, x) lands at k=1: (W-1-x, y), k=3: (x, H-1-y) in an H-wide output.
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = (y * W + x) * C;
      const d = k === 1 ? ((W - 1 - x) * H + y) * C : (x * H + (H - 1 - y)) * C;
      for (let c = 0; c < C; c++) out[d + c] = src[s + c];
    }
  }
  return out;
}
