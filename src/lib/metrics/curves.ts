/**
 * ROC and precision-recall curves, AUC and average precision, following sklearn's
 * `_binary_clf_curve`: samples are sorted by score (descending) and tied scores form ONE
 * threshold, so the curve steps diagonally through ties (the sample order never matters).
 */

export interface BinaryCurvePoints {
  /** False positives with score ≥ thresholds[i]. */
  fps: number[];
  /** True positives with score ≥ thresholds[i]. */
  tps: number[];
  /** Distinct scores, decreasing. */
  thresholds: number[];
}

function checkBinary(yTrue: readonly number[], scores: readonly number[], fn: string): void {
  if (yTrue.length !== scores.length) {
    throw new Error(`${fn}: yTrue has ${yTrue.length} labels but scores has ${scores.length}`);
  }
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] !== 0 && yTrue[i] !== 1) throw new Error(`${fn}: yTrue[${i}] = ${yTrue[i]}; binary labels must be 0 or 1 (one-vs-rest: pass label === class)`);
    if (!Number.isFinite(scores[i])) throw new Error(`${fn}: scores[${i}] = ${scores[i]} is not a finite number`);
  }
}

/** Cumulative fp/tp counts at each distinct score threshold (sklearn _binary_clf_curve). */
export function binaryClfCurve(yTrue: readonly number[], scores: readonly number[]): BinaryCurvePoints {
  checkBinary(yTrue, scores, "binaryClfCurve");
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (yTrue[i] === 1) tp++;
    else fp++;
    // Close a threshold only after the last sample with this score.
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[i]) {
      fps.push(fp);
      tps.push(tp);
      thresholds.push(scores[i]);
    }
  }
  return { fps, tps, thresholds };
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** thresholds[0] = Infinity (nothing predicted positive), then decreasing scores. */
  thresholds: number[];
}

export interface RocOptions {
  /** Drop points on straight segments (sklearn's default true); never changes the AUC. */
  dropIntermediate?: boolean;
}

/**
 * ROC curve of a binary problem. With no positives (or no negatives) the tpr (fpr) is NaN,
 * like sklearn (which also warns).
 */
export function rocCurve(yTrue: readonly number[], scores: readonly number[], options: RocOptions = {}): RocCurve {
  let { fps, tps, thresholds } = binaryClfCurve(yTrue, scores);
  if (options.dropIntermediate && fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const d2f = fps[i + 1] - 2 * fps[i] + fps[i - 1];
      const d2t = tps[i + 1] - 2 * tps[i] + tps[i - 1];
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = keep.map((i) => fps[i]);
    tps = keep.map((i) => tps[i]);
    thresholds = keep.map((i) => thresholds[i]);
  }
  const nNeg = fps.length ? fps[fps.length - 1] : 0;
  const nPos = tps.length ? tps[tps.length - 1] : 0;
  return {
    fpr: [0, ...fps].map((v) => (nNeg === 0 ? NaN : v / nNeg)),
    tpr: [0, ...tps].map((v) => (nPos === 0 ? NaN : v / nPos)),
    thresholds: [Infinity, ...thresholds],
  };
}

/** Area under a curve by the trapezoidal rule; x must be monotonic (either direction). */
export function auc(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new Error(`auc: x has ${x.length} points but y has ${y.length}`);
  if (x.length < 2) throw new Error(`auc: at least 2 points are needed, got ${x.length}`);
  let area = 0;
  let dir = 0;
  for (let i = 1; i < x.length; i++) {
    const dx = x[i] - x[i - 1];
    if (dx !== 0) {
      const d = Math.sign(dx);
      if (dir !== 0 && d !== dir) throw new Error(`auc: x is neither increasing nor decreasing at index ${i}`);
      dir = d;
    }
    area += (dx * (y[i] + y[i - 1])) / 2;
  }
  return dir < 0 ? -area : area;
}

/** Binary ROC AUC; NaN when yTrue holds a single class (sklearn raises there). */
export function rocAuc(yTrue: readonly number[], scores: readonly number[]): number {
  const c = rocCurve(yTrue, scores);
  if (c.fpr.some(Number.isNaN) || c.tpr.some(Number.isNaN)) return NaN;
  return auc(c.fpr, c.tpr);
}

export interface MulticlassAuc {
  /** One-vs-rest AUC per class (NaN when the class is absent, or is every sample). */
  perClass: number[];
  /** Mean over classes with a defined AUC. */
  macro: number;
  /** Prevalence-weighted mean over classes with a defined AUC. */
  weighted: number;
  /** AUC of all (sample, class) pairs pooled: one-hot labels vs scores, flattened. */
  micro: number;
  /** Classes left out of macro/weighted because their AUC is undefined. */
  undefinedClasses: number[];
}

function oneVsRest(yTrue: readonly number[], c: number): number[] {
  return yTrue.map((y) => (y === c ? 1 : 0));
}

/**
 * One-vs-rest ROC AUC for multiclass scores [N][C] (e.g. softmax probabilities) and integer
 * labels. Differs from sklearn only in that an absent class is reported in `undefinedClasses`
 * instead of raising, so a small validation split still gets a number.
 */
export function rocAucOvr(yTrue: readonly number[], scores: readonly (readonly number[])[]): MulticlassAuc {
  const C = scores.length ? scores[0].length : 0;
  return multiAuc(
    Array.from({ length: C }, (_, c) => oneVsRest(yTrue, c)),
    scores,
    rocAuc,
  );
}

/** ROC AUC per label for multi-label indicator targets [N][L] and scores [N][L]. */
export function rocAucMultilabel(yTrue: readonly (readonly number[])[], scores: readonly (readonly number[])[]): MulticlassAuc {
  const L = scores.length ? scores[0].length : 0;
  return multiAuc(
    Array.from({ length: L }, (_, l) => yTrue.map((r) => r[l])),
    scores,
    rocAuc,
  );
}

function multiAuc(
  columns: number[][],
  scores: readonly (readonly number[])[],
  metric: (y: readonly number[], s: readonly number[]) => number,
): MulticlassAuc {
  const C = columns.length;
  if (columns.length && columns[0].length !== scores.length) {
    throw new Error(`AUC: ${columns[0].length} labels but ${scores.length} score rows`);
  }
  scores.forEach((row, i) => {
    if (row.length !== C) throw new Error(`AUC: score row ${i} has ${row.length} values, expected ${C}`);
  });
  const perClass = columns.map((y, c) => metric(y, scores.map((r) => r[c])));
  const defined = perClass.map((_, c) => c).filter((c) => !Number.isNaN(perClass[c]));
  const prevalence = columns.map((y) => y.reduce((a, b) => a + b, 0));
  const macro = defined.length ? defined.reduce((a, c) => a + perClass[c], 0) / defined.length : NaN;
  const wSum = defined.reduce((a, c) => a + prevalence[c], 0);
  const weighted = wSum > 0 ? defined.reduce((a, c) => a + perClass[c] * prevalence[c], 0) / wSum : NaN;
  const flatY: number[] = [];
  const flatS: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    for (let c = 0; c < C; c++) {
      flatY.push(columns[c][i]);
      flatS.push(scores[i][c]);
    }
  }
  return {
    perClass,
    macro,
    weighted,
    micro: metric(flatY, flatS),
    undefinedClasses: perClass.map((_, c) => c).filter((c) => Number.isNaN(perClass[c])),
  };
}

export interface PrCurve {
  /** Decreasing recall order, ending with precision 1 at recall 0 (sklearn layout). */
  precision: number[];
  recall: number[];
  /** thresholds[i] gives precision[i], recall[i]; increasing. One fewer than the points. */
  thresholds: number[];
}

/**
 * Precision-recall curve (sklearn ≥ 1.3 precision_recall_curve, no intermediate dropping).
 * Without positives recall is NaN (sklearn returns ones and warns).
 */
export function precisionRecallCurve(yTrue: readonly number[], scores: readonly number[]): PrCurve {
  const { fps, tps, thresholds } = binaryClfCurve(yTrue, scores);
  const nPos = tps.length ? tps[tps.length - 1] : 0;
  const precision = tps.map((tp, i) => (tp + fps[i] === 0 ? 0 : tp / (tp + fps[i])));
  const recall = tps.map((tp) => (nPos === 0 ? NaN : tp / nPos));
  // Reverse to increasing thresholds, then append the (recall 0, precision 1) end point.
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: thresholds.slice().reverse(),
  };
}

/** Average precision AP = Σ (R_n − R_{n−1}) P_n (sklearn; no interpolation). NaN without positives. */
export function averagePrecision(yTrue: readonly number[], scores: readonly number[]): number {
  const { precision, recall } = precisionRecallCurve(yTrue, scores);
  if (recall.some(Number.isNaN)) return NaN;
  let ap = 0;
  for (let i = 0; i < recall.length - 1; i++) ap -= (recall[i + 1] - recall[i]) * precision[i];
  return ap;
}

/** Average precision per class (one-vs-rest) with macro / weighted / micro averages. */
export function averagePrecisionOvr(yTrue: readonly number[], scores: readonly (readonly number[])[]): MulticlassAuc {
  const C = scores.length ? scores[0].length : 0;
  return multiAuc(
    Array.from({ length: C }, (_, c) => oneVsRest(yTrue, c)),
    scores,
    averagePrecision,
  );
}
