/**
 * Capture perturbations for robustness tests: what a plant camera does to an image when the
 * light, the optics or the line speed change. Each is a pure function of (image, severity, rng):
 * severity is an integer 1 (mild) .. 5 (severe) with a documented physical meaning, the same
 * image, severity and seed give the same pixels, and the output keeps the image's shape and
 * stays in [0, 1].
 */
import type { Rng } from "../../util/rng";
import type { ImageData32 } from "../types";

export type PerturbationKind = "dim" | "bright" | "glare" | "illumination" | "noise" | "motion" | "defocus" | "jpeg";

export interface Perturbation {
  kind: PerturbationKind;
  /** One line: what the perturbation models physically. */
  meaning: string;
  /** The physical parameters at a severity (gain, gamma, blur length in pixels…), for reports. */
  parameters(severity: number, image: { height: number; width: number }): Record<string, number>;
  /** Sync kinds return an image; JPEG needs the codec and returns a promise. */
  apply(image: ImageData32, severity: number, rng: Rng): ImageData32 | Promise<ImageData32>;
  /** Whether apply is synchronous (usable inside a training-time Transform). */
  sync: boolean;
}

/** Per-value map into a new buffer, clipped to [0, 1]. */
export function mapValues(image: ImageData32, fn: (v: number) => number): ImageData32 {
  const src = image.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = fn(src[i]);
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { ...image, data: out };
}
