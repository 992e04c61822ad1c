/**
 * bright: over-exposure — a longer exposure or a stronger lamp (gain g > 1), highlights clipping
 * at the sensor's full well, and a lifted tone curve (gamma 1/γ): v' = min(1, g · v^(1/γ)).
 * Severity s: g = 1 + 0.12 s (s = 5: 160 % of the light), γ = 1 + 0.08 s — the mirror image of
 * `dim` at the same severity, so ΔF1 (bright vs dim) compares matched changes of exposure.
 */
import { checkSeverity } from "../../augment/types";
import { mapValues, type Perturbation } from "../types";

export function brightParameters(s: number): { gain: number; gamma: number } {
  checkSeverity(s);
  return { gain: 1 + 0.12 * s, gamma: 1 + 0.08 * s };
}

export const bright: Perturbation = {
  kind: "bright",
  meaning: "over-exposure: gain > 1, a lifted tone curve, highlights clipped (v' = min(1, g·v^(1/γ)))",
  sync: true,
  parameters: (s) => brightParameters(s),
  apply(image, s) {
    const { gain, gamma } = brightParameters(s);
    return mapValues(image, (v) => gain * Math.pow(v, 1 / gamma));
  },
};
