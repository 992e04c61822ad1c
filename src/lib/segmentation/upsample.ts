/**
 * Bilinear resize of a channel-last float map [h, w, K] → [H, W, K] with half-pixel centres (as
 * tf.image.resizeBilinear(halfPixelCenters) and image resizers do): how probabilities predicted on
 * a downscaled frame (the `inputScale` of a run) come back to the full image the masks are scored on.
 * Written here rather than calling tf.image.resizeBilinear: the stitched maps are plain arrays on the
 * JS side, and a tensor round trip through the backend per frame would copy 256×1600×4 floats twice;
 * the test holds this to tfjs's resize.
 */
export function resizeProbabilities(prob: Float32Array, h: number, w: number, K: number, H: number, W: number): Float32Array {
  if (prob.length !== h * w * K) throw new Error(`resizeProbabilities: ${prob.length} values, expected ${h}×${w}×${K}`);
  if (h === H && w === W) return prob;
  const out = new Float32Array(H * W * K);
  // Source coordinate of each destination column/row, clamped to the edge pixels.
  const axis = (n: number, N: number) => {
    const lo = new Int32Array(N);
    const hi = new Int32Array(N);
    const f = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      const s = Math.min(Math.max(((i + 0.5) * n) / N - 0.5, 0), n - 1);
      lo[i] = Math.floor(s);
      hi[i] = Math.min(lo[i] + 1, n - 1);
      f[i] = s - lo[i];
    }
    return { lo, hi, f };
  };
  const ys = axis(h, H);
  const xs = axis(w, W);
  for (let y = 0; y < H; y++) {
    const r0 = ys.lo[y] * w;
    const r1 = ys.hi[y] * w;
    const fy = ys.f[y];
    for (let x = 0; x < W; x++) {
      const a = (r0 + xs.lo[x]) * K;
      const b = (r0 + xs.hi[x]) * K;
      const c = (r1 + xs.lo[x]) * K;
      const d = (r1 + xs.hi[x]) * K;
      const fx = xs.f[x];
      const o = (y * W + x) * K;
      for (let k = 0; k < K; k++) {
        const top = prob[a + k] + (prob[b + k] - prob[a + k]) * fx;
        const bot = prob[c + k] + (prob[d + k] - prob[c + k]) * fx;
        out[o + k] = top + (bot - top) * fy;
      }
    }
  }
  return out;
}

/** The model-input size of a full frame at `scale` (each side rounded, at least 32). */
export function scaledSize(height: number, width: number, scale = 1): { height: number; width: number } {
  if (!(scale > 0 && scale <= 1)) throw new Error(`inputScale must be in (0, 1], got ${scale}`);
  return { height: Math.max(32, Math.round(height * scale)), width: Math.max(32, Math.round(width * scale)) };
}
