/** Notebook displays of the explainability track (pipelines in src/lib/explain never render). */
import { showBanner, showMarkdown, showPng, showTable } from "../report/display";
import type { CamExperiment, RunExplanation } from "../explain/experiment";
import type { MethodReport } from "../explain/evaluate";

const r3 = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(3)) : "n/a");

/** One row per method × class: each faithfulness number beside its random reference, and whether the map beats random. */
export function faithfulnessRows(report: Record<string, MethodReport>): Record<string, string | number>[] {
  return Object.entries(report).flatMap(([method, r]) =>
    Object.entries(r.faithfulness).map(([cls, f]) => ({
      method,
      class: cls,
      images: f.images,
      "deletion AUC ↓": r3(f.deletionAuc),
      "random del.": r3(f.randomDeletionAuc),
      "insertion AUC ↑": r3(f.insertionAuc),
      "random ins.": r3(f.randomInsertionAuc),
      "ROAD MoRF ↓": r3(f.roadMorf),
      "ROAD LeRF ↑": r3(f.roadLerf),
      "ROAD random": r3(f.roadRandom),
      "beats random": f.deletionAuc < f.randomDeletionAuc && f.insertionAuc > f.randomInsertionAuc ? "yes" : "no",
    })),
  );
}

/** One row per method × class: pointing game and energy share beside their chance (the regions' area share). */
export function localisationRows(report: Record<string, MethodReport>): Record<string, string | number>[] {
  return Object.entries(report).flatMap(([method, r]) =>
    Object.entries(r.localisation).map(([cls, l]) => ({
      method,
      class: cls,
      images: l.images,
      "pointing hit rate": r3(l.pointingHitRate),
      "energy in mask": r3(l.energyShare),
      "chance (area share)": r3(l.chance),
      "above chance": l.pointingHitRate > l.chance ? "yes" : "no",
    })),
  );
}

/** A run: the CAMs side by side, the two tables, the mistakes gallery and their confusion. */
export function showRunExplanation(r: RunExplanation): void {
  showMarkdown(`### ${r.run} (${r.model}, CAM layer \`${r.layer}\`)`);
  showPng(r.sideBySide.png, `${r.run}: CAMs of the true class side by side (${r.sideBySide.file})`);
  showTable(faithfulnessRows(r.report), { caption: `${r.run}: faithfulness on ${r.checkedImages} of ${r.testImages} test images (true-class probability; random = the same removal in a seeded random order)` });
  const loc = localisationRows(r.report);
  if (loc.length > 0) showTable(loc, { caption: `${r.run}: localisation against the Severstal masks of the true class (defect images only)` });
  else showBanner(`${r.run}: no test image with a mask among those checked — no localisation scores`, "warning");
  if (r.mistakes.file && r.mistakes.mistakes.length > 0) {
    showTable(r.mistakes.confusion.map((c) => ({ true: c.trueLabel, predicted: c.predictedLabel, mistakes: c.count })), { caption: `${r.run}: the top-${r.mistakes.mistakes.length} high-confidence mistakes by true → predicted class (gallery: ${r.mistakes.file})` });
  } else showMarkdown(`${r.run}: no test mistakes — no gallery.`);
}

export function showCamExperiment(x: CamExperiment): void {
  for (const r of x.runs) showRunExplanation(r);
  if ("skipped" in x.segmentation) showBanner(x.segmentation.skipped, "info");
  else {
    const s = x.segmentation;
    showMarkdown(`### ${s.run} (U-Net, layer \`${s.layer}\`): a class's output summed over its predicted mask`);
    showPng(s.png, `${s.run}: image | true mask | predicted mask | ${s.methods.join(" | ")}`);
  }
  showMarkdown(`### The write-up's figure: \`${x.figure.file}\``);
  showPng(x.figure.png, "Grad-CAM of the true class, two defect images per class (the first run)");
}
