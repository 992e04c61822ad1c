/** Notebook displays of a hyper-parameter study (the numbers come from hpo/experiment.ts). */
import { showMarkdown, showTable } from "../report/display";
import { showFigure } from "../report/plotly";
import type { HpoExperiment } from "../hpo/experiment";

/** Study at a glance, the trials table, then the five figures. */
export function showHpoStudy(h: HpoExperiment): void {
  const s = h.summary;
  const states = Object.entries(s.states).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(", ");
  showMarkdown(`Study **${s.study}** in \`${s.storage}\`: ${s.trials} trials (${states}); this run added ${h.ranNow}. Best: trial ${s.best!.number}, validation macro-F1 **${s.best!.value.toFixed(4)}**.`);
  showTable(h.rows, { caption: "Trials (values: best validation macro-F1 of the trial; PRUNED trials were stopped by the median pruner)" });
  showFigure(h.figures.history);
  showFigure(h.figures.intermediate);
  showMarkdown(`Importances: ${h.importanceEstimator}, over the COMPLETE trials.`);
  showFigure(h.figures.importances);
  showFigure(h.figures.parallel);
  showFigure(h.figures.slices);
}

export function showHpoComparison(h: HpoExperiment): void {
  showTable(h.comparison, { caption: "The best configuration and the defaults, retrained with the same epochs (test macro-F1 on the held-out split)" });
}
