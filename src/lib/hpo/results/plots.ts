/**
 * Plotly figures of a study (Optuna's visualization module): optimisation history with the best
 * so far, parameter importances, parallel coordinates, slice plots and intermediate values.
 * Only Figure objects are built; report/plotly.ts renders them.
 */
import type { Figure } from "../../report/figure";
import { CategoricalDistribution } from "../distributions";
import { FrozenTrial, StudyDirection, externalParams } from "../trial/frozen";
import { Importance } from "./importance";

const complete = (trials: FrozenTrial[]) => trials.filter((t) => t.state === "COMPLETE" && t.values?.length);

export function optimizationHistoryFigure(trials: FrozenTrial[], direction: StudyDirection, title = "Optimisation history"): Figure {
  const done = complete(trials);
  let best = direction === "minimize" ? Infinity : -Infinity;
  const bestSoFar = done.map((t) => (best = direction === "minimize" ? Math.min(best, t.values![0]) : Math.max(best, t.values![0])));
  return {
    data: [
      { type: "scatter", mode: "markers", name: "objective value", x: done.map((t) => t.number), y: done.map((t) => t.values![0]) },
      { type: "scatter", mode: "lines", name: "best so far", line: { shape: "hv" }, x: done.map((t) => t.number), y: bestSoFar },
    ],
    layout: { title: { text: title }, xaxis: { title: { text: "trial" } }, yaxis: { title: { text: "objective value" } } },
  };
}

export function importancesFigure(importances: Importance[], title = "Parameter importances (first-order variance share, η²)"): Figure {
  const rows = [...importances].reverse();
  return {
    data: [{ type: "bar", orientation: "h", x: rows.map((r) => r.importance), y: rows.map((r) => r.param), text: rows.map((r) => r.importance.toFixed(3)), textposition: "auto" }],
    layout: { title: { text: title }, xaxis: { title: { text: "importance" }, range: [0, 1] } },
  };
}

/** One axis of a parallel-coordinates / slice plot: numbers, with tick labels for categoricals. */
function axis(trials: FrozenTrial[], param: string) {
  const d = trials.find((t) => param in t.distributions)?.distributions[param];
  const values = trials.map((t) => t.params[param] ?? NaN);
  if (d?.kind === "categorical") {
    const choices = (d as CategoricalDistribution).choices;
    return { values, tickvals: choices.map((_, i) => i), ticktext: choices.map(String), log: false };
  }
  return { values, log: Boolean(d?.log) };
}

export function parallelCoordinatesFigure(trials: FrozenTrial[], params?: string[], title = "Parallel coordinates"): Figure {
  const done = complete(trials);
  const names = params ?? [...new Set(done.flatMap((t) => Object.keys(t.params)))].sort();
  const dims = names.map((n) => {
    const a = axis(done, n);
    const vals = a.log ? a.values.map(Math.log10) : a.values;
    return { label: a.log ? `log10 ${n}` : n, values: vals, ...(a.tickvals ? { tickvals: a.tickvals, ticktext: a.ticktext } : {}) };
  });
  const y = done.map((t) => t.values![0]);
  return {
    data: [{ type: "parcoords", line: { color: y, colorscale: "Viridis", showscale: true }, dimensions: [{ label: "objective", values: y }, ...dims] }],
    layout: { title: { text: title } },
  };
}

export function sliceFigure(trials: FrozenTrial[], params?: string[], title = "Slice plot"): Figure {
  const done = complete(trials);
  const names = params ?? [...new Set(done.flatMap((t) => Object.keys(t.params)))].sort();
  const layout: Record<string, unknown> = { title: { text: title }, showlegend: false, yaxis: { title: { text: "objective value" } } };
  const data = names.map((n, i) => {
    const key = i === 0 ? "xaxis" : `xaxis${i + 1}`;
    const a = axis(done, n);
    const w = 1 / names.length;
    layout[key] = { domain: [i * w + 0.02, (i + 1) * w - 0.02], title: { text: n }, type: a.log ? "log" : "linear", ...(a.tickvals ? { tickvals: a.tickvals, ticktext: a.ticktext } : {}) };
    const withParam = done.filter((t) => n in t.params);
    return {
      type: "scatter", mode: "markers", name: n, xaxis: i === 0 ? "x" : `x${i + 1}`, yaxis: "y",
      x: withParam.map((t) => (a.tickvals ? t.params[n] : externalParams(t)[n])),
      y: withParam.map((t) => t.values![0]),
      marker: { color: withParam.map((t) => t.number), colorscale: "Blues", showscale: i === 0, colorbar: { title: { text: "trial" } } },
    };
  });
  return { data, layout };
}

export function intermediateValuesFigure(trials: FrozenTrial[], title = "Intermediate values"): Figure {
  const withCurves = trials.filter((t) => t.intermediate.size > 0);
  return {
    data: withCurves.map((t) => {
      const steps = [...t.intermediate.keys()].sort((a, b) => a - b);
      return { type: "scatter", mode: "lines+markers", name: `trial ${t.number} (${t.state})`, x: steps, y: steps.map((s) => t.intermediate.get(s)) };
    }),
    layout: { title: { text: title }, xaxis: { title: { text: "step" } }, yaxis: { title: { text: "intermediate value" } } },
  };
}
