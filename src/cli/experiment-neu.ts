/**
 * The NEU accuracy experiment: train from scratch (no pretrained weights) on the REAL NEU images
 * and report test accuracy on a documented split (stratified 70/15/15, seed from SEED, written to
 * outputs/splits/). Reads ../shared/data/neu-det by default, or --data-root.
 *   make experiment-neu            (quick profile: 96×96, 20 epochs; --epochs N, --profile full for 200×200)
 */
import * as fs from "fs";
import * as path from "path";
import { COMMON_FLAGS, CliError, parseArgs } from "./args";
import { datasetFor, runCli, workspaceFromArgs } from "./common";
import { runClassification } from "../lib/experiments/classification";
import { neuPreset } from "../lib/experiments/presets";
import { textTable } from "../lib/report/html";

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: "experiment-neu [--data-root DIR] [--epochs N] [--profile smoke|quick|full] [--seed N] [--backend NAME] [--lenient] [--restart] [--debug]",
    flags: { "data-root": "string", epochs: "int", profile: "string", seed: "number", backend: "string", restart: "boolean", ...COMMON_FLAGS },
    choices: { profile: ["smoke", "quick", "full"] },
  });
  const ws = await workspaceFromArgs("experiment_neu_real", a);
  const root = typeof a["data-root"] === "string" ? a["data-root"] : path.join(ws.paths.sharedData, "neu-det");
  if (!fs.existsSync(root)) throw new CliError(`NEU data not found at ${root}; pass --data-root DIR (NEU-DET layout, class folders or <class>_<n>.jpg names)`);
  const ds = await datasetFor(ws, "neu", root, { lenient: Boolean(a.lenient) });
  const base = neuPreset(ws.config.profile);
  const cfg = { ...base, run: "experiment_neu_real", epochs: typeof a.epochs === "number" ? a.epochs : base.epochs };
  // A rerun resumes from outputs/models/experiment_neu_real/last (the runner's rule); --restart starts over.
  const r = await runClassification(ws, ds, cfg, { restart: Boolean(a.restart) });
  const s = r.evaluation.summary;
  console.log(textTable(r.evaluation.report.rows.map((x) => ({ class: x.label, precision: x.precision, recall: x.recall, f1: x.f1, support: x.support }))));
  console.log(`\nNEU (real, from scratch, ${cfg.model} ${cfg.imageSize.height}x${cfg.imageSize.width}, ${r.history.length} epochs): test accuracy ${s.accuracy.toFixed(4)} on ${s.samples} images; split ${r.split.csv}`);
  ws.finish({
    title: "NEU from scratch (real images)",
    headline: { test_accuracy: s.accuracy, macro_f1: s.macro_f1 },
    // Paths relative to the project root, so the metrics JSON is the same on every clone.
    details: { split: { ...r.split, csv: path.relative(ws.paths.root, r.split.csv) }, config: cfg, report: r.evaluation.report.rows, confusion: r.evaluation.confusion, history: r.history },
  });
});
