/** Figures of a sweep: metric vs severity, one line per perturbation, the clean score dashed. */
import type { Figure } from "../report/figure";
import { lineChartSvg, type XYSeries } from "../report/static-charts";
import type { SweepResult } from "./sweep";

type Metric = "accuracy" | "macroF1";

function series(r: SweepResult, metric: Metric): XYSeries[] {
  const kinds = [...new Set(r.rows.map((x) => x.kind))];
  const sev = [...new Set(r.rows.map((x) => x.severity))].sort((a, b) => a - b);
  const out: XYSeries[] = kinds.map((k) => {
    const rows = r.rows.filter((x) => x.kind === k).sort((a, b) => a.severity - b.severity);
    return { name: k, x: rows.map((x) => x.severity), y: rows.map((x) => x[metric]) };
  });
  out.push({ name: "clean", x: [sev[0], sev[sev.length - 1]], y: [r.clean[metric], r.clean[metric]], dashed: true });
  return out;
}

const TITLE: Record<Metric, string> = { accuracy: "accuracy", macroF1: "macro-F1" };

/** Static SVG (for PNG artefacts). */
export function robustnessCurvesSvg(r: SweepResult, metric: Metric = "macroF1"): string {
  return lineChartSvg(series(r, metric), { title: `${TITLE[metric]} under capture perturbations (mitigation: ${r.mitigation})`, xTitle: "severity", yTitle: TITLE[metric], yRange: [0, 1], xTicks: [...new Set(r.rows.map((x) => x.severity))].sort((a, b) => a - b) });
}

/** Plotly figure (for notebooks and HTML reports). */
export function robustnessCurves(r: SweepResult, metric: Metric = "macroF1"): Figure {
  return {
    data: series(r, metric).map((s) => ({ type: "scatter", mode: "lines+markers", name: s.name, x: s.x, y: s.y, line: s.dashed ? { dash: "dash" } : undefined })),
    layout: {
      title: { text: `${TITLE[metric]} under capture perturbations (mitigation: ${r.mitigation})` },
      xaxis: { title: { text: "severity" }, dtick: 1 },
      yaxis: { title: { text: TITLE[metric] }, range: [0, 1] },
    },
  };
}
