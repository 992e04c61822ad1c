/**
 * Deletion and insertion curves (Petsiuk et al., RISE 2018): remove (or insert) pixels most
 * relevant first in `steps` equal steps and follow the target's probability; the area under the
 * curve is low for a faithful map under deletion and high under insertion. Deleted pixels take
 * the image's per-channel mean; insertion starts from a blurred copy (8×8 block means, bilinear
 * back up), as RISE. The same curves with a seeded random order are the reference.
 */
import * as tf from "@tensorflow/tfjs";
import { auc } from "../../metrics/curves";
import { copyPixels, ModelImage, randomOrder, relevanceOrder, ScoreFn, scoreFrames, ScoredFrames } from "./removal";

export interface Curve {
  /** Fraction of pixels removed / inserted, 0..1. */
  fractions: number[];
  scores: number[];
  auc: number;
}

export interface DeletionInsertion {
  deletion: Curve;
  insertion: Curve;
}

export interface DeletionInsertionOptions {
  steps?: number;
  /** Random orders averaged for the reference curves. */
  randomRepeats?: number;
  seed?: number;
}

function channelMean(img: ModelImage): Float32Array {
  const out = new Float32Array(img.data.length);
  for (let c = 0; c < img.channels; c++) {
    let s = 0;
    for (let i = c; i < img.data.length; i += img.channels) s += img.data[i];
    const m = s / (img.data.length / img.channels);
    for (let i = c; i < out.length; i += img.channels) out[i] = m;
  }
  return out;
}

function blurred(img: ModelImage): Float32Array {
  // Block means (8×8, or the whole image when smaller), bilinear back up: a blur, not a subsample.
  const f = Math.min(8, img.height, img.width);
  return tf.tidy(() => {
    const x = tf.tensor4d(img.data, [1, img.height, img.width, img.channels]);
    const small = tf.avgPool(x, [f, f], [f, f], "same");
    return tf.image.resizeBilinear(small, [img.height, img.width]).dataSync() as Float32Array;
  });
}

/** Frames along one order: start from `start`, copy `source` pixels in `order`, step by step. */
function curveFrames(img: ModelImage, start: Float32Array, source: Float32Array, order: number[], steps: number): { frames: Float32Array[]; fractions: number[] } {
  const n = order.length;
  const frames: Float32Array[] = [];
  const fractions: number[] = [];
  const cur = Float32Array.from(start);
  let done = 0;
  for (let s = 0; s <= steps; s++) {
    const upto = Math.round((s * n) / steps);
    copyPixels(cur, source, order.slice(done, upto), img.channels);
    done = upto;
    frames.push(Float32Array.from(cur));
    fractions.push(upto / n);
  }
  return { frames, fractions };
}

function meanCurve(curves: Curve[]): Curve {
  const scores = curves[0].scores.map((_, i) => curves.reduce((s, c) => s + c.scores[i], 0) / curves.length);
  return { fractions: curves[0].fractions, scores, auc: auc(curves[0].fractions, scores) };
}

function checkCam(img: ModelImage, cam: ArrayLike<number>): void {
  if (cam.length !== img.height * img.width) throw new Error(`deletionInsertion: CAM has ${cam.length} values, image ${img.height}x${img.width}`);
}

/** Deletion + insertion frames along `orders` (pixel indices, first removed / inserted first), curves averaged over the orders. */
function alongFrames(img: ModelImage, orders: number[][], steps: number): ScoredFrames<DeletionInsertion> {
  const mean = channelMean(img), blur = blurred(img);
  const parts = orders.flatMap((order) => [curveFrames(img, img.data, mean, order, steps), curveFrames(img, blur, img.data, order, steps)]);
  const per = steps + 1;
  return {
    frames: parts.flatMap((p) => p.frames),
    result(scores) {
      const curves = parts.map((p, i) => {
        const s = scores.slice(i * per, (i + 1) * per);
        return { fractions: p.fractions, scores: s, auc: auc(p.fractions, s) };
      });
      const pick = (k: number) => curves.filter((_, i) => i % 2 === k);
      return orders.length === 1 ? { deletion: curves[0], insertion: curves[1] } : { deletion: meanCurve(pick(0)), insertion: meanCurve(pick(1)) };
    },
  };
}

/** The frames of deletion + insertion for one image and its CAM (H·W values at the image's size), to score with others in one batch. */
export function deletionInsertionFrames(img: ModelImage, cam: ArrayLike<number>, opts: DeletionInsertionOptions = {}): ScoredFrames<DeletionInsertion> {
  checkCam(img, cam);
  return alongFrames(img, [relevanceOrder(cam)], opts.steps ?? 20);
}

/** The frames of the reference: `randomRepeats` seeded random orders (independent of any CAM), curves averaged. */
export function randomDeletionInsertionFrames(img: ModelImage, opts: DeletionInsertionOptions = {}): ScoredFrames<DeletionInsertion> {
  const orders = Array.from({ length: opts.randomRepeats ?? 3 }, (_, r) => randomOrder(img.height * img.width, opts.seed ?? 0, `deletion-insertion/${r}`));
  return alongFrames(img, orders, opts.steps ?? 20);
}

/** Deletion + insertion for one image and its CAM. */
export async function deletionInsertion(img: ModelImage, cam: ArrayLike<number>, score: ScoreFn, opts: DeletionInsertionOptions = {}): Promise<DeletionInsertion> {
  return scoreFrames(deletionInsertionFrames(img, cam, opts), img, score);
}

/** The random-order reference curves. */
export async function randomDeletionInsertion(img: ModelImage, score: ScoreFn, opts: DeletionInsertionOptions = {}): Promise<DeletionInsertion> {
  return scoreFrames(randomDeletionInsertionFrames(img, opts), img, score);
}
