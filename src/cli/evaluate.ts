/** evaluate: a trained run folder + labelled data → metrics JSON, confusion_matrix.png, roc.png. */
import * as path from "path";
import { parseArgs } from "./args";
import { datasetFor, datasetName, runCli, workspaceFromArgs } from "./common";
import { loadClassifier } from "../lib/experiments/classification";
import { evaluateClassifier } from "../lib/experiments/inference";
import { textTable } from "../lib/report/html";

const USAGE = `evaluate --checkpoint RUN_DIR [--dataset NAME] [--data-root DIR] [--split-csv FILE] [--out DIR] [--backend NAME]
RUN_DIR is a folder written by 'train' (config.json + best/). Without --split-csv every image is evaluated.`;

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { checkpoint: "string", dataset: "string", "data-root": "string", "split-csv": "string", out: "string", backend: "string" },
    required: ["checkpoint"],
  });
  const ws = await workspaceFromArgs("evaluate", a);
  const { model, config } = await loadClassifier(String(a.checkpoint));
  const ds = await datasetFor(ws, datasetName(a.dataset ?? config.dataset), a["data-root"]);
  const out = typeof a.out === "string" ? a.out : path.join(String(a.checkpoint), "evaluation");
  const r = await evaluateClassifier(model, config, ds, out, { splitCsv: typeof a["split-csv"] === "string" ? a["split-csv"] : undefined });
  console.log(textTable(r.evaluation.report.rows.map((x) => ({ class: x.label, precision: x.precision, recall: x.recall, f1: x.f1, support: x.support }))));
  console.log(`\naccuracy ${r.evaluation.summary.accuracy.toFixed(4)}, macro-F1 ${r.evaluation.summary.macro_f1.toFixed(4)}\n${Object.values(r.files).join("\n")}`);
});
