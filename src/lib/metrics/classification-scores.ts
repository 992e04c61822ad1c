/**
 * Scores of a classifier's predictions, computed once: confusion statistics, the classification
 * report, ROC/PR curves and AUCs, and the headline numbers. "Score" = pure numbers from
 * predictions; "evaluate" (src/lib/runner) = run a model over labelled data, then score.
 */
import { argmaxRows, binarize, confusionStats, multilabelStats, ConfusionStats } from "./confusion";
import { f1 } from "./classification";
import { averagePrecision, auc, precisionRecallCurve, rocAucMultilabel, rocAucOvr, rocCurve } from "./curves";
import { classificationReport, ClassificationReport } from "./classification-report";

export interface Predictions {
  ids: string[];
  classNames: string[];
  /** [N][K] probabilities (softmax or sigmoid). */
  probs: number[][];
  /** [N][K] targets as in the batches: one-hot (single-label) or multi-hot. */
  targets: number[][];
}

export interface CurveSet {
  name: string;
  fpr: number[];
  tpr: number[];
  auc: number;
}

export interface PrSet {
  name: string;
  precision: number[];
  recall: number[];
  ap: number;
}

export interface ClassificationScores {
  stats: ConfusionStats;
  report: ClassificationReport;
  /** Multiclass only: rows true, columns predicted. */
  confusion?: number[][];
  roc: CurveSet[];
  pr: PrSet[];
  summary: {
    accuracy: number;
    macro_f1: number;
    micro_f1: number;
    weighted_f1: number;
    roc_auc_macro: number;
    roc_auc_micro: number;
    samples: number;
  };
}

/** Single-label: argmax decisions; multi-label: per-label threshold (default 0.5). probs/targets [N][K]. */
export function scoreClassification(pred: Predictions, mode: "single" | "multi", threshold: number | number[] = 0.5): ClassificationScores {
  const K = pred.classNames.length;
  let stats: ConfusionStats;
  let aucs;
  if (mode === "single") {
    const yTrue = argmaxRows(pred.targets);
    stats = confusionStats(yTrue, argmaxRows(pred.probs), K);
    aucs = rocAucOvr(yTrue, pred.probs);
  } else {
    stats = multilabelStats(pred.targets, binarize(pred.probs, threshold));
    aucs = rocAucMultilabel(pred.targets, pred.probs);
  }
  const roc: CurveSet[] = [];
  const pr: PrSet[] = [];
  for (let c = 0; c < K; c++) {
    const y = pred.targets.map((t) => (t[c] > 0.5 ? 1 : 0));
    const s = pred.probs.map((p) => p[c]);
    if (!y.some((v) => v === 1) || !y.some((v) => v === 0)) continue; // curve undefined for this class here
    const r = rocCurve(y, s, { dropIntermediate: true });
    roc.push({ name: pred.classNames[c], fpr: r.fpr, tpr: r.tpr, auc: auc(r.fpr, r.tpr) });
    const p = precisionRecallCurve(y, s);
    pr.push({ name: pred.classNames[c], precision: p.precision, recall: p.recall, ap: averagePrecision(y, s) });
  }
  const report = classificationReport(stats, pred.classNames);
  return {
    stats,
    report,
    confusion: stats.matrix,
    roc,
    pr,
    summary: {
      accuracy: report.accuracy,
      macro_f1: f1(stats, "macro"),
      micro_f1: f1(stats, "micro"),
      weighted_f1: f1(stats, "weighted"),
      roc_auc_macro: aucs.macro,
      roc_auc_micro: aucs.micro,
      samples: pred.probs.length,
    },
  };
}
