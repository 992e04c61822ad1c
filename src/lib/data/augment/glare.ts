/**
 * Glare / illumination perturbations for robustness evaluation (not training by default), each
 * parameterised by severity 1 (mild) .. 5 (severe), output clipped to [0, 1], mask unchanged.
 *
 * - "dim":          gain 1 - 0.12 s                         (s = 5 → 40 % of the light)
 * - "bright":       x (1 + 0.1 s) + 0.06 s, clipped          (over-exposure; saturates highlights)
 * - "specular":     a soft bright band (Gaussian profile across a random line through the image),
 *                   screen-blended: 1 - (1 - x)(1 - A g), A = 0.15 s, width σ = (0.03 + 0.01 s)·max(H, W)
 * - "illumination": smooth multiplicative field 1 + a·r, r ∈ [-1, 1] a linear ramp in a random
 *                   direction, a = 0.12 s (s = 5 → one side at 40 %, the other at 160 %)
 */
import type { Rng } from "../../util/rng";
import type { ImageData32 } from "../types";
import { checkSeverity, clamp01, photometric, type Transform } from "./types";

export type GlareKind = "dim" | "bright" | "specular" | "illumination";
export const GLARE_KINDS: readonly GlareKind[] = ["dim", "bright", "specular", "illumination"];

/** Per-pixel map (value, y, x) → value over every channel. */
function mapPixels(image: ImageData32, fn: (v: number, y: number, x: number) => number): ImageData32 {
  const { height: H, width: W, channels: C, data } = image;
  const out = new Float32Array(data.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * C;
      for (let c = 0; c < C; c++) out[p + c] = clamp01(fn(data[p + c], y, x));
    }
  }
  return { ...image, data: out };
}

/** Applies one perturbation; "specular" and "illumination" draw their geometry from `rng`. */
export function applyGlare(image: ImageData32, kind: GlareKind, severity: number, rng: Rng): ImageData32 {
  checkSeverity(severity);
  const s = severity;
  const H = image.height;
  const W = image.width;
  switch (kind) {
    case "dim": {
      const g = 1 - 0.12 * s;
      return mapPixels(image, (v) => v * g);
    }
    case "bright": {
      const g = 1 + 0.1 * s;
      const o = 0.06 * s;
      return mapPixels(image, (v) => v * g + o);
    }
    case "specular": {
      const theta = rng.uniform(0, Math.PI);
      const px = rng.uniform(0.2, 0.8) * (W - 1);
      const py = rng.uniform(0.2, 0.8) * (H - 1);
      // Unit normal of the band's centre line.
      const nx = Math.cos(theta);
      const ny = Math.sin(theta);
      const sigma = (0.03 + 0.01 * s) * Math.max(H, W);
      const A = 0.15 * s;
      return mapPixels(image, (v, y, x) => {
        const d = (x - px) * nx + (y - py) * ny;
        const g = A * Math.exp((-d * d) / (2 * sigma * sigma));
        return 1 - (1 - v) * (1 - g);
      });
    }
    case "illumination": {
      const theta = rng.uniform(0, 2 * Math.PI);
      const dx = Math.cos(theta);
      const dy = Math.sin(theta);
      const cx = (W - 1) / 2;
      const cy = (H - 1) / 2;
      // Normalise the ramp so its extreme over the image corners is exactly ±1.
      const half = Math.abs(dx) * cx + Math.abs(dy) * cy || 1;
      const a = 0.12 * s;
      return mapPixels(image, (v, y, x) => v * (1 + (a * ((x - cx) * dx + (y - cy) * dy)) / half));
    }
    default:
      throw new Error(`glare: unknown kind "${kind as string}" (expected ${GLARE_KINDS.join(", ")})`);
  }
}

export function glare(kind: GlareKind, severity: number): Transform {
  checkSeverity(severity);
  return photometric(`glare-${kind}-${severity}`, (image, rng) => applyGlare(image, kind, severity, rng));
}
