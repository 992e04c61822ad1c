/**
 * motion: motion blur — the strip moves during the exposure, so each pixel integrates the scene
 * along a line. Kernel: a segment of length L at a random angle, sampled every quarter pixel and
 * averaged (bilinear weights splatted into a sparse kernel, edges clamped) — dense enough to
 * approximate the continuous box, so the blur grows smoothly with L (unit steps make the kernel's
 * shape jump as L crosses integers). Severity s: L = 0.01 s · max(H, W) pixels, the share of the
 * frame travelled during the exposure (s = 5 → 5 %: 10 px on a 200×200 NEU patch).
 */
import { checkSeverity } from "../../augment/types";
import type { Perturbation } from "../types";
import { convolveTaps, splatTaps } from "./sampling";

export function motionParameters(s: number, size: { height: number; width: number }): { lengthPx: number } {
  checkSeverity(s);
  return { lengthPx: 0.01 * s * Math.max(size.height, size.width) };
}

export const motion: Perturbation = {
  kind: "motion",
  meaning: "motion blur: a line kernel of length L at a random angle",
  sync: true,
  parameters: (s, size) => motionParameters(s, size),
  apply(image, s, rng) {
    const L = motionParameters(s, image).lengthPx;
    const theta = rng.uniform(0, Math.PI);
    const n = Math.max(2, Math.ceil(4 * L)) + 1;
    const points = Array.from({ length: n }, (_, k) => {
      const t = -L / 2 + (L * k) / (n - 1);
      return { dy: t * Math.sin(theta), dx: t * Math.cos(theta), w: 1 / n };
    });
    return convolveTaps(image, splatTaps(points));
  },
};
