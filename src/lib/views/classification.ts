/** Notebook views of a classification result: curves, report, confusion, ROC/PR, mistakes. */
import type { ClassificationResult } from "../runner/tasks/classification";
import type { ClassificationScores, Predictions } from "../metrics/classification-scores";
import { confusionHeatmap, learningCurves, prChart, rocChart } from "../report/charts";
import { showFigure } from "../report/plotly";
import { showMarkdown, showPng, showTable } from "../report/display";
import { readImage, encodePng } from "../data/image-io";
import { formatDuration } from "../util/progress";

export function showLearningCurves(history: Record<string, number>[], title: string): void {
  showFigure(learningCurves(history, ["loss"], `${title}: loss`), { height: 340 });
  const metrics = ["accuracy", "macroF1"].filter((m) => history.some((h) => typeof h[m] === "number" || typeof h[`val_${m}`] === "number"));
  if (metrics.length) showFigure(learningCurves(history, metrics, `${title}: accuracy and macro-F1`), { height: 340 });
}

export function showScores(ev: ClassificationScores, classNames: string[], title: string): void {
  showTable(ev.report.rows.map((r) => ({ class: r.label, precision: r.precision, recall: r.recall, f1: r.f1, support: r.support })), {
    caption: `${title}: classification report (test split) — accuracy ${ev.summary.accuracy.toFixed(4)}`,
  });
  if (ev.confusion) showFigure(confusionHeatmap(ev.confusion, classNames, `${title}: confusion matrix (rows true, columns predicted)`), { height: 420 });
  if (ev.roc.length) showFigure(rocChart(ev.roc, `${title}: ROC (one-vs-rest)`), { height: 420 });
  if (ev.pr.length) showFigure(prChart(ev.pr, `${title}: precision–recall`), { height: 420 });
}

export function showClassificationResult(r: ClassificationResult): void {
  const title = `${r.config.model}`;
  showMarkdown(
    `**${r.config.run}** — ${r.config.model} (${r.params.total.toLocaleString("en-US")} parameters, ${r.params.trainable.toLocaleString("en-US")} trainable), ` +
      `${r.split.train}/${r.split.val}/${r.split.test} train/val/test images of ${r.dataset.name} (${r.dataset.source}); ` +
      `best epoch ${r.bestEpoch + 1} of ${r.history.length}; training took ${formatDuration(r.seconds.train * 1000)}. ${r.pretrained.note}.`,
  );
  showLearningCurves(r.history, title);
  showScores(r.evaluation, r.classNames, title);
}

/** The k most confident mistakes on the test split, with their images. */
export async function showMistakes(pred: Predictions, paths: Map<string, string>, k = 6, size = { height: 64, width: 400 }): Promise<void> {
  const mistakes = pred.ids
    .map((id, i) => {
      const t = pred.targets[i].indexOf(Math.max(...pred.targets[i]));
      const p = pred.probs[i].indexOf(Math.max(...pred.probs[i]));
      return { id, t, p, conf: pred.probs[i][p] };
    })
    .filter((m) => m.t !== m.p)
    .sort((a, b) => b.conf - a.conf || a.id.localeCompare(b.id))
    .slice(0, k);
  if (!mistakes.length) {
    showMarkdown("No misclassified test image.");
    return;
  }
  showTable(mistakes.map((m) => ({ image: m.id, true: pred.classNames[m.t], predicted: pred.classNames[m.p], confidence: m.conf })), {
    caption: `Most confident mistakes (${mistakes.length} shown)`,
  });
  for (const m of mistakes) {
    const file = paths.get(m.id);
    if (!file) continue;
    const img = await readImage(file, { channels: 1, ...size });
    showPng(await encodePng(img), `${m.id}: true ${pred.classNames[m.t]}, predicted ${pred.classNames[m.p]} (${(100 * m.conf).toFixed(1)} %)`);
  }
}
