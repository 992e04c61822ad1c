/**
 * The NEU accuracy experiment: train from scratch (no pretrained weights) on the REAL NEU images
 * and report test accuracy with its Wilson 95 % interval on a documented split (stratified
 * 45/5/50, seed from SEED, written to outputs/splits/). Reads ../shared/data/neu-det by default,
 * or --data-root. The run folder outputs/models/experiment_neu_real is the checkpoint notebook 09
 * and `explain-neu` read (loadClassifier(runDir)).
 *   make experiment-neu            (quick profile: SimpleCNN 96², augment neu-capture; see docs/neu.md)
 * The recipe flags (--model, --size, --lr, --augment) exist to measure alternatives (docs/neu.md).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { COMMON_FLAGS, CliError, parseArgs } from "./args";
import { datasetFor, runCli, workspaceFromArgs } from "./common";
import { runClassification } from "../lib/experiments/classification";
import { neuNetPreset, neuPreset } from "../lib/experiments/presets";
import { textTable } from "../lib/report/html";
import { wilson } from "../lib/cross-dataset/wilson";
import type { AugmentPreset } from "../lib/runner/tasks/classification-config";

const AUGMENTS: AugmentPreset[] = ["none", "flips", "dihedral", "standard", "neu", "neu-capture"];

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage:
      "experiment-neu [--data-root DIR] [--epochs N] [--model NAME] [--size PX] [--lr X] [--augment " +
      AUGMENTS.join("|") +
      "] [--recipe simplecnn|neu-net] [--run NAME] [--profile smoke|quick|full] [--seed N] [--backend NAME] [--lenient] [--restart] [--debug]",
    flags: { "data-root": "string", epochs: "int", model: "string", size: "int", lr: "positive", augment: "string", recipe: "string", run: "string", profile: "string", seed: "number", backend: "string", restart: "boolean", ...COMMON_FLAGS },
    choices: { profile: ["smoke", "quick", "full"], augment: AUGMENTS, recipe: ["simplecnn", "neu-net"] },
  });
  const run = typeof a.run === "string" ? a.run : "experiment_neu_real";
  const ws = await workspaceFromArgs(run, a);
  const root = typeof a["data-root"] === "string" ? a["data-root"] : path.join(ws.paths.sharedData, "neu-det");
  if (!fs.existsSync(root)) throw new CliError(`NEU data not found at ${root}; pass --data-root DIR (NEU-DET layout, class folders or <class>_<n>.jpg names)`);
  const ds = await datasetFor(ws, "neu", root, { lenient: Boolean(a.lenient) });
  // simplecnn (default) measured better on real NEU than neu-net so far (docs/neu.md).
  const base = a.recipe === "neu-net" ? neuNetPreset(ws.config.profile) : neuPreset(ws.config.profile);
  const cfg = {
    ...base,
    run,
    epochs: typeof a.epochs === "number" ? a.epochs : base.epochs,
    model: typeof a.model === "string" ? a.model : base.model,
    imageSize: typeof a.size === "number" ? { height: a.size, width: a.size } : base.imageSize,
    optimizer: typeof a.lr === "number" ? { ...base.optimizer, lr: a.lr } : base.optimizer,
    // simplecnn's default is neu-capture: it measured 98.89 % clean vs dihedral's 98.33 % on the same
    // 180-image split and seed, and is the robustness mitigation (docs/robustness.md).
    augment: typeof a.augment === "string" ? (a.augment as AugmentPreset) : a.recipe === "neu-net" ? base.augment : "neu-capture",
  };
  // Wall time is inflated when other jobs share the CPU: the CPU time and load let a reader judge it.
  const load = os.loadavg();
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  // A rerun resumes from outputs/models/<run>/last (the runner's rule); --restart starts over.
  const r = await runClassification(ws, ds, cfg, { restart: Boolean(a.restart) });
  const cpu = process.cpuUsage(cpu0);
  const timing = { wallSeconds: (Date.now() - t0) / 1000, trainSeconds: r.seconds.train, cpuSeconds: (cpu.user + cpu.system) / 1e6, loadBefore: load[0], loadAfter: os.loadavg()[0], cores: os.cpus().length };
  const s = r.evaluation.summary;
  const correct = Math.round(s.accuracy * s.samples);
  const ci = wilson(correct, s.samples);
  console.log(textTable(r.evaluation.report.rows.map((x) => ({ class: x.label, precision: x.precision, recall: x.recall, f1: x.f1, support: x.support }))));
  console.log(
    `\nNEU (real, from scratch, ${cfg.model} ${cfg.imageSize.height}x${cfg.imageSize.width}, ${r.history.length} epochs): test accuracy ${(100 * s.accuracy).toFixed(2)} % ` +
      `(${correct}/${s.samples}, Wilson 95 % CI ${(100 * ci.lo).toFixed(2)}–${(100 * ci.hi).toFixed(2)} %); split ${r.split.train}/${r.split.val}/${r.split.test} in ${r.split.csv}`,
  );
  console.log(`training ${timing.trainSeconds.toFixed(0)} s wall, run ${timing.cpuSeconds.toFixed(0)} s CPU on ${timing.cores} cores, load ${timing.loadBefore.toFixed(2)} → ${timing.loadAfter.toFixed(2)}`);
  ws.finish({
    title: "NEU from scratch (real images)",
    headline: { test_accuracy: s.accuracy, test_accuracy_ci95_lo: ci.lo, test_accuracy_ci95_hi: ci.hi, macro_f1: s.macro_f1 },
    // Paths relative to the project root, so the metrics JSON is the same on every clone.
    details: {
      split: { ...r.split, csv: path.relative(ws.paths.root, r.split.csv) },
      config: cfg,
      report: r.evaluation.report.rows,
      confusion: r.evaluation.confusion,
      history: r.history,
      // Timings vary run to run: kept under one key so the rest of the JSON stays comparable.
      timing,
    },
  });
});
