/** Notebook view of a safety-first operating point: what it buys the critical class and costs the others. */
import type { SafetyFirstResult } from "../experiments/operating";
import { barChart } from "../report/charts";
import { showFigure } from "../report/plotly";
import { showMarkdown, showTable } from "../report/display";

export function showSafetyFirst(r: SafetyFirstResult): void {
  const c = r.point.criticalClass;
  showMarkdown(
    `**Operating point for \`${r.critical}\`** (target recall ${r.targetRecall} on validation): its probability is multiplied by ` +
      `**${(r.point.factor ?? 1).toFixed(3)}** before the argmax (a log-prior shift of ${(r.point.logPriorShift ?? 0).toFixed(3)}). ` +
      `Validation recall ${r.point.recallBefore.toFixed(3)} → ${r.point.achievedRecall.toFixed(3)}${r.point.reached ? "" : " (target not reachable)"}; ` +
      `on the test split ${r.testBefore.classes[c].recall.toFixed(3)} → ${r.testAfter.classes[c].recall.toFixed(3)}, ` +
      `macro-F1 ${r.testMacroF1Before.toFixed(4)} → ${r.testMacroF1After.toFixed(4)}.`,
  );
  showTable(
    r.testBefore.classes.map((b, j) => ({
      class: b.label,
      recall_before: b.recall,
      recall_after: r.testAfter.classes[j].recall,
      precision_before: b.precision,
      precision_after: r.testAfter.classes[j].precision,
      f1_before: b.f1,
      f1_after: r.testAfter.classes[j].f1,
    })),
    { caption: "Test split: what the operating point costs each class" },
  );
  showFigure(
    barChart(r.testBefore.classes.map((b) => b.label), { "recall before": r.testBefore.classes.map((b) => b.recall), "recall after": r.testAfter.classes.map((b) => b.recall) }, {
      title: `Recall per class before/after the ${r.critical} operating point (test)`,
      yTitle: "recall",
    }),
    { height: 340 },
  );
}
