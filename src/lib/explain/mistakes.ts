/**
 * High-confidence mistakes: the top-k wrong single-label predictions by confidence, a confusion
 * summary of them (which true → predicted pairs dominate), and a gallery PNG whose rows show the
 * image, the CAM of the predicted class and the CAM of the true class, with both labels and
 * probabilities.
 */
import { Predictions } from "../metrics/classification-scores";
import { galleryPng } from "./gallery";
import { ImageData32 } from "../data/types";
import { camOverlay, Colormap } from "./overlay";

export interface Mistake {
  /** Row in `Predictions`. */
  index: number;
  id: string;
  trueClass: number;
  predictedClass: number;
  pPredicted: number;
  pTrue: number;
}

const argmax = (xs: readonly number[]) => xs.reduce((b, v, i) => (v > xs[b] ? i : b), 0);

/** Wrong predictions (argmax ≠ true) sorted by predicted probability, highest first; ties by row. */
export function highConfidenceMistakes(pred: Predictions, k = 20): Mistake[] {
  const out: Mistake[] = [];
  pred.probs.forEach((p, i) => {
    const t = pred.targets[i];
    if (t.reduce((a, b) => a + b, 0) !== 1) throw new Error(`highConfidenceMistakes: row ${i} (${pred.ids[i]}) is not single-label (targets ${JSON.stringify(t)})`);
    const yt = argmax(t), yp = argmax(p);
    if (yt !== yp) out.push({ index: i, id: pred.ids[i], trueClass: yt, predictedClass: yp, pPredicted: p[yp], pTrue: p[yt] });
  });
  return out.sort((a, b) => b.pPredicted - a.pPredicted || a.index - b.index).slice(0, k);
}

export interface MistakePair {
  trueLabel: string;
  predictedLabel: string;
  count: number;
}

/** true → predicted pairs among the mistakes, most frequent first. */
export function mistakeConfusion(mistakes: readonly Mistake[], classNames: readonly string[]): MistakePair[] {
  const counts = new Map<string, MistakePair>();
  for (const m of mistakes) {
    const key = `${m.trueClass}/${m.predictedClass}`;
    const c = counts.get(key) ?? { trueLabel: classNames[m.trueClass], predictedLabel: classNames[m.predictedClass], count: 0 };
    c.count++;
    counts.set(key, c);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.trueLabel.localeCompare(b.trueLabel) || a.predictedLabel.localeCompare(b.predictedLabel));
}

export interface GalleryItem {
  mistake: Mistake;
  /** The image as the model saw it. */
  image: ImageData32;
  /** CAMs [H·W] at the image's size, for the predicted and the true class. */
  camPredicted: ArrayLike<number>;
  camTrue: ArrayLike<number>;
}

/** One PNG: a row per mistake (image | CAM of the predicted class | CAM of the true class). */
export async function mistakesGalleryPng(items: readonly GalleryItem[], classNames: readonly string[], opts: { tile?: number; tileHeight?: number; colormap?: Colormap } = {}): Promise<Buffer> {
  if (items.length === 0) throw new Error("mistakesGalleryPng: no mistakes to show");
  return galleryPng(
    items.map((it, r) => ({
      caption: [
        `#${r + 1} ${it.mistake.id}   tiles: image | CAM predicted | CAM true`,
        `pred ${classNames[it.mistake.predictedClass]} p=${it.mistake.pPredicted.toFixed(3)} | true ${classNames[it.mistake.trueClass]} p=${it.mistake.pTrue.toFixed(3)}`,
      ],
      tiles: [it.image, camOverlay(it.image, it.camPredicted, opts), camOverlay(it.image, it.camTrue, opts)],
    })),
    opts,
  );
}
