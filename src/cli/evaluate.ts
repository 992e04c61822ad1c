/** evaluate: a trained run folder + labelled data → metrics JSON, confusion_matrix.png, roc.png. */
import * as path from "path";
import { COMMON_FLAGS, parseArgs } from "./args";
import { datasetFor, datasetName, existingPath, runCli, workspaceFromArgs } from "./common";
import { loadClassifier } from "../lib/experiments/classification";
import { evaluateCheckpoint } from "../lib/experiments/inference";
import { textTable } from "../lib/report/html";

const USAGE = `evaluate --checkpoint RUN_DIR [--dataset NAME] [--data-root DIR] [--split-csv FILE] [--out DIR] [--batch-size N] [--backend NAME] [--lenient] [--debug]
RUN_DIR is a folder written by 'train' (config.json + best/). Without --split-csv every image is evaluated.`;

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { checkpoint: "string", dataset: "string", "data-root": "string", "split-csv": "string", out: "string", "batch-size": "int", backend: "string", ...COMMON_FLAGS },
    required: ["checkpoint"],
  });
  const checkpoint = existingPath("checkpoint", a.checkpoint, "folder") as string;
  const dataRoot = existingPath("data-root", a["data-root"], "folder");
  const splitCsv = existingPath("split-csv", a["split-csv"], "file");
  if (a.dataset !== undefined) datasetName(a.dataset);
  const ws = await workspaceFromArgs("evaluate", a);
  const { model, config } = await loadClassifier(checkpoint);
  const ds = await datasetFor(ws, datasetName(a.dataset ?? config.dataset), dataRoot, { lenient: Boolean(a.lenient) });
  const out = typeof a.out === "string" ? a.out : path.join(checkpoint, "evaluation");
  const batchSize = typeof a["batch-size"] === "number" ? a["batch-size"] : undefined;
  const r = await evaluateCheckpoint(ws, model, config, ds, out, { splitCsv, batchSize });
  const s = r.evaluation.scores;
  console.log(textTable(s.report.rows.map((x) => ({ class: x.label, precision: x.precision, recall: x.recall, f1: x.f1, support: x.support }))));
  console.log(`\naccuracy ${s.summary.accuracy.toFixed(4)}, macro-F1 ${s.summary.macro_f1.toFixed(4)}\n${Object.values(r.files).join("\n")}`);
});
