/**
 * The page's decision for one image, from the probabilities and the exported metadata — pure
 * functions, shared by the page's worker and the tests. Single-label: the argmax, unless the
 * safety-first rule catches the crack-like class (factor · p_critical ≥ every other p), in which
 * case the decision says it was flagged at the lower confidence and why. "Needs review": a top-two
 * margin below the exported `reviewMargin`, or any safety-first flag (a human confirms those).
 * Multi-label: every class with p ≥ 0.5 (as `predict`), review when a p is within margin/2 of 0.5.
 */
import type { ExportMetadata } from "./metadata";

export interface Decision {
  label: string;
  /** The plain argmax label (what `predict` writes in its "predicted" column). */
  argmaxLabel: string;
  /** The safety-first rule changed the decision. */
  flagged: boolean;
  /** One line for the operator. */
  reason: string;
  margin: number;
  needsReview: boolean;
}

function argmax(p: readonly number[]): number {
  let k = 0;
  for (let j = 1; j < p.length; j++) if (p[j] > p[k]) k = j;
  return k;
}

export function plainLabel(p: readonly number[], meta: Pick<ExportMetadata, "mode" | "classNames">): string {
  if (meta.mode === "multi") return p.map((v, j) => (v >= 0.5 ? meta.classNames[j] : "")).filter(Boolean).join("+") || "none";
  return meta.classNames[argmax(p)];
}

export function decide(p: readonly number[], meta: Pick<ExportMetadata, "mode" | "classNames" | "operatingPoint" | "reviewMargin">): Decision {
  const names = meta.classNames;
  const argmaxLabel = plainLabel(p, meta);
  if (meta.mode === "multi") {
    const margin = Math.min(...p.map((v) => Math.abs(v - 0.5) * 2));
    return { label: argmaxLabel, argmaxLabel, flagged: false, reason: `p ≥ 0.5: ${argmaxLabel}`, margin, needsReview: margin < meta.reviewMargin };
  }
  const k = argmax(p);
  const sorted = [...p].sort((a, b) => b - a);
  const margin = sorted[0] - (sorted[1] ?? 0);
  const op = meta.operatingPoint;
  if (op && k !== op.criticalClass) {
    const c = op.criticalClass;
    let other = -Infinity;
    p.forEach((v, j) => j !== c && v > other && (other = v));
    if (op.factor * p[c] >= other) {
      return {
        label: names[c],
        argmaxLabel,
        flagged: true,
        reason: `${names[c]} flagged at the safety-first operating point: ${op.factor.toFixed(3)} × ${p[c].toFixed(3)} ≥ ${other.toFixed(3)} (most likely: ${argmaxLabel}); confirm`,
        margin,
        needsReview: true,
      };
    }
  }
  return { label: names[k], argmaxLabel, flagged: false, reason: `most likely ${names[k]} (p = ${p[k].toFixed(3)}, margin ${margin.toFixed(3)})`, margin, needsReview: margin < meta.reviewMargin };
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The `predict` command's CSV (image, p_<class>…, predicted, error), without Node's csv-stringify. */
export function predictionsCsvText(rows: readonly { file: string; probs: readonly number[]; predicted: string; error?: string }[], classNames: readonly string[]): string {
  const header = ["image", ...classNames.map((c) => `p_${c}`), "predicted", "error"];
  const body = rows.map((r) => [r.file, ...(r.error ? classNames.map(() => "") : r.probs.map((p) => p.toFixed(6))), r.predicted, r.error ?? ""]);
  return [header, ...body].map((row) => row.map(csvField).join(",") + "\n").join("");
}
