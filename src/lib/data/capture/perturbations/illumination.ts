/**
 * illumination: non-uniform lighting across the strip — a smooth multiplicative gain field
 * 1 + a·r with r ∈ [−1, 1] a linear ramp in a random direction, a = 0.12 s (s = 5: one side lit at
 * 40 %, the other at 160 %). The field is data/augment/glare.ts's "illumination" model; this file
 * names it as a capture perturbation.
 */
import { applyGlare } from "../../augment/glare";
import { checkSeverity } from "../../augment/types";
import type { Perturbation } from "../types";

export const illumination: Perturbation = {
  kind: "illumination",
  meaning: "non-uniform lighting: a smooth gain ramp 1 ± a across the frame",
  sync: true,
  parameters: (s) => {
    checkSeverity(s);
    return { gainAmplitude: 0.12 * s };
  },
  apply: (image, s, rng) => applyGlare(image, "illumination", s, rng),
};
