/**
 * Photometric augmentation at training time from the same perturbation models the robustness
 * test uses (a mitigation measured side by side): each sample draws one kind and a severity up to
 * `maxSeverity`. Only the sync kinds take part (JPEG needs the async codec).
 */
import { photometric, type Transform } from "../augment/types";
import type { ImageData32 } from "../types";
import { PERTURBATIONS } from "./registry";
import type { PerturbationKind } from "./types";

export interface PhotometricAugmentOptions {
  kinds?: PerturbationKind[];
  /** Highest severity drawn (uniform over 1..maxSeverity); default 3. */
  maxSeverity?: number;
}

export function photometricAugmentation(options: PhotometricAugmentOptions = {}): Transform {
  const kinds = options.kinds ?? (["dim", "bright", "glare", "illumination", "noise", "motion", "defocus"] as PerturbationKind[]);
  const maxSeverity = options.maxSeverity ?? 3;
  if (!Number.isInteger(maxSeverity) || maxSeverity < 1 || maxSeverity > 5) throw new Error(`photometricAugmentation: maxSeverity must be 1..5, got ${maxSeverity}`);
  const chosen = kinds.map((k) => PERTURBATIONS[k]);
  const async = chosen.filter((p) => !p.sync).map((p) => p.kind);
  if (async.length) throw new Error(`photometricAugmentation: ${async.join(", ")} cannot run inside a training transform (async codec); leave it out`);
  return photometric(`capture-perturbation≤${maxSeverity}`, (image, rng) => {
    const p = rng.pick(chosen);
    const severity = rng.int(1, maxSeverity + 1);
    return p.apply(image, severity, rng) as ImageData32; // sync kinds only (checked above)
  });
}
