/**
 * dim: under-exposure — a shorter exposure or a weaker lamp (gain g < 1), with the camera's
 * tone curve darkening mid-tones further (gamma γ > 1): v' = g · v^γ.
 * Severity s: g = 1 − 0.12 s (s = 5: 40 % of the light), γ = 1 + 0.08 s.
 */
import { checkSeverity } from "../../augment/types";
import { mapValues, type Perturbation } from "../types";

export function dimParameters(s: number): { gain: number; gamma: number } {
  checkSeverity(s);
  return { gain: 1 - 0.12 * s, gamma: 1 + 0.08 * s };
}

export const dim: Perturbation = {
  kind: "dim",
  meaning: "under-exposure: gain < 1 and a darker tone curve (v' = g·v^γ)",
  sync: true,
  parameters: (s) => dimParameters(s),
  apply(image, s) {
    const { gain, gamma } = dimParameters(s);
    return mapValues(image, (v) => gain * Math.pow(v, gamma));
  },
};
