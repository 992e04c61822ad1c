/**
 * Operating point for a critical class ("catch every crack"): on the validation set, choose the
 * least intrusive decision rule that makes the critical class reach a target recall, and report
 * every class's metrics before and after, so the cost to the other classes is visible.
 *
 * Two rule families for softmax outputs [N][C]:
 *  - "prior":     predict c when factor·p_c ≥ max_{j≠c} p_j, else argmax over the others
 *                 (a class-prior / logit-bias shift: log(factor) added to the critical logit).
 *  - "threshold": predict c when p_c ≥ threshold, else the plain argmax.
 * Both are monotone, so the optimum has a closed form: the k-th "catch point" of the critical
 * samples, k = ceil(targetRecall · n_c). No grid search, no interpolation.
 */
import { argmaxRows, confusionStats } from "./confusion";
import { ClassificationReport, classificationReport } from "./classification-report";

export type OperatingMethod = "prior" | "threshold";

export interface OperatingRule {
  method: OperatingMethod;
  criticalClass: number;
  /** "threshold" only; null = plain argmax (the target was already met). */
  threshold?: number | null;
  /** "prior" only; 1 = no change. */
  factor?: number;
}

export interface ClassCost {
  label: string;
  precisionBefore: number;
  precisionAfter: number;
  recallBefore: number;
  recallAfter: number;
  f1Before: number;
  f1After: number;
}

export interface OperatingPoint extends OperatingRule {
  targetRecall: number;
  /** log(factor): the shift added to the critical class's logit ("prior" only). */
  logPriorShift?: number;
  /** Whether the target recall is reached on the data the point was chosen on. */
  reached: boolean;
  recallBefore: number;
  achievedRecall: number;
  before: ClassificationReport;
  after: ClassificationReport;
  /** Per-class before/after, the price the other classes pay. */
  costs: ClassCost[];
}

export interface OperatingPointOptions {
  criticalClass: number;
  /** In (0, 1]; 1 = catch every critical sample of the validation set. */
  targetRecall: number;
  method?: OperatingMethod;
  classNames?: readonly string[];
}

function validate(probs: readonly (readonly number[])[], yTrue: readonly number[], c: number): number {
  if (probs.length !== yTrue.length) {
    throw new Error(`operating point: ${probs.length} probability rows but ${yTrue.length} labels`);
  }
  const C = probs.length ? probs[0].length : 0;
  if (!Number.isInteger(c) || c < 0 || c >= C) throw new Error(`operating point: criticalClass ${c} is not in [0, ${C})`);
  probs.forEach((row, i) => {
    if (row.length !== C) throw new Error(`operating point: row ${i} has ${row.length} probabilities, expected ${C}`);
  });
  return C;
}

function maxOther(row: readonly number[], c: number): { j: number; v: number } {
  let j = -1;
  let v = -Infinity;
  for (let k = 0; k < row.length; k++) if (k !== c && row[k] > v) (v = row[k]), (j = k);
  return { j, v };
}

/** Predicted labels under a rule. */
export function applyOperatingPoint(probs: readonly (readonly number[])[], rule: OperatingRule): number[] {
  const c = rule.criticalClass;
  const plain = argmaxRows(probs);
  if (rule.method === "threshold") {
    const t = rule.threshold;
    if (t === null || t === undefined) return plain;
    return probs.map((row, i) => (row[c] >= t ? c : plain[i]));
  }
  const factor = rule.factor ?? 1;
  return probs.map((row) => {
    const o = maxOther(row, c);
    return factor * row[c] >= o.v ? c : o.j;
  });
}

/** Chooses the least intrusive rule that reaches `targetRecall` on the critical class. */
export function chooseOperatingPoint(
  probs: readonly (readonly number[])[],
  yTrue: readonly number[],
  options: OperatingPointOptions,
): OperatingPoint {
  const { criticalClass: c, targetRecall } = options;
  const method = options.method ?? "prior";
  const C = validate(probs, yTrue, c);
  if (!(targetRecall > 0 && targetRecall <= 1)) throw new Error(`operating point: targetRecall must be in (0, 1], got ${targetRecall}`);
  const positives = yTrue.map((y, i) => (y === c ? i : -1)).filter((i) => i >= 0);
  if (positives.length === 0) {
    throw new Error(`operating point: class ${options.classNames?.[c] ?? c} has no sample in the validation labels; cannot set its recall`);
  }
  const k = Math.ceil(targetRecall * positives.length - 1e-9);
  const plain = argmaxRows(probs);

  let rule: OperatingRule;
  if (method === "threshold") {
    // Catch point: the largest threshold that still catches the sample (Infinity if argmax already does).
    const need = positives.map((i) => (plain[i] === c ? Infinity : probs[i][c])).sort((a, b) => b - a);
    const t = need[k - 1];
    rule = { method, criticalClass: c, threshold: t === Infinity ? null : t };
  } else {
    // Catch point: the smallest factor with factor·p_c ≥ best other probability.
    const need = positives
      .map((i) => {
        const o = maxOther(probs[i], c).v;
        return probs[i][c] > 0 ? o / probs[i][c] : o > 0 ? Infinity : 0;
      })
      .sort((a, b) => a - b);
    let f = Math.max(1, need[k - 1]);
    if (!Number.isFinite(f)) {
      // p_c = 0 for too many critical samples: no finite factor reaches the target; use the largest finite one.
      const finite = need.filter(Number.isFinite);
      f = Math.max(1, finite.length ? finite[finite.length - 1] : 1);
    }
    rule = { method, criticalClass: c, factor: f };
  }

  const after = applyOperatingPoint(probs, rule);
  const sBefore = confusionStats(yTrue, plain, C);
  const sAfter = confusionStats(yTrue, after, C);
  const before = classificationReport(sBefore, options.classNames);
  const afterReport = classificationReport(sAfter, options.classNames);
  const achievedRecall = afterReport.classes[c].recall;
  return {
    ...rule,
    targetRecall,
    ...(rule.factor !== undefined ? { logPriorShift: Math.log(rule.factor) } : {}),
    reached: achievedRecall >= targetRecall - 1e-12,
    recallBefore: before.classes[c].recall,
    achievedRecall,
    before,
    after: afterReport,
    costs: before.classes.map((b, j) => ({
      label: b.label,
      precisionBefore: b.precision,
      precisionAfter: afterReport.classes[j].precision,
      recallBefore: b.recall,
      recallAfter: afterReport.classes[j].recall,
      f1Before: b.f1,
      f1After: afterReport.classes[j].f1,
    })),
  };
}

export interface LabelThreshold {
  label: number;
  threshold: number;
  targetRecall: number;
  achievedRecall: number;
  /** Precision of this label at the default 0.5 threshold and at the chosen one. */
  precisionBefore: number;
  precisionAfter: number;
  recallBefore: number;
}

/**
 * Multi-label (sigmoid) variant: labels are independent, so only the critical label's own
 * precision pays. Threshold = the k-th largest score among its positives (never above 0.5
 * unless `allowRaise`), k = ceil(targetRecall · positives).
 */
export function chooseLabelThreshold(
  scores: readonly (readonly number[])[],
  yTrue: readonly (readonly number[])[],
  label: number,
  targetRecall: number,
  defaultThreshold = 0.5,
  allowRaise = false,
): LabelThreshold {
  if (scores.length !== yTrue.length) throw new Error(`chooseLabelThreshold: ${scores.length} score rows but ${yTrue.length} label rows`);
  if (!(targetRecall > 0 && targetRecall <= 1)) throw new Error(`chooseLabelThreshold: targetRecall must be in (0, 1], got ${targetRecall}`);
  const pos = scores.map((r, i) => (yTrue[i][label] ? r[label] : NaN)).filter((v) => !Number.isNaN(v));
  if (pos.length === 0) throw new Error(`chooseLabelThreshold: label ${label} has no positive sample`);
  pos.sort((a, b) => b - a);
  const k = Math.ceil(targetRecall * pos.length - 1e-9);
  const t = allowRaise ? pos[k - 1] : Math.min(defaultThreshold, pos[k - 1]);
  const pr = (thr: number) => {
    let tp = 0;
    let fp = 0;
    scores.forEach((r, i) => {
      if (r[label] >= thr) yTrue[i][label] ? tp++ : fp++;
    });
    return { precision: tp + fp ? tp / (tp + fp) : 0, recall: tp / pos.length };
  };
  const b = pr(defaultThreshold);
  const a = pr(t);
  return { label, threshold: t, targetRecall, achievedRecall: a.recall, precisionBefore: b.precision, precisionAfter: a.precision, recallBefore: b.recall };
}
