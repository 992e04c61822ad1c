/** Notebook displays of the cross-dataset track (pipelines in src/lib/cross-dataset never render). */
import * as fs from "fs";
import { barChart, confusionHeatmap, lineChart } from "../report/charts";
import { showBanner, showMarkdown, showPng, showTable } from "../report/display";
import { showFigure } from "../report/plotly";
import type { CrossDatasetExperiment } from "../cross-dataset/experiment";
import type { Rate } from "../cross-dataset/wilson";
import { TEXTURE_STATS } from "../cross-dataset/texture-stats";
import { showClassificationResult } from "./classification";

const pct = (r: Rate | null) => (r ? `${(100 * r.rate).toFixed(1)} % [${(100 * r.lo).toFixed(1)}, ${(100 * r.hi).toFixed(1)}] (${r.k}/${r.n})` : "n/a");

/** The source model: its training run when trained here, and its NEU test confusion matrix. */
export function showCrossDatasetSource(e: CrossDatasetExperiment): void {
  const s = e.result.source;
  showBanner(
    `Source: ${e.source.config.model} ${e.source.config.imageSize.height}×${e.source.config.imageSize.width} ${e.source.reused ? `reused from ${e.source.runDir}` : "trained in this notebook"} on ${s.data.toUpperCase()} NEU data` +
      (s.data === "synthetic" ? " — the embedded NEU-like images; numbers check the pipeline, not real-data transfer" : ""),
    s.data === "real" ? "info" : "warning",
  );
  if (e.source.trained) showClassificationResult(e.source.trained);
  showFigure(confusionHeatmap(s.confusion, e.source.config.classNames, `NEU test confusion (rows true, columns predicted): accuracy ${pct(s.accuracy)}`));
}

/** Zero-shot result per view, the distribution over NEU classes and the gallery. */
export function showZeroShot(e: CrossDatasetExperiment): void {
  const r = e.result;
  showBanner(`Target: GC10 ${r.target.data.toUpperCase()} — folder ${r.target.folder} (${r.className}): ${r.target.images} images, ${r.target.crops} boxes` + (r.target.data === "synthetic" ? " (the embedded synthetic GC10-like frames: real GC10 images are not in this workspace)" : ""), r.target.data === "real" ? "info" : "warning");
  const views = Object.keys(r.zeroShot) as (keyof typeof r.zeroShot)[];
  showTable(views.map((v) => ({ view: v, items: r.zeroShot[v]!.n, [`called ${r.className}`]: pct(r.zeroShot[v]!.hit) })), { caption: "Zero-shot: share of GC10 items the NEU model calls the mapped class (95 % Wilson CI); write-up: 85/216 = 39.4 %" });
  const classes = r.zeroShot[views[0]]!.distribution.map((d) => d.className);
  showFigure(barChart(classes, Object.fromEntries(views.map((v) => [v, r.zeroShot[v]!.distribution.map((d) => d.share)])), { title: "Where the GC10 items go: predicted NEU class (share)", yTitle: "share" }));
  if (fs.existsSync(r.files.gallery)) showPng(fs.readFileSync(r.files.gallery), "Hits and misses (first view, no mitigation)");
}

/** Intensity histograms, texture statistics, embedding distances and the PCA plot. */
export function showShiftDiagnostics(e: CrossDatasetExperiment): void {
  const d = e.result.diagnostics;
  const bins = d.histograms[0].bins.length;
  const x = Array.from({ length: bins }, (_, i) => (i + 0.5) / bins);
  showFigure(lineChart(d.histograms.map((h) => ({ name: h.set, x, y: h.bins })), { title: "Intensity histograms of the model inputs", xTitle: "grey level", yTitle: "share of pixels" }));
  showTable(
    d.texture.map((t) => ({ set: t.set, ...Object.fromEntries(TEXTURE_STATS.map((k) => [k, `${t.stats[k].mean.toPrecision(3)} ± ${t.stats[k].sd.toPrecision(2)}`])) })),
    { caption: "Texture statistics (mean ± sd over images; model inputs)" },
  );
  showTable(
    d.distances.map((x) => ({ "vs NEU test": x.set, n: x.n, "MMD²": x.mmd.mmd2, "σ² (median rule)": x.mmd.sigma2, Fréchet: x.frechet })),
    { caption: `Penultimate-layer distance (${d.embeddingDim}-d) to the NEU test set; NEU train is the within-domain baseline` },
  );
  const sets = [...new Set(d.pca.points.map((p) => p.set))];
  showFigure({
    data: sets.map((s) => ({ type: "scatter", mode: "markers", name: s, x: d.pca.points.filter((p) => p.set === s).map((p) => p.x), y: d.pca.points.filter((p) => p.set === s).map((p) => p.y), marker: { size: 5, opacity: 0.7 } })),
    layout: { title: { text: `PCA of the embeddings (PC1 ${(100 * d.pca.explained[0]).toFixed(1)} %, PC2 ${(100 * d.pca.explained[1]).toFixed(1)} %)` }, xaxis: { title: { text: "PC1" } }, yaxis: { title: { text: "PC2" } } },
  });
}

/** The mitigations side by side: GC10 hit rate and NEU test accuracy per view × switch. */
export function showMitigations(e: CrossDatasetExperiment): void {
  const rows = e.result.rows;
  showTable(rows.map((x) => ({ view: x.view, mitigation: x.mitigation, [`GC10 ${e.result.className} hit`]: pct(x.gc10Hit), "NEU test accuracy": pct(x.neuAccuracy), note: x.note ?? "" })), { caption: "Mitigations side by side (95 % Wilson CIs); a mitigation must not break the source task" });
  const scored = rows.filter((x) => x.gc10Hit && x.neuAccuracy);
  const best = [...scored].sort((a, b) => b.gc10Hit!.rate - a.gc10Hit!.rate || b.neuAccuracy!.rate - a.neuAccuracy!.rate)[0];
  if (best) showMarkdown(`Highest GC10 hit rate: **${best.view} + ${best.mitigation}** — ${pct(best.gc10Hit)}, NEU test accuracy ${pct(best.neuAccuracy)}. Overlapping intervals are not a difference.`);
}
