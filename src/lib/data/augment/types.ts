/**
 * Shared shapes for augmentations. An augmentation sees one image (channel-last, [0, 1]) and an
 * optional mask (Uint8Array H*W*C, 1 = defect). Geometric transforms move the mask WITH the image
 * (same index mapping, nearest neighbour for the mask); photometric ones return the mask untouched.
 * Every transform is pure: it never writes into its input, so cached decoded images stay intact.
 */
import type { Rng } from "../../util/rng";
import type { ImageData32 } from "../types";

/** An image with its (optional) aligned mask. `mask.length` must be a multiple of height*width. */
export interface AugSample {
  image: ImageData32;
  mask?: Uint8Array;
}

export type TransformKind = "geometric" | "photometric";

export interface Transform {
  /** Short name for logs and reports, e.g. "hflip", "clahe". */
  name: string;
  kind: TransformKind;
  /**
   * Deterministic transforms that must always run (normalisation): `compose` ignores its
   * probability for them.
   */
  always?: boolean;
  /** Returns a new sample; draws any randomness from `rng` (same rng state → same output). */
  apply(sample: AugSample, rng: Rng): AugSample;
}

/** Number of mask channels, checking the mask matches the image's pixel count. */
export function maskChannels(image: ImageData32, mask: Uint8Array): number {
  const px = image.height * image.width;
  if (px === 0 || mask.length % px !== 0) {
    throw new Error(
      `mask of length ${mask.length} does not match image ${image.height}x${image.width} ` +
        `(expected a multiple of ${px}: H*W*C channel-last)`,
    );
  }
  return mask.length / px;
}

/** Checks an ImageData32's buffer length against its declared shape. */
export function checkImage(image: ImageData32): void {
  const { height, width, channels, data } = image;
  if (data.length !== height * width * channels) {
    throw new Error(
      `image buffer of length ${data.length} does not match its shape ${height}x${width}x${channels}`,
    );
  }
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** A photometric transform: maps the image, passes the mask through unchanged. */
export function photometric(
  name: string,
  fn: (image: ImageData32, rng: Rng) => ImageData32,
  always = false,
): Transform {
  return {
    name,
    kind: "photometric",
    always,
    apply: (s, rng) => ({ image: fn(s.image, rng), mask: s.mask }),
  };
}

/** Severity of a perturbation: an integer 1 (mild) .. 5 (severe). */
export function checkSeverity(severity: number): void {
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) {
    throw new Error(`severity must be an integer in 1..5, got ${severity}`);
  }
}
