/**
 * Zero-shot scores: what share of the target items the source classifier calls the mapped class
 * (with its Wilson 95 % interval), and the full distribution of its predictions over the source
 * classes — where the misses go says what the model thinks the target looks like.
 */
import { wilson, type Rate } from "./wilson";

export interface ItemPrediction {
  id: string;
  imageId: string;
  predicted: string;
  /** Probability of the predicted class. */
  confidence: number;
  /** Probability of the mapped (expected) class. */
  pMapped: number;
  hit: boolean;
}

export interface ZeroShotScore {
  mappedClass: string;
  n: number;
  hit: Rate;
  /** One row per source class, in class order; counts sum to n. */
  distribution: { className: string; count: number; share: number }[];
  predictions: ItemPrediction[];
}

function argmax(p: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}

export function zeroShotScore(probs: readonly (readonly number[])[], items: readonly { id: string; imageId: string }[], classNames: readonly string[], mapped: number): ZeroShotScore {
  if (probs.length !== items.length) throw new Error(`cross-dataset: ${probs.length} predictions for ${items.length} items`);
  if (!(mapped >= 0 && mapped < classNames.length)) throw new Error(`cross-dataset: mapped class index ${mapped} outside 0..${classNames.length - 1}`);
  const counts = new Array<number>(classNames.length).fill(0);
  const predictions = probs.map((p, i) => {
    const k = argmax(p);
    counts[k]++;
    return { id: items[i].id, imageId: items[i].imageId, predicted: classNames[k], confidence: p[k], pMapped: p[mapped], hit: k === mapped };
  });
  const n = items.length;
  return {
    mappedClass: classNames[mapped],
    n,
    hit: wilson(counts[mapped], n),
    distribution: classNames.map((className, i) => ({ className, count: counts[i], share: counts[i] / n })),
    predictions,
  };
}

/** Accuracy of probabilities against integer targets, with its Wilson interval. */
export function accuracyRate(probs: readonly (readonly number[])[], targets: readonly number[]): Rate {
  let k = 0;
  probs.forEach((p, i) => (k += argmax(p) === targets[i] ? 1 : 0));
  return wilson(k, probs.length);
}
