/**
 * Segmentation metrics in plain JS. Dice is computed per image and class, with the Kaggle
 * Severstal rule: an empty prediction on an empty mask scores 1 (a correct "no defect").
 */

/** Dice from counts; empty prediction + empty truth = 1. */
export function diceFromCounts(intersection: number, predSum: number, trueSum: number): number {
  if (predSum + trueSum === 0) return 1;
  return (2 * intersection) / (predSum + trueSum);
}

export interface DiceResult {
  /** [N][C] Dice per image and class. */
  perImageClass: number[][];
  /** Mean over images, per class. */
  perClass: number[];
  /** Mean over all (image, class) pairs: the Severstal leaderboard score. */
  mean: number;
}

/**
 * Dice per image/class for channel-last masks [N, H, W, C] given as flat arrays.
 * `pred` holds probabilities (binarised with `threshold`) or 0/1; `truth` holds 0/1.
 */
export function dicePerImageClass(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  threshold = 0.5,
): DiceResult {
  const [N, H, W, C] = shape;
  const size = N * H * W * C;
  if (pred.length !== size || truth.length !== size) {
    throw new Error(`dicePerImageClass: shape [${shape.join(", ")}] needs ${size} values, got pred ${pred.length} / truth ${truth.length}`);
  }
  const per = H * W * C;
  const perImageClass: number[][] = [];
  for (let n = 0; n < N; n++) {
    const inter = new Array<number>(C).fill(0);
    const ps = new Array<number>(C).fill(0);
    const ts = new Array<number>(C).fill(0);
    const base = n * per;
    for (let i = 0; i < per; i++) {
      const c = i % C;
      const p = pred[base + i] >= threshold ? 1 : 0;
      const t = truth[base + i] >= 0.5 ? 1 : 0;
      ps[c] += p;
      ts[c] += t;
      inter[c] += p & t;
    }
    perImageClass.push(inter.map((v, c) => diceFromCounts(v, ps[c], ts[c])));
  }
  return summarizeDice(perImageClass);
}

/** Per-class and overall means of a [N][C] Dice matrix. */
export function summarizeDice(perImageClass: number[][]): DiceResult {
  const N = perImageClass.length;
  const C = N ? perImageClass[0].length : 0;
  const perClass = Array.from({ length: C }, (_, c) => (N ? perImageClass.reduce((a, row) => a + row[c], 0) / N : NaN));
  const mean = N * C ? perImageClass.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0) / (N * C) : NaN;
  return { perImageClass, perClass, mean };
}

/**
 * Pixel counts of one (image, class) pair. Computed ONCE from binary masks; Dice, IoU and the
 * image-level presence confusion are all read off these counts (smp.metrics.get_stats style).
 */
export interface PairCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Counts per image and class: counts[n][c]. */
export type SegmentationCounts = PairCounts[][];

/**
 * tp/fp/fn/tn per image and class of binary channel-last masks [N][H·W·C] (non-zero = defect).
 * `pred[n]` and `truth[n]` are one image each, so callers can stream images instead of holding
 * one [N, H, W, C] array.
 */
export function segmentationCounts(pred: readonly ArrayLike<number>[], truth: readonly ArrayLike<number>[], channels: number): SegmentationCounts {
  if (pred.length !== truth.length) throw new Error(`segmentationCounts: ${pred.length} predicted images but ${truth.length} truth images`);
  return pred.map((p, n) => imageCounts(p, truth[n], channels, n));
}

/** Counts of one image [H·W·C] per class. */
export function imageCounts(pred: ArrayLike<number>, truth: ArrayLike<number>, channels: number, index = 0): PairCounts[] {
  const C = channels;
  if (pred.length !== truth.length || pred.length % C !== 0) {
    throw new Error(`segmentationCounts: image ${index}: prediction has ${pred.length} values, truth ${truth.length}; both must be H·W·${C}`);
  }
  const out = Array.from({ length: C }, () => ({ tp: 0, fp: 0, fn: 0, tn: 0 }));
  for (let i = 0; i < pred.length; i++) {
    const o = out[i % C];
    const p = pred[i] !== 0;
    const t = truth[i] !== 0;
    if (p && t) o.tp++;
    else if (p) o.fp++;
    else if (t) o.fn++;
    else o.tn++;
  }
  return out;
}

/** Image-level presence confusion of one class: "does this image have a mask of the class?". */
export interface PresenceConfusion {
  /** Truth non-empty, prediction non-empty. */
  tp: number;
  /** Truth empty, prediction non-empty: defect-free (for this class) images given a false mask. */
  fp: number;
  /** Truth non-empty, prediction empty. */
  fn: number;
  /** Both empty (each scores Dice 1 in the Kaggle metric). */
  tn: number;
}

export interface SegmentationScores {
  /** Kaggle Severstal score: mean Dice over every (image, class) pair, both-empty = 1. */
  kaggle: number;
  /** Per class: mean over images of the pair Dice (both-empty = 1). */
  perClassDice: number[];
  /** Per class: mean over images of the pair IoU tp/(tp+fp+fn) (both-empty = 1). */
  perClassIoU: number[];
  /** Per class: IoU of pixels pooled over all images (micro reduction; NaN if no pixel anywhere). */
  perClassPooledIoU: number[];
  presence: PresenceConfusion[];
  /** Pair Dice [N][C]. */
  perImageClass: number[][];
}

/** Explicit reductions of the counts: per pair (Kaggle, per-class) and pooled (micro IoU). */
export function segmentationScores(counts: SegmentationCounts): SegmentationScores {
  const N = counts.length;
  if (N === 0) throw new Error("segmentationScores: no images");
  const C = counts[0].length;
  const perImageClass = counts.map((row) => row.map((k) => diceFromCounts(k.tp, k.tp + k.fp, k.tp + k.fn)));
  const iou = counts.map((row) => row.map((k) => (k.tp + k.fp + k.fn === 0 ? 1 : k.tp / (k.tp + k.fp + k.fn))));
  const mean = (m: number[][], c: number) => m.reduce((a, r) => a + r[c], 0) / N;
  const perClassDice = Array.from({ length: C }, (_, c) => mean(perImageClass, c));
  const perClassIoU = Array.from({ length: C }, (_, c) => mean(iou, c));
  const perClassPooledIoU = Array.from({ length: C }, (_, c) => {
    let tp = 0;
    let union = 0;
    for (const row of counts) {
      tp += row[c].tp;
      union += row[c].tp + row[c].fp + row[c].fn;
    }
    return union === 0 ? NaN : tp / union;
  });
  const presence = Array.from({ length: C }, (_, c) => {
    const p: PresenceConfusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
    for (const row of counts) {
      const predHas = row[c].tp + row[c].fp > 0;
      const trueHas = row[c].tp + row[c].fn > 0;
      if (predHas && trueHas) p.tp++;
      else if (predHas) p.fp++;
      else if (trueHas) p.fn++;
      else p.tn++;
    }
    return p;
  });
  const kaggle = perClassDice.reduce((a, b) => a + b, 0) / C;
  return { kaggle, perClassDice, perClassIoU, perClassPooledIoU, presence, perImageClass };
}
