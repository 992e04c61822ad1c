/**
 * Plotly figure specs for the charts the notebooks show again and again. Pure functions of
 * plain numbers, so they are unit-testable and identical in notebooks, scripts and reports.
 */
import { Figure } from "./plotly";

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

export function barChart(labels: string[], values: number[] | Record<string, number[]>, opts: { title: string; yTitle?: string; xTitle?: string; stacked?: boolean } ): Figure {
  const groups = Array.isArray(values) ? { [opts.yTitle ?? "value"]: values } : values;
  return {
    data: Object.entries(groups).map(([name, y]) => ({ type: "bar", name, x: labels, y })),
    layout: {
      title: { text: opts.title },
      barmode: opts.stacked ? "stack" : "group",
      xaxis: { title: { text: opts.xTitle ?? "" }, type: "category" },
      yaxis: { title: { text: opts.yTitle ?? "" } },
      showlegend: !Array.isArray(values),
    },
  };
}

export function lineChart(series: Series[], opts: { title: string; xTitle?: string; yTitle?: string; yRange?: [number, number] }): Figure {
  return {
    data: series.map((s) => ({ type: "scatter", mode: "lines+markers", name: s.name, x: s.x, y: s.y })),
    layout: {
      title: { text: opts.title },
      xaxis: { title: { text: opts.xTitle ?? "" } },
      yaxis: { title: { text: opts.yTitle ?? "" }, ...(opts.yRange ? { range: opts.yRange } : {}) },
    },
  };
}

/** Learning curves: one line per (metric, split) from a history of per-epoch logs. */
export function learningCurves(history: Record<string, number>[], metrics: string[], title = "Learning curves"): Figure {
  const epochs = history.map((_, i) => i + 1);
  const series: Series[] = [];
  for (const m of metrics) {
    for (const key of [m, `val_${m}`]) {
      if (history.some((h) => typeof h[key] === "number")) series.push({ name: key, x: epochs, y: history.map((h) => h[key]) });
    }
  }
  const fig = lineChart(series, { title, xTitle: "epoch" });
  // Epochs are whole numbers: ticks on integers only (plotly's auto ticks showed 1.5, 2.5 …).
  fig.layout = { ...fig.layout, xaxis: { title: { text: "epoch" }, tickmode: "linear", tick0: 0, dtick: integerTickStep(epochs.length), tickformat: "d" } };
  return fig;
}

/** A 1-2-5 integer tick step that shows at most ~10 ticks over `n` epochs. */
export function integerTickStep(n: number): number {
  for (let scale = 1; ; scale *= 10) {
    for (const step of [1, 2, 5]) if (n / (step * scale) <= 10) return step * scale;
  }
}

export function histogram(values: Record<string, number[]>, opts: { title: string; xTitle?: string; nbins?: number; logX?: boolean }): Figure {
  return {
    data: Object.entries(values).map(([name, x]) => ({ type: "histogram", name, x, opacity: 0.65, nbinsx: opts.nbins ?? 40 })),
    layout: { title: { text: opts.title }, barmode: "overlay", xaxis: { title: { text: opts.xTitle ?? "" }, type: opts.logX ? "log" : "linear" }, yaxis: { title: { text: "count" } } },
  };
}

/** Confusion matrix heatmap: rows = true class, columns = predicted; cell text shows counts. */
export function confusionHeatmap(matrix: number[][], classNames: string[], title = "Confusion matrix (rows: true, columns: predicted)"): Figure {
  const rowSums = matrix.map((r) => r.reduce((s, v) => s + v, 0) || 1);
  return {
    data: [
      {
        type: "heatmap",
        z: matrix.map((r, i) => r.map((v) => v / rowSums[i])),
        x: classNames,
        y: classNames,
        text: matrix.map((r) => r.map(String)),
        texttemplate: "%{text}",
        colorscale: "Blues",
        reversescale: true,
        zmin: 0,
        zmax: 1,
        colorbar: { title: { text: "row share" } },
        hovertemplate: "true %{y}<br>predicted %{x}<br>%{text} (%{z:.1%})<extra></extra>",
      },
    ],
    // automargin + standoff: the axis titles sit beyond the class labels, whatever their length
    // (a fixed margin put "true" on top of "class_1").
    layout: {
      title: { text: title },
      xaxis: { title: { text: "predicted", standoff: 12 }, type: "category", automargin: true },
      yaxis: { title: { text: "true", standoff: 12 }, type: "category", autorange: "reversed", automargin: true },
    },
  };
}

/** ROC curves per class with the AUC in the legend, plus the chance diagonal. */
export function rocChart(curves: { name: string; fpr: number[]; tpr: number[]; auc: number }[], title = "ROC curves"): Figure {
  return {
    data: [
      ...curves.map((c) => ({ type: "scatter", mode: "lines", name: `${c.name} (AUC ${c.auc.toFixed(3)})`, x: c.fpr, y: c.tpr })),
      { type: "scatter", mode: "lines", name: "chance", x: [0, 1], y: [0, 1], line: { dash: "dot", color: "#999" } },
    ],
    layout: { title: { text: title }, xaxis: { title: { text: "false positive rate" }, range: [0, 1] }, yaxis: { title: { text: "true positive rate" }, range: [0, 1.02] } },
  };
}

export function prChart(curves: { name: string; recall: number[]; precision: number[]; ap: number }[], title = "Precision–recall curves"): Figure {
  return {
    data: curves.map((c) => ({ type: "scatter", mode: "lines", name: `${c.name} (AP ${c.ap.toFixed(3)})`, x: c.recall, y: c.precision })),
    layout: { title: { text: title }, xaxis: { title: { text: "recall" }, range: [0, 1] }, yaxis: { title: { text: "precision" }, range: [0, 1.02] } },
  };
}
