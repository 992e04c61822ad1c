/**
 * Confusion statistics, computed ONCE per evaluation; every metric in classification.ts is a
 * one-liner over these counts with an explicit reduction, so precision, recall, F1 and support
 * can never disagree about what was counted. Plain JS on number arrays (no tfjs).
 */

export type StatsKind = "multiclass" | "multilabel";

/** Per-class (or per-label) one-vs-rest counts. */
export interface ConfusionStats {
  kind: StatsKind;
  numClasses: number;
  tp: number[];
  fp: number[];
  fn: number[];
  tn: number[];
  /** True instances per class (tp + fn). */
  support: number[];
  /** Predicted instances per class (tp + fp). */
  predicted: number[];
  /**
   * Classes that take part in macro/weighted averages. Multiclass: classes present in yTrue or
   * yPred (sklearn's `unique_labels` rule), so a class absent from both does not drag the macro
   * average to 0. Multilabel: every label (sklearn uses every indicator column).
   */
  counted: boolean[];
  /** Number of samples. */
  total: number;
  /** Multiclass only: rows = true class, columns = predicted class (sklearn layout). */
  matrix?: number[][];
  /** Multilabel only: samples whose whole label vector is right (for subset accuracy). */
  exactMatches?: number;
}

function checkLabel(v: number, k: number, what: string, i: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= k) {
    throw new Error(`${what}[${i}] = ${v} is not a class index in [0, ${k}); pass integer labels (argmax of one-hot) and the right numClasses`);
  }
}

/**
 * Multiclass confusion matrix [numClasses][numClasses], rows = true, columns = predicted.
 * `numClasses` defaults to 1 + the largest label seen in either array.
 */
export function confusionMatrix(yTrue: readonly number[], yPred: readonly number[], numClasses?: number): number[][] {
  if (yTrue.length !== yPred.length) {
    throw new Error(`confusionMatrix: yTrue has ${yTrue.length} labels but yPred has ${yPred.length}; they must be the same samples`);
  }
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < yTrue.length; i++) k = Math.max(k, yTrue[i] + 1, yPred[i] + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    checkLabel(yTrue[i], k, "yTrue", i);
    checkLabel(yPred[i], k, "yPred", i);
    m[yTrue[i]][yPred[i]]++;
  }
  return m;
}

/** One-vs-rest counts from a multiclass confusion matrix. */
export function statsFromMatrix(matrix: number[][]): ConfusionStats {
  const k = matrix.length;
  let total = 0;
  for (const row of matrix) {
    if (row.length !== k) throw new Error(`statsFromMatrix: matrix must be square, got a row of ${row.length} in a ${k}-row matrix`);
    for (const v of row) total += v;
  }
  const tp: number[] = [];
  const fp: number[] = [];
  const fn: number[] = [];
  const tn: number[] = [];
  const support: number[] = [];
  const predicted: number[] = [];
  for (let c = 0; c < k; c++) {
    let rowSum = 0;
    let colSum = 0;
    for (let j = 0; j < k; j++) {
      rowSum += matrix[c][j];
      colSum += matrix[j][c];
    }
    tp.push(matrix[c][c]);
    fn.push(rowSum - matrix[c][c]);
    fp.push(colSum - matrix[c][c]);
    tn.push(total - rowSum - colSum + matrix[c][c]);
    support.push(rowSum);
    predicted.push(colSum);
  }
  const counted = support.map((s, c) => s > 0 || predicted[c] > 0);
  return { kind: "multiclass", numClasses: k, tp, fp, fn, tn, support, predicted, counted, total, matrix: matrix.map((r) => r.slice()) };
}

/** Multiclass statistics from integer labels. */
export function confusionStats(yTrue: readonly number[], yPred: readonly number[], numClasses?: number): ConfusionStats {
  return statsFromMatrix(confusionMatrix(yTrue, yPred, numClasses));
}

/**
 * Multi-label statistics: yTrue / yPred are [N][L] 0/1 indicator rows (threshold the scores
 * first, e.g. with `binarize`). Each label is its own binary problem.
 */
export function multilabelStats(yTrue: readonly (readonly number[])[], yPred: readonly (readonly number[])[]): ConfusionStats {
  if (yTrue.length !== yPred.length) {
    throw new Error(`multilabelStats: yTrue has ${yTrue.length} rows but yPred has ${yPred.length}`);
  }
  const L = yTrue.length > 0 ? yTrue[0].length : 0;
  const tp = new Array<number>(L).fill(0);
  const fp = new Array<number>(L).fill(0);
  const fn = new Array<number>(L).fill(0);
  const tn = new Array<number>(L).fill(0);
  let exact = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (t.length !== L || p.length !== L) {
      throw new Error(`multilabelStats: row ${i} has ${t.length} true / ${p.length} predicted labels, expected ${L}`);
    }
    let allRight = true;
    for (let l = 0; l < L; l++) {
      const a = t[l] ? 1 : 0;
      const b = p[l] ? 1 : 0;
      if (a && b) tp[l]++;
      else if (!a && b) fp[l]++;
      else if (a && !b) fn[l]++;
      else tn[l]++;
      if (a !== b) allRight = false;
    }
    if (allRight) exact++;
  }
  const support = tp.map((v, l) => v + fn[l]);
  const predicted = tp.map((v, l) => v + fp[l]);
  return {
    kind: "multilabel",
    numClasses: L,
    tp,
    fp,
    fn,
    tn,
    support,
    predicted,
    counted: new Array<boolean>(L).fill(true),
    total: yTrue.length,
    exactMatches: exact,
  };
}

/** Index of the largest value per row ([N][C] scores → N labels); first index wins ties. */
export function argmaxRows(scores: readonly (readonly number[])[]): number[] {
  return scores.map((row) => {
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
    return best;
  });
}

/** Scores ≥ threshold → 1 (per-label thresholds allowed). */
export function binarize(scores: readonly (readonly number[])[], threshold: number | readonly number[] = 0.5): number[][] {
  return scores.map((row) => row.map((v, l) => (v >= (typeof threshold === "number" ? threshold : threshold[l]) ? 1 : 0)));
}
