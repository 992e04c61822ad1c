/**
 * Predictions of a classifier over a BatchSource and everything computed from them once:
 * confusion statistics, the classification report, ROC/PR curves and AUCs.
 */
import * as tf from "@tensorflow/tfjs";
import { BatchSource } from "../data/types";
import { argmaxRows, binarize, confusionStats, multilabelStats, ConfusionStats } from "../metrics/confusion";
import { f1 } from "../metrics/classification";
import { averagePrecision, auc, precisionRecallCurve, rocAucMultilabel, rocAucOvr, rocCurve } from "../metrics/curves";
import { classificationReport, ClassificationReport } from "../metrics/report";
import { createProgress } from "../util/progress";

export interface Predictions {
  ids: string[];
  classNames: string[];
  /** [N][K] probabilities (softmax or sigmoid). */
  probs: number[][];
  /** [N][K] targets as in the batches: one-hot (single-label) or multi-hot. */
  targets: number[][];
}

/** Runs the model in inference mode over every batch (disposing them); probabilities per sample. */
export async function predictSource(model: tf.LayersModel, source: BatchSource, classNames: string[], label = "predict"): Promise<Predictions> {
  const out: Predictions = { ids: [], classNames, probs: [], targets: [] };
  const progress = createProgress({ total: source.batchesPerEpoch, label });
  for await (const batch of source.batches(0)) {
    try {
      const p = tf.tidy(() => model.apply(batch.x, { training: false }) as tf.Tensor);
      const probs = (await p.array()) as number[][];
      const y = (await batch.y.array()) as number[][];
      p.dispose();
      out.ids.push(...batch.ids);
      out.probs.push(...probs);
      out.targets.push(...y);
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
    progress.tick();
  }
  progress.done();
  return out;
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

export interface ClassificationEvaluation {
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

/** Single-label: argmax decisions; multi-label: per-label threshold (default 0.5). */
export function evaluateProbabilities(pred: Predictions, mode: "single" | "multi", threshold: number | number[] = 0.5): ClassificationEvaluation {
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
