/**
 * Stitched evaluation of a segmentation model on labelled full images (Severstal 256×1600): each
 * image is read, predicted by tiles (predict.ts), compared with its decoded RLE masks, and only
 * its counts (or, when asked, its probabilities) are kept — one image's float32 map at a time.
 */
import { decodeMasks } from "../data/rle";
import type { Dataset, Sample } from "../data/types";
import { imageCounts, segmentationScores, type PairCounts, type SegmentationScores } from "../metrics/segmentation";
import { createProgress, silentProgress } from "../util/progress";
import { postprocessMasks, type ClassPostprocess } from "./postprocess";
import type { TilePredictor } from "./predict";
import { predictImageFile, type FilePredictOptions } from "./predict-file";
import type { ValidationPrediction } from "./postprocess-search";

export interface StitchedEvalOptions extends FilePredictOptions {
  /** Progress label; false = silent. */
  label?: string | false;
}

/** The truth masks [H, W, 4] (0/1) of a Severstal sample; an image without RLE is defect-free. */
export function truthMasks(s: Sample, height: number, width: number): Uint8Array {
  return decodeMasks(s.rle ?? ["", "", "", ""], height, width);
}

/** Probabilities [H, W, K] of one sample's full image, and its truth. */
export async function predictSample(model: TilePredictor, s: Sample, o: StitchedEvalOptions): Promise<{ prob: Float32Array; truth: Uint8Array; height: number; width: number }> {
  const { prob, height, width } = await predictImageFile(model, s.path, o);
  return { prob, truth: truthMasks(s, height, width), height, width };
}

/** Scores of `indices` of `ds` with one post-processing (the training-time val score: threshold 0.5). */
export async function scoreStitched(
  model: TilePredictor,
  ds: Dataset,
  indices: readonly number[],
  settings: readonly ClassPostprocess[],
  o: StitchedEvalOptions,
): Promise<SegmentationScores & { pooledDice: number }> {
  const bar = o.label === false ? silentProgress : createProgress({ total: indices.length, label: o.label ?? "stitched val" });
  const counts: PairCounts[][] = [];
  for (const i of indices) {
    const r = await predictSample(model, ds.samples[i], o);
    counts.push(imageCounts(postprocessMasks(r.prob, r.height, r.width, settings), r.truth, settings.length, counts.length));
    bar.tick();
  }
  bar.done();
  return { ...segmentationScores(counts), pooledDice: pooledDice(counts) };
}

/** Validation predictions kept for the post-processing search (with flip-TTA maps when `tta` asks). */
export async function validationPredictions(model: TilePredictor, ds: Dataset, indices: readonly number[], o: StitchedEvalOptions): Promise<{ items: ValidationPrediction[]; height: number; width: number }> {
  const bar = o.label === false ? silentProgress : createProgress({ total: indices.length, label: o.label ?? "val predictions" });
  const items: ValidationPrediction[] = [];
  let height = 0;
  let width = 0;
  const tta = o.tta && (o.tta.horizontal || o.tta.vertical) ? o.tta : undefined;
  for (const i of indices) {
    const s = ds.samples[i];
    const r = await predictSample(model, s, { ...o, tta: undefined });
    height = r.height;
    width = r.width;
    const item: ValidationPrediction = { imageId: s.id, prob: r.prob, truth: r.truth };
    if (tta) item.probTta = (await predictSample(model, s, { ...o, tta })).prob;
    items.push(item);
    bar.tick();
  }
  bar.done();
  return { items, height, width };
}

/** Mean pooled Dice over classes: 2·Σtp / (2·Σtp + Σfp + Σfn) per class (1 when a class has no pixel anywhere). */
export function pooledDice(counts: readonly (readonly PairCounts[])[]): number {
  if (counts.length === 0) return NaN;
  const C = counts[0].length;
  let sum = 0;
  for (let c = 0; c < C; c++) {
    let tp = 0;
    let rest = 0;
    for (const row of counts) {
      tp += row[c].tp;
      rest += row[c].fp + row[c].fn;
    }
    sum += tp + rest === 0 ? 1 : (2 * tp) / (2 * tp + rest);
  }
  return sum / C;
}
