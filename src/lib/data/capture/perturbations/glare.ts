/**
 * glare: specular reflections off the wet or polished strip — one bright streak (the band model
 * of data/augment/glare.ts "specular": amplitude 0.15 s, width (0.03 + 0.01 s)·max(H, W)) plus
 * s hot spots, small saturated reflections: Gaussian blobs of σ = (0.01 + 0.004 s)·max(H, W) and
 * amplitude min(1, 0.2 s), screen-blended (1 − (1 − v)(1 − a)), so light only adds.
 */
import { applyGlare } from "../../augment/glare";
import { checkSeverity } from "../../augment/types";
import type { ImageData32 } from "../../types";
import type { Rng } from "../../../util/rng";
import type { Perturbation } from "../types";

export function glareParameters(s: number, size: { height: number; width: number }) {
  checkSeverity(s);
  const side = Math.max(size.height, size.width);
  return { streakAmplitude: 0.15 * s, streakWidthPx: (0.03 + 0.01 * s) * side, hotSpots: s, hotSpotSigmaPx: (0.01 + 0.004 * s) * side, hotSpotAmplitude: Math.min(1, 0.2 * s) };
}

function addHotSpots(image: ImageData32, s: number, rng: Rng): ImageData32 {
  const { height: H, width: W, channels: C } = image;
  const p = glareParameters(s, image);
  const out = new Float32Array(image.data);
  const reach = 3 * p.hotSpotSigmaPx;
  const inv2s2 = 1 / (2 * p.hotSpotSigmaPx * p.hotSpotSigmaPx);
  for (let k = 0; k < p.hotSpots; k++) {
    const cy = rng.uniform(0, H - 1);
    const cx = rng.uniform(0, W - 1);
    const y0 = Math.max(0, Math.floor(cy - reach));
    const y1 = Math.min(H - 1, Math.ceil(cy + reach));
    const x0 = Math.max(0, Math.floor(cx - reach));
    const x1 = Math.min(W - 1, Math.ceil(cx + reach));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const a = p.hotSpotAmplitude * Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) * inv2s2);
        const i = (y * W + x) * C;
        for (let c = 0; c < C; c++) out[i + c] = 1 - (1 - out[i + c]) * (1 - a);
      }
    }
  }
  return { ...image, data: out };
}

export const glare: Perturbation = {
  kind: "glare",
  meaning: "specular reflections: a bright streak and s saturated hot spots (screen blend)",
  sync: true,
  parameters: (s, size) => glareParameters(s, size),
  apply(image, s, rng) {
    checkSeverity(s);
    return addHotSpots(applyGlare(image, "specular", s, rng.fork("streak")), s, rng.fork("spots"));
  },
};
