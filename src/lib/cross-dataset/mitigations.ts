/**
 * The mitigations of the NEU → GC10 gap, each a switch measured side by side (same model, same
 * images; each row also re-scores the NEU test split with the same switch, because a mitigation
 * must not break the source task):
 * - none: the view as is (the "boxes" view against "frame" is itself the first mitigation);
 * - clahe: CLAHE on each target (and NEU) image before the resize (data/augment/clahe.ts);
 * - normalize: histogram specification onto the NEU training images' pooled histogram (intensity.ts);
 * - tta: mean probability over the image and its horizontal and vertical flips;
 * - adabn: BN moving statistics re-estimated on the target images of that view (model-ops.ts);
 *   its NEU row uses the adapted model, as deployed on the target line it would be;
 * - augment: training-time photometric and scale augmentation — not a test-time switch: it needs a
 *   model trained with it, so its row points at that run instead of a number.
 */
export type Mitigation = "none" | "clahe" | "normalize" | "tta" | "adabn" | "augment";
export const MITIGATIONS: readonly Mitigation[] = ["none", "clahe", "normalize", "tta", "adabn", "augment"];

/** The image transform a mitigation applies before the resize. */
export type ImageTransform = "none" | "clahe" | "normalize";

export function transformOf(m: Mitigation): ImageTransform {
  return m === "clahe" || m === "normalize" ? m : "none";
}

export function checkMitigations(names: readonly string[]): Mitigation[] {
  for (const n of names) if (!(MITIGATIONS as readonly string[]).includes(n)) throw new Error(`unknown mitigation "${n}" (expected one of ${MITIGATIONS.join(", ")})`);
  return [...new Set(names)] as Mitigation[];
}

export const AUGMENT_NOTE = "needs a model trained with augmentation: run experiment-neu --augment, then pass that run as the source checkpoint";
