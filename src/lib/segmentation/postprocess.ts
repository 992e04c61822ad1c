/**
 * Post-processing of predicted probability maps into binary masks, per class. Every step is a
 * switch with a default that leaves it off, except the pixel threshold (0.5):
 *   1. classifier gating   keep the class mask only when the image's presence probability p ≥ gate
 *   2. pixel threshold     prob ≥ threshold
 *   3. min component size  connected components below N pixels dropped (4- or 8-connectivity)
 *   4. min total area      a class mask below N pixels in total becomes empty
 * (Flip TTA acts on the probabilities before this, in predict.ts.)
 *
 * Shapes: prob [H, W, C] channel-last Float32Array; the result [H, W, C] Uint8Array 0/1.
 */
import { removeSmallComponents, type Connectivity } from "./components";

export interface ClassPostprocess {
  /** Pixel threshold on the probability; default 0.5. */
  threshold: number;
  /** Components smaller than this many pixels are dropped; default 0 (off). */
  minComponentSize: number;
  /** Connectivity of the components; default 8. */
  connectivity: Connectivity;
  /** A mask with fewer pixels in total becomes empty; default 0 (off). */
  minArea: number;
  /** Classifier gating: keep the mask only when presence p ≥ gate; undefined = off. */
  gate?: number;
}

export const DEFAULT_CLASS_POSTPROCESS: Readonly<ClassPostprocess> = { threshold: 0.5, minComponentSize: 0, connectivity: 8, minArea: 0 };

/** One setting for every class, or one per class; unset fields take the defaults. */
export type PostprocessInput = Partial<ClassPostprocess> | readonly Partial<ClassPostprocess>[];

/** Full per-class settings for `classes` channels; rejects out-of-range values by class and field. */
export function resolvePostprocess(classes: number, input: PostprocessInput = {}): ClassPostprocess[] {
  const list = Array.isArray(input) ? input : Array.from({ length: classes }, () => input as Partial<ClassPostprocess>);
  if (list.length !== classes) throw new Error(`postprocess: ${list.length} per-class settings for ${classes} classes`);
  return list.map((p, c) => {
    const r: ClassPostprocess = { ...DEFAULT_CLASS_POSTPROCESS, ...stripUndefined(p) };
    const bad = (what: string) => new Error(`postprocess class ${c}: ${what}`);
    if (!(r.threshold >= 0 && r.threshold <= 1)) throw bad(`threshold ${r.threshold} must be in [0, 1]`);
    if (!Number.isInteger(r.minComponentSize) || r.minComponentSize < 0) throw bad(`minComponentSize ${r.minComponentSize} must be an integer ≥ 0`);
    if (!Number.isInteger(r.minArea) || r.minArea < 0) throw bad(`minArea ${r.minArea} must be an integer ≥ 0`);
    if (r.connectivity !== 4 && r.connectivity !== 8) throw bad(`connectivity ${r.connectivity} must be 4 or 8`);
    if (r.gate !== undefined && !(r.gate >= 0 && r.gate <= 1)) throw bad(`gate ${r.gate} must be in [0, 1]`);
    return r;
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * One class of a probability map → binary mask [H·W]. `presence` is the classifier's probability
 * for this class (needed only when the class is gated).
 */
export function postprocessChannel(prob: ArrayLike<number>, height: number, width: number, channels: number, c: number, p: ClassPostprocess, presence?: number): Uint8Array {
  const n = height * width;
  if (prob.length !== n * channels) throw new Error(`postprocess: probabilities have ${prob.length} values, expected ${height}×${width}×${channels}`);
  let mask = new Uint8Array(n);
  if (p.gate !== undefined) {
    if (presence === undefined || !Number.isFinite(presence)) throw new Error(`postprocess class ${c}: gating is on (gate ${p.gate}) but no presence probability was given`);
    if (presence < p.gate) return mask;
  }
  for (let i = 0, j = c; i < n; i++, j += channels) mask[i] = prob[j] >= p.threshold ? 1 : 0;
  if (p.minComponentSize > 1) mask = removeSmallComponents(mask, height, width, p.minComponentSize, p.connectivity);
  if (p.minArea > 0) {
    let area = 0;
    for (let i = 0; i < n; i++) area += mask[i];
    if (area < p.minArea) mask.fill(0);
  }
  return mask;
}

/** All classes: prob [H, W, C] → mask [H, W, C] (0/1). `presence` [C] when any class is gated. */
export function postprocessMasks(prob: ArrayLike<number>, height: number, width: number, settings: readonly ClassPostprocess[], presence?: readonly number[]): Uint8Array {
  const C = settings.length;
  if (presence !== undefined && presence.length !== C) throw new Error(`postprocess: ${presence.length} presence probabilities for ${C} classes`);
  const out = new Uint8Array(height * width * C);
  for (let c = 0; c < C; c++) {
    const m = postprocessChannel(prob, height, width, C, c, settings[c], presence?.[c]);
    for (let i = 0, j = c; i < m.length; i++, j += C) out[j] = m[i];
  }
  return out;
}
