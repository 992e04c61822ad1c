/** The capture perturbations by name, and the seeded entry point every caller uses. */
import type { ImageData32 } from "../types";
import { createRng, type Rng } from "../../util/rng";
import { bright } from "./perturbations/bright";
import { defocus } from "./perturbations/defocus";
import { dim } from "./perturbations/dim";
import { glare } from "./perturbations/glare";
import { illumination } from "./perturbations/illumination";
import { jpeg } from "./perturbations/jpeg";
import { motion } from "./perturbations/motion";
import { noise } from "./perturbations/noise";
import type { Perturbation, PerturbationKind } from "./types";

export const PERTURBATIONS: Readonly<Record<PerturbationKind, Perturbation>> = { dim, bright, glare, illumination, noise, motion, defocus, jpeg };
export const PERTURBATION_KINDS = Object.keys(PERTURBATIONS) as PerturbationKind[];

export function perturbationByName(kind: string): Perturbation {
  const p = (PERTURBATIONS as Record<string, Perturbation | undefined>)[kind];
  if (!p) throw new Error(`unknown perturbation "${kind}" (expected one of ${PERTURBATION_KINDS.join(", ")})`);
  return p;
}

/**
 * Applies a perturbation. `seed` is a number or string (e.g. `${seed}/${imageId}` so each image
 * gets its own draw, the same on every run) or an Rng the caller owns. The stream does not
 * depend on the severity: one seed fixes the geometry (streak position, blur angle, noise draws)
 * and the severity only scales it, so a severity sweep shows one scene getting worse.
 */
export async function perturb(image: ImageData32, kind: PerturbationKind, severity: number, seed: number | string | Rng): Promise<ImageData32> {
  const rng = typeof seed === "object" ? seed : createRng(seed, `perturb/${kind}`);
  return perturbationByName(kind).apply(image, severity, rng);
}
