/**
 * A classification report (sklearn classification_report) as plain row objects, ready for a
 * table (danfo DataFrame, HTML table, console.table) or JSON.
 */
import { ConfusionStats } from "./confusion";
import { accuracy, f1, precision, recall, subsetAccuracy } from "./classification";

export interface ReportRow {
  /** Class name, or "macro avg" / "weighted avg" / "micro avg". */
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  /** One row per class, in class-index order. */
  classes: ReportRow[];
  /** "micro avg" (multilabel only), "macro avg", "weighted avg". */
  averages: ReportRow[];
  /** Multiclass: fraction correct. Multilabel: mean per-label accuracy. */
  accuracy: number;
  /** Multilabel only: exact-match ratio. */
  subsetAccuracy?: number;
  /** classes followed by averages: one array for a table. */
  rows: ReportRow[];
}

export function classificationReport(s: ConfusionStats, classNames?: readonly string[]): ClassificationReport {
  if (classNames && classNames.length !== s.numClasses) {
    throw new Error(`classificationReport: ${classNames.length} class names for ${s.numClasses} classes`);
  }
  const p = precision(s, "none");
  const r = recall(s, "none");
  const f = f1(s, "none");
  const classes = p.map((_, c) => ({
    label: classNames ? classNames[c] : String(c),
    precision: p[c],
    recall: r[c],
    f1: f[c],
    support: s.support[c],
  }));
  const total = s.support.reduce((a, b) => a + b, 0);
  const avg = (label: string, red: "macro" | "weighted" | "micro"): ReportRow => ({
    label,
    precision: precision(s, red),
    recall: recall(s, red),
    f1: f1(s, red),
    support: total,
  });
  const averages = [
    ...(s.kind === "multilabel" ? [avg("micro avg", "micro")] : []),
    avg("macro avg", "macro"),
    avg("weighted avg", "weighted"),
  ];
  return {
    classes,
    averages,
    accuracy: accuracy(s),
    ...(s.kind === "multilabel" ? { subsetAccuracy: subsetAccuracy(s) } : {}),
    rows: [...classes, ...averages],
  };
}
