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
