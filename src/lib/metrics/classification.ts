/**
 * Classification metrics as one-liners over ConfusionStats (compute the stats once with
 * confusionStats / multilabelStats). Every function takes an explicit reduction:
 *   "none"     → per-class array
 *   "macro"    → unweighted mean over counted classes
 *   "weighted" → mean weighted by support
 *   "micro"    → computed from the summed tp/fp/fn
 * Division by zero gives 0, like sklearn's default zero_division.
 */
import { ConfusionStats } from "./confusion";

export type Reduction = "none" | "macro" | "micro" | "weighted";
export type Averaged = Exclude<Reduction, "none">;

const div = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

type PerClass = (tp: number, fp: number, fn: number, tn: number) => number;

/** Applies a per-class formula, then the reduction. */
export function reduce(s: ConfusionStats, f: PerClass, reduction: Reduction): number | number[] {
  const per = s.tp.map((tp, c) => f(tp, s.fp[c], s.fn[c], s.tn[c]));
  switch (reduction) {
    case "none":
      return per;
    case "micro":
      return f(sum(s.tp), sum(s.fp), sum(s.fn), sum(s.tn));
    case "macro": {
      const idx = per.map((_, c) => c).filter((c) => s.counted[c]);
      return div(sum(idx.map((c) => per[c])), idx.length);
    }
    case "weighted":
      return div(sum(per.map((v, c) => v * s.support[c])), sum(s.support));
    default:
      throw new Error(`unknown reduction "${reduction as string}"; use none, macro, micro or weighted`);
  }
}

const P: PerClass = (tp, fp) => div(tp, tp + fp);
const R: PerClass = (tp, _fp, fn) => div(tp, tp + fn);
const F1: PerClass = (tp, fp, fn) => div(2 * tp, 2 * tp + fp + fn);
const SPEC: PerClass = (_tp, fp, _fn, tn) => div(tn, tn + fp);

export function precision(s: ConfusionStats, reduction: "none"): number[];
export function precision(s: ConfusionStats, reduction: Averaged): number;
export function precision(s: ConfusionStats, reduction: Reduction): number | number[] {
  return reduce(s, P, reduction);
}

export function recall(s: ConfusionStats, reduction: "none"): number[];
export function recall(s: ConfusionStats, reduction: Averaged): number;
export function recall(s: ConfusionStats, reduction: Reduction): number | number[] {
  return reduce(s, R, reduction);
}

/** F1 = 2tp / (2tp + fp + fn): the harmonic mean of precision and recall, 0 when undefined. */
export function f1(s: ConfusionStats, reduction: "none"): number[];
export function f1(s: ConfusionStats, reduction: Averaged): number;
export function f1(s: ConfusionStats, reduction: Reduction): number | number[] {
  return reduce(s, F1, reduction);
}

/** Specificity (true-negative rate) tn / (tn + fp). */
export function specificity(s: ConfusionStats, reduction: "none"): number[];
export function specificity(s: ConfusionStats, reduction: Averaged): number;
export function specificity(s: ConfusionStats, reduction: Reduction): number | number[] {
  return reduce(s, SPEC, reduction);
}

/**
 * Multiclass: fraction of samples classified right (= micro F1).
 * Multilabel: mean per-label accuracy (Keras "binary accuracy"); see subsetAccuracy for sklearn's.
 */
export function accuracy(s: ConfusionStats): number {
  if (s.kind === "multiclass") return div(sum(s.tp), s.total);
  return div(sum(s.tp) + sum(s.tn), s.total * s.numClasses);
}

/** Multilabel: fraction of samples whose whole label vector is right (sklearn accuracy_score). */
export function subsetAccuracy(s: ConfusionStats): number {
  if (s.kind === "multiclass") return accuracy(s);
  return div(s.exactMatches ?? 0, s.total);
}

/** Balanced accuracy: mean recall over classes that occur in yTrue (sklearn balanced_accuracy_score). */
export function balancedAccuracy(s: ConfusionStats): number {
  const r = recall(s, "none").filter((_, c) => s.support[c] > 0);
  return div(sum(r), r.length);
}

/** True instances per class. */
export const support = (s: ConfusionStats): number[] => s.support.slice();
