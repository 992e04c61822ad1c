/**
 * train: fit a model by name on a dataset through the experiment runner and write its run
 * folder (best checkpoint, history, metrics JSON, confusion_matrix.png, roc.png, split CSV).
 */
import * as path from "path";
import { COMMON_FLAGS, parseArgs, CliError } from "./args";
import { datasetFor, datasetName, existingPath, runCli, workspaceFromArgs } from "./common";
import { runClassification, ClassificationConfig } from "../lib/experiments/classification";
import { simpleCnnPreset, resnet50Preset } from "../lib/experiments/presets";
import { findPretrainedWeights } from "../lib/models/keras-h5";
import { listModels } from "../lib/models/registry";
import { hasFastConvolutions } from "../lib/runtime/backend";
import { IMPLEMENTED_TASKS, taskKindOf } from "../lib/runner/tasks/index";

const USAGE = `train --model NAME [--dataset severstal|neu|gc10] [--data-root DIR] [--out DIR]
             [--epochs N] [--batch-size N] [--lr X] [--image-size HxW] [--mode single|multi]
             [--profile smoke|quick|full] [--seed N] [--backend cpu|wasm|...] [--lenient] [--restart] [--debug]
Defaults come from the notebooks' presets for the profile (simplecnn: notebook 03, resnet50: 04).`;

function imageSize(v: unknown): { height: number; width: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/.exec(String(v));
  if (!m || Number(m[1]) < 8 || Number(m[2]) < 8) throw new CliError(`--image-size must look like 64x384 (each side >= 8), got "${String(v)}"`);
  return { height: Number(m[1]), width: Number(m[2]) };
}

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: {
      model: "string", dataset: "string", "data-root": "string", out: "string", epochs: "int", "batch-size": "int", lr: "positive",
      "image-size": "string", mode: "string", profile: "string", seed: "number", backend: "string", restart: "boolean", ...COMMON_FLAGS,
    },
    required: ["model"],
    choices: { mode: ["single", "multi"], profile: ["smoke", "quick", "full"], dataset: ["severstal", "neu", "gc10"] },
  });
  const model = String(a.model);
  if (!listModels().includes(model)) throw new CliError(`--model must be one of ${listModels().join(", ")}, got "${model}"`);
  const kind = taskKindOf(model);
  if (kind === "segmentation") throw new CliError(`--model ${model} needs the segmentation task: use 'segment train' (encoder, loss, tile size)`);
  if (!IMPLEMENTED_TASKS.includes(kind)) throw new CliError(`--model ${model} needs the ${kind} task, which the runner does not have yet (implemented: ${IMPLEMENTED_TASKS.join(", ")})`);
  const dataset = datasetName(a.dataset ?? "severstal");
  const size = imageSize(a["image-size"]);
  const dataRoot = existingPath("data-root", a["data-root"], "folder");
  const ws = await workspaceFromArgs(`train_${model}`, a);
  const base: ClassificationConfig = model === "resnet50" ? resnet50Preset(ws.config.profile, findPretrainedWeights(ws.paths) !== undefined, hasFastConvolutions(ws.backend)) : { ...simpleCnnPreset(ws.config.profile), model };
  const run = `train_${dataset}_${model}`;
  const cfg: ClassificationConfig = {
    ...base,
    run,
    outDir: typeof a.out === "string" ? a.out : path.join(ws.paths.models, run),
    epochs: typeof a.epochs === "number" ? a.epochs : base.epochs,
    batchSize: typeof a["batch-size"] === "number" ? a["batch-size"] : base.batchSize,
    optimizer: typeof a.lr === "number" ? { ...base.optimizer, lr: a.lr } : base.optimizer,
    imageSize: size ?? base.imageSize,
    mode: (a.mode as "single" | "multi" | undefined) ?? base.mode,
  };
  const ds = await datasetFor(ws, dataset, dataRoot, { lenient: Boolean(a.lenient) });
  const r = await runClassification(ws, ds, cfg, { restart: Boolean(a.restart) });
  const s = r.evaluation.summary;
  console.log(`\n${model} on ${dataset} (${r.dataset.source}): test accuracy ${s.accuracy.toFixed(4)}, macro-F1 ${s.macro_f1.toFixed(4)}, ROC-AUC macro ${s.roc_auc_macro.toFixed(4)}`);
  console.log(`run folder: ${cfg.outDir}\n  ${Object.values(r.files).join("\n  ")}`);
  ws.finish({ title: `train ${model} on ${dataset}`, headline: { accuracy: s.accuracy, macro_f1: s.macro_f1 } });
});
