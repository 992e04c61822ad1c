/** Notebook displays of the robustness track (pipelines in src/lib/robustness never render). */
import { readImage } from "../data/image-io";
import { showBanner, showMarkdown, showPng, showTable } from "../report/display";
import { showFigure } from "../report/plotly";
import { perturbationGalleryPng } from "../robustness/gallery";
import { robustnessCurves } from "../robustness/figures";
import { PERTURBATIONS, PERTURBATION_KINDS } from "../robustness/registry";
import type { RobustnessExperiment } from "../robustness/experiment";

/** The perturbation models as a table: kind, what it models, its parameters at severities 1, 3, 5. */
export function showPerturbationModels(size: { height: number; width: number }): void {
  const fmt = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${Number(v.toPrecision(3))}`).join(", ");
  showTable(
    PERTURBATION_KINDS.map((k) => ({ kind: k, models: PERTURBATIONS[k].meaning, "severity 1": fmt(PERTURBATIONS[k].parameters(1, size)), "severity 3": fmt(PERTURBATIONS[k].parameters(3, size)), "severity 5": fmt(PERTURBATIONS[k].parameters(5, size)) })),
    { caption: `Capture perturbations and what each severity means (frame ${size.height}×${size.width})` },
  );
}

/** Every perturbation on one image, severities 1..5 (the frame as the sweep captures it). */
export async function showPerturbationGallery(file: string, seed: number, captureSize?: { height: number; width: number }, channels: 1 | 3 = 1): Promise<void> {
  const image = await readImage(file, { channels, ...(captureSize ?? {}) });
  showPng(await perturbationGalleryPng(image, { seed, tileWidth: image.width > 2 * image.height ? 260 : 120 }), `${file.split("/").pop()}: each perturbation at severities 1–5`);
}

/** Curves per mitigation, the ΔF1 verdict and the before → after table. */
export function showRobustness(r: RobustnessExperiment): void {
  for (const s of r.sweeps) showFigure(robustnessCurves(s));
  const plain = r.sweeps[0];
  if (plain.verdict) {
    const v = plain.verdict;
    showBanner(`ΔF1 (dim vs bright, severity ${v.severity}) without mitigation: ${v.delta.toFixed(4)} — ${v.pass ? "meets" : "FAILS"} the goal ≤ ${v.goal}`, v.pass ? "info" : "warning");
  }
  showTable(r.table, { caption: `Mitigations side by side (macro-F1 at severity 3; ${plain.samples} test images of ${r.run})` });
  const best = [...r.sweeps].filter((s) => s.verdict).sort((a, b) => a.verdict!.delta - b.verdict!.delta)[0];
  if (best?.verdict) showMarkdown(`Smallest ΔF1: **${best.mitigation}** (${best.verdict.delta.toFixed(4)}); its clean macro-F1 ${best.clean.macroF1.toFixed(4)} against ${plain.clean.macroF1.toFixed(4)} without mitigation.`);
}
