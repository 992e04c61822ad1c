/**
 * Test-time mitigations, each a switch measured side by side on the same split and seed. (Every
 * model here already standardises each image in its first layer — models/input-normalization.ts —
 * so per-image standardisation is always on; these act before it.)
 * - none: the perturbed frame as captured.
 * - clahe: contrast-limited adaptive histogram equalisation (data/augment/clahe.ts) on the captured
 *   frame — the "adaptive contrast enhancement" the classification write-up names as the fix.
 * - tta: the mean of the probabilities over the frame and its horizontal and vertical flips.
 * Training-time photometric augmentation (augmentation.ts) is the fourth mitigation; it needs a
 * model trained with it, so it is compared as a second checkpoint, not as a switch here.
 */
import { clahe } from "../data/augment/clahe";
import type { ImageData32 } from "../data/types";

export type TestTimeMitigation = "none" | "clahe" | "tta" | "clahe+tta";
export const TEST_TIME_MITIGATIONS: readonly TestTimeMitigation[] = ["none", "clahe", "tta", "clahe+tta"];

export function mitigationImage(m: TestTimeMitigation, image: ImageData32): ImageData32 {
  return m === "clahe" || m === "clahe+tta" ? clahe(image) : image;
}

export function mitigationUsesTta(m: TestTimeMitigation): boolean {
  return m === "tta" || m === "clahe+tta";
}

export function checkMitigation(name: string): TestTimeMitigation {
  if (!(TEST_TIME_MITIGATIONS as readonly string[]).includes(name)) throw new Error(`unknown mitigation "${name}" (expected one of ${TEST_TIME_MITIGATIONS.join(", ")})`);
  return name as TestTimeMitigation;
}
