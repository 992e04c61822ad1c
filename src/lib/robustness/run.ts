/**
 * A robustness run as the `robustness` command and notebook 08 use it: one sweep per test-time
 * mitigation on the same split and seed, written as metrics JSON (deterministic: no timings),
 * one curves PNG per mitigation, and a before → after table of clean score, each perturbation at
 * the verdict severity, and ΔF1.
 */
import * as path from "path";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic-write";
import { svgToPng } from "../report/static-charts";
import { robustnessCurvesSvg } from "./figures";
import { robustnessSweep, type SweepOptions, type SweepResult } from "./sweep";

export interface RobustnessRunOptions extends SweepOptions {
  outDir: string;
}

export interface RobustnessRun {
  sweeps: SweepResult[];
  /** One row per mitigation: clean macro-F1, macro-F1 per perturbation at the verdict severity, ΔF1, verdict. */
  table: Record<string, string | number | boolean>[];
  files: Record<string, string>;
}

export function mitigationTable(sweeps: SweepResult[], severity = 3): Record<string, string | number | boolean>[] {
  return sweeps.map((s) => {
    const row: Record<string, string | number | boolean> = { mitigation: s.mitigation, clean_accuracy: s.clean.accuracy, clean_macroF1: s.clean.macroF1 };
    for (const r of s.rows.filter((x) => x.severity === severity)) row[`${r.kind}_s${severity}`] = r.macroF1;
    if (s.verdict) {
      row.deltaF1 = s.verdict.delta;
      row.pass = s.verdict.pass;
    }
    return row;
  });
}

export async function runRobustness(o: RobustnessRunOptions): Promise<RobustnessRun> {
  const sweeps = await robustnessSweep(o);
  const files: Record<string, string> = {};
  for (const s of sweeps) {
    files[`curves_${s.mitigation}`] = path.join(o.outDir, `robustness_${s.mitigation.replace("+", "_")}.png`);
    writeFileAtomic(files[`curves_${s.mitigation}`], await svgToPng(robustnessCurvesSvg(s)));
  }
  const table = mitigationTable(sweeps, o.verdictSeverity ?? 3);
  files.metrics = path.join(o.outDir, "robustness.json");
  writeJsonAtomic(files.metrics, { seed: o.seed, samples: o.indices.length, goal: o.goal ?? 0.03, table, sweeps });
  return { sweeps, table, files };
}
