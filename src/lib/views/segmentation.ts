/** Notebook views of a segmentation run: learning curves, masks on stitched images, post-processing and scores tables. */
import * as fs from "fs";
import type { SegmentationResult } from "../experiments/segmentation";
import type { SegmentationEvaluation } from "../runner/tasks/segmentation";
import type { SegmentationScores } from "../metrics/segmentation";
import { learningCurves } from "../report/charts";
import { showFigure } from "../report/plotly";
import { showMarkdown, showPng, showTable } from "../report/display";
import { formatDuration } from "../util/progress";

const CLASSES = ["1", "2", "3", "4"];
const COLOURS = "class 1 red, 2 green, 3 blue, 4 yellow";

export function showSegmentationCurves(history: Record<string, number>[], title: string): void {
  showFigure(learningCurves(history, ["loss"], `${title}: training loss (BCE + Dice on tiles)`), { height: 320 });
  showFigure(learningCurves(history, ["kaggle", "dice", "iou"], `${title}: stitched validation images (threshold 0.5)`), { height: 340 });
}

/** Per class: the model's Dice / IoU / false-mask images beside the all-empty submission's. */
export function showSegmentationScores(test: SegmentationEvaluation["test"], title: string): void {
  const row = (c: number, s: SegmentationScores) => ({ dice: s.perClassDice[c], iou: s.perClassIoU[c], falseMasks: s.presence[c].fp, missed: s.presence[c].fn });
  showTable(
    CLASSES.map((name, c) => {
      const m = row(c, test.scores);
      return { class: name, "model Dice": m.dice, "model IoU": m.iou, "empty Dice": test.emptyBaseline.perClassDice[c], "false-mask images": m.falseMasks, "missed images": m.missed };
    }),
    { caption: `${title}: test split (${test.images} stitched images) — Kaggle score ${test.scores.kaggle.toFixed(4)} vs all-empty ${test.emptyBaseline.kaggle.toFixed(4)}`, digits: 4 },
  );
}

/** A minimum area above the whole frame empties the class: the search fell back to the empty mask. */
function minAreaLabel(minArea: number, ev: SegmentationEvaluation): string | number {
  return minArea > ev.height * ev.width ? "class off (empty)" : minArea;
}

/** The post-processing search (chosen per class) and each switch's effect on the validation Kaggle score, gating included. */
export function showPostprocessTable(ev: SegmentationEvaluation): void {
  const g = ev.gating;
  const gated = g.status === "used";
  showTable(
    ev.val.search.map((r) => ({
      class: CLASSES[r.classIndex],
      threshold: r.threshold,
      "min area": minAreaLabel(r.minArea, ev),
      ...(gated ? { gate: r.gate ?? "off" } : {}),
      "Dice chosen": r.dice,
      "Dice at 0.5, no min area": r.baseDice,
    })),
    { caption: `post-processing chosen on ${ev.val.images} validation images (per class threshold × minimum area${gated ? " × classifier gate" : ""}; ties go to the larger minimum area)`, digits: 4 },
  );
  const e = ev.val.effects;
  const gateRow = e.rows.find((r) => r.switch === "gating");
  const gatingRow = gated
    ? gateRow
      ? []
      : [{ configuration: `classifier gating (${g.checkpoint}): no class gained on val, left off`, kaggle: g.valUngated ?? "—", delta: 0 }]
    : [{ configuration: `classifier gating: skipped — ${g.reason}`, kaggle: "—", delta: "—" }];
  showTable(
    [
      { configuration: "threshold 0.5 only", kaggle: ev.val.default.kaggle },
      { configuration: "chosen thresholds only (every switch off)", kaggle: e.thresholdOnly },
      ...e.rows.map((r) => ({ configuration: `all switches, ${r.switch === "gating" ? `classifier gating (${g.checkpoint})` : r.switch} OFF`, kaggle: r.off, delta: -r.delta })),
      ...gatingRow,
      { configuration: `all switches on${ev.tta ? " (with flip TTA)" : ""}`, kaggle: e.full },
    ],
    { caption: "effect of each switch on the validation Kaggle score (the full configuration with one switch off)", digits: 4 },
  );
}

/** Predicted vs true masks on full stitched validation images (truth above, prediction below). */
export function showSegmentationExamples(ev: SegmentationEvaluation, files: Record<string, string>): void {
  ev.examples.forEach((ex, k) => {
    const file = files[`example${k}`];
    if (!file || !fs.existsSync(file)) return;
    const px = (m: Uint8Array, c: number) => m.reduce((a, v, i) => a + (i % 4 === c && v ? 1 : 0), 0);
    const counts = CLASSES.map((n, c) => `${n}: ${px(ex.truth, c)} / ${px(ex.pred, c)}`).join(", ");
    showPng(fs.readFileSync(file), `${ex.imageId} — top: true masks, bottom: predicted (${COLOURS}); pixels true / predicted per class: ${counts}`);
  });
}

export function showSegmentationResult(r: SegmentationResult): void {
  const m = r.metrics as { params: { total: number }; split: { train: number; val: number; test: number; valScored: number; testScored: number }; pretrained: { note: string } };
  showMarkdown(
    `**${r.config.run}** — U-Net (${r.config.encoder} encoder, ${m.params.total.toLocaleString("en-US")} parameters), ${r.config.tile}² crops; ` +
      `${m.split.train}/${m.split.val}/${m.split.test} train/val/test images (${m.split.valScored} val and ${m.split.testScored} test images scored stitched); ` +
      `best epoch ${r.bestEpoch + 1} of ${r.history.length} by val Kaggle score; training took ${formatDuration(r.seconds.train * 1000)}. ${m.pretrained.note}.`,
  );
  showSegmentationCurves(r.history, `U-Net ${r.config.encoder}`);
}
