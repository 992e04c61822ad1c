/**
 * noise: sensor noise in low light or at high gain — photon shot noise (Poisson: a pixel of
 * value v collects k ~ Poisson(v·N) photons, read back as k/N) plus Gaussian read noise σ_r.
 * Severity s: N = 4000 / 2^(s−1) photons at full scale (s = 1: 4000, SNR ≈ 45 at v = 0.5;
 * s = 5: 250, SNR ≈ 11), σ_r = 0.004 s. The data sets are monochrome cameras, so one draw per
 * pixel is applied to all its channels (grey content stays grey).
 */
import { checkSeverity } from "../../augment/types";
import type { Rng } from "../../../util/rng";
import type { Perturbation } from "../types";

export function noiseParameters(s: number): { photonsAtFullScale: number; readNoise: number } {
  checkSeverity(s);
  return { photonsAtFullScale: 4000 / 2 ** (s - 1), readNoise: 0.004 * s };
}

/** Poisson draw: Knuth's product method for small means, the normal approximation above 30. */
export function poisson(lambda: number, rng: Rng): number {
  if (lambda <= 0) return 0;
  if (lambda >= 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

export const noise: Perturbation = {
  kind: "noise",
  meaning: "sensor noise: Poisson shot noise (N photons at full scale) + Gaussian read noise",
  sync: true,
  parameters: (s) => noiseParameters(s),
  apply(image, s, rng) {
    const { photonsAtFullScale: N, readNoise } = noiseParameters(s);
    const { height: H, width: W, channels: C, data } = image;
    const out = new Float32Array(data.length);
    for (let p = 0; p < H * W; p++) {
      const i = p * C;
      const v = data[i];
      const noisy = poisson(v * N, rng) / N + readNoise * rng.normal();
      const delta = noisy - v;
      for (let c = 0; c < C; c++) {
        const o = data[i + c] + delta;
        out[i + c] = o < 0 ? 0 : o > 1 ? 1 : o;
      }
    }
    return { ...image, data: out };
  },
};
