/**
 * Gain / gamma jitter: out = clip(gain · x^γ) with gain ~ U(1 − g, 1 + g) and log γ ~ U(−ln Γ, ln Γ)
 * (γ < 1 lifts shadows, γ > 1 darkens them) — the exposure and tone-curve differences between
 * captures, as a camera produces them, rather than an additive offset.
 */
import type { ImageData32 } from "../types";
import { clamp01, photometric, type Transform } from "./types";

export function applyGainGamma(image: ImageData32, gain: number, gamma: number): ImageData32 {
  if (!(gain >= 0) || !(gamma > 0)) throw new Error(`applyGainGamma: gain must be ≥ 0 and gamma > 0, got ${gain}, ${gamma}`);
  const src = image.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = clamp01(gain * Math.pow(Math.max(src[i], 0), gamma));
  return { ...image, data: out };
}

export interface GainGammaOptions {
  /** Gain half-range (default 0.2: gain ∈ [0.8, 1.2]). */
  gain?: number;
  /** Largest gamma factor Γ (default 1.3: γ ∈ [1/1.3, 1.3], log-uniform). */
  gamma?: number;
}

export function gainGamma(options: GainGammaOptions = {}): Transform {
  const g = options.gain ?? 0.2;
  const G = options.gamma ?? 1.3;
  if (!(g >= 0 && g < 1) || !(G >= 1)) throw new Error(`gainGamma: gain must be in [0, 1) and gamma ≥ 1, got ${g}, ${G}`);
  return photometric("gain-gamma", (image, rng) => applyGainGamma(image, rng.uniform(1 - g, 1 + g), Math.exp(rng.uniform(-Math.log(G), Math.log(G)))));
}
