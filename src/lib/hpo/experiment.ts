/**
 * Notebook 06 end to end: a TPE + median-pruning study of the "classifier" objective on an SQLite
 * study under outputs/hpo/ (re-running continues the same study up to its trial budget instead of
 * starting a new one: the budget is study-wide), then the best configuration and the defaults
 * retrained with the same epochs, side by side. Returns numbers and figures; views/hpo.ts shows them.
 */
import * as path from "path";
import type { Dataset } from "../data/types";
import { runClassification, ClassificationConfig } from "../experiments/classification";
import { hpoStudyPreset } from "../experiments/presets";
import type { Workspace } from "../runtime/workspace";
import type { Figure } from "../report/figure";
import { classifierConfig } from "./objectives/classifier";
import { classifierStudy } from "./objectives/classifier-study";
import { Importance, paramImportances } from "./results/importance";
import { importancesFigure, intermediateValuesFigure, optimizationHistoryFigure, parallelCoordinatesFigure, sliceFigure } from "./results/plots";
import { TrialRow, trialRows } from "./results/rows";
import { StudySummary, summarizeStudy } from "./results/summary";
import { prunerByName, samplerByName } from "./study/by-name";
import { createStudy } from "./study/study";
import { FixedTrial } from "./trial/fixed-trial";

export interface HpoExperimentOptions {
  study?: string;
  /** Default sqlite:///<outputs>/hpo/<study>.db */
  storage?: string;
  nTrials?: number;
}

export type RetrainedRow = {
  config: string;
  lr: number;
  batch_size: number;
  head_units: number | string;
  freeze: number;
  scheduler: string;
  best_val_macro_f1: number;
  test_macro_f1: number;
};

export interface HpoExperiment {
  summary: StudySummary;
  /** Trials table without wall-clock columns (same seed → same rows). */
  rows: TrialRow[];
  importances: Importance[];
  importanceEstimator: string;
  figures: { history: Figure; importances: Figure; parallel: Figure; slices: Figure; intermediate: Figure };
  comparison: RetrainedRow[];
  /** Trials this call ran (0 when the study had its budget already). */
  ranNow: number;
}

function row(name: string, cfg: ClassificationConfig, val: number, test: number): RetrainedRow {
  return {
    config: name, lr: cfg.optimizer.lr, batch_size: cfg.batchSize, head_units: cfg.head?.hidden ?? "none", freeze: cfg.freeze ?? 0,
    scheduler: cfg.scheduler?.type ?? "none", best_val_macro_f1: val, test_macro_f1: test,
  };
}

export async function hpoExperiment(ws: Workspace, ds: Dataset, opts: HpoExperimentOptions = {}): Promise<HpoExperiment> {
  const preset = hpoStudyPreset(ws.config.profile);
  const name = opts.study ?? "06_hpo";
  const storage = opts.storage ?? `sqlite:///${path.join(ws.paths.outputs, "hpo", `${name}.db`)}`;
  const cs = classifierStudy(ws, ds, { outDir: path.join(ws.paths.outputs, "hpo", name) });
  const study = await createStudy({
    name, storage, direction: "maximize", loadIfExists: true,
    sampler: samplerByName("tpe", ws.config.seed),
    pruner: prunerByName("median", { nStartupTrials: preset.nStartupTrials }),
    heartbeat: { intervalS: 10, graceS: 120, retry: { maxRetry: 1 } },
  });
  try {
    const nTrials = opts.nTrials ?? preset.nTrials;
    const before = (await study.getTrials()).filter((t) => t.state !== "FAIL").length;
    await study.optimize(cs.objective, { maxTrials: nTrials, catch: true, progress: `study ${name}` });
    const trials = await study.getTrials();
    const summary = summarizeStudy(name, study.storage.description, "maximize", trials);
    if (!summary.best) throw new Error(`study ${name}: no COMPLETE trial to retrain (states: ${JSON.stringify(summary.states)})`);
    const importances = paramImportances(trials);
    const retrain = (cfg: ClassificationConfig) => runClassification(ws, ds, { ...cfg, epochs: preset.retrainEpochs });
    const bestCfg = { ...classifierConfig(new FixedTrial(summary.best.params), cs.base, cs.ctx), run: `${name}_best`, outDir: path.join(ws.paths.outputs, "hpo", name, "best") };
    const defaultsCfg = { ...cs.base, run: `${name}_defaults`, outDir: path.join(ws.paths.outputs, "hpo", name, "defaults") };
    const comparison: RetrainedRow[] = [];
    for (const [label, cfg] of [["defaults", defaultsCfg], [`best (trial ${summary.best.number})`, bestCfg]] as const) {
      const r = await retrain(cfg);
      r.model.dispose();
      const val = Math.max(...r.history.map((h) => h.val_macroF1).filter(Number.isFinite));
      comparison.push(row(label, cfg, val, r.evaluation.summary.macro_f1));
    }
    return {
      summary,
      rows: trialRows(trials).map(({ duration_s: _drop, ...rest }) => rest),
      importances,
      importanceEstimator: "first-order variance decomposition (η², the correlation ratio per parameter; no interactions)",
      figures: {
        history: optimizationHistoryFigure(trials, "maximize", "Optimisation history (validation macro-F1, best so far)"),
        importances: importancesFigure(importances),
        parallel: parallelCoordinatesFigure(trials),
        slices: sliceFigure(trials),
        intermediate: intermediateValuesFigure(trials, "Validation macro-F1 per epoch (pruned trials stop early)"),
      },
      comparison,
      ranNow: trials.filter((t) => t.state !== "FAIL").length - before,
    };
  } finally {
    await study.storage.close();
  }
}
