/**
 * export: a trained classifier run folder → a TensorFlow.js web model (model.json + weight
 * shards) + metadata.json for the inspection page (web/, `make inspect`), with the size and
 * test-accuracy change of every quantisation scheme (none / float16 / uint8) measured on the
 * run's test split → outputs/metrics/export.json and DIR/quantization.json.
 * --segmentation RUN_DIR also exports a U-Net run (its best/ checkpoint) to DIR/segmenter/.
 */
import * as fs from "fs";
import * as path from "path";
import { COMMON_FLAGS, CliError, parseArgs } from "./args";
import { datasetFor, datasetName, existingPath, runCli, workspaceFromArgs } from "./common";
import { loadClassifier } from "../lib/experiments/classification";
import { loadModel } from "../lib/train/checkpoint";
import { backendLabel } from "../lib/runtime/backend";
import { exportClassifier, exportSegmenter } from "../lib/export/export-classifier";
import { QUANTIZE_SCHEMES, QuantizeScheme } from "../lib/export/quantize";
import { textTable } from "../lib/report/html";
import { writeJsonAtomic } from "../lib/util/atomic-write";

const USAGE = `export --checkpoint RUN_DIR --out DIR [--quantize none|float16|uint8] [--dataset NAME] [--data-root DIR]
              [--split-csv FILE] [--critical CLASS] [--target-recall X] [--review-margin X] [--segmentation RUN_DIR]
              [--batch-size N] [--backend NAME] [--lenient] [--debug]
RUN_DIR is a folder written by 'train' (config.json + best/). The validation and test splits are the run's
(recomputed from its seed, or --split-csv); pass the same --data-root the run was trained on.`;

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: {
      checkpoint: "string", out: "string", quantize: "string", dataset: "string", "data-root": "string", "split-csv": "string", critical: "string",
      "target-recall": "positive", "review-margin": "number", segmentation: "string", "batch-size": "int", backend: "string", ...COMMON_FLAGS,
    },
    required: ["checkpoint", "out"],
    choices: { quantize: [...QUANTIZE_SCHEMES] },
  });
  const checkpoint = existingPath("checkpoint", a.checkpoint, "folder") as string;
  const dataRoot = existingPath("data-root", a["data-root"], "folder");
  const splitCsv = existingPath("split-csv", a["split-csv"], "file");
  const segmentation = existingPath("segmentation", a.segmentation, "folder");
  if (segmentation && !fs.existsSync(path.join(segmentation, "best"))) throw new CliError(`--segmentation ${segmentation} has no best/ checkpoint`);
  const recall = a["target-recall"] as number | undefined;
  if (recall !== undefined && recall > 1) throw new CliError(`--target-recall must be in (0, 1], got ${recall}`);
  const margin = a["review-margin"] as number | undefined;
  if (margin !== undefined && (margin < 0 || margin > 1)) throw new CliError(`--review-margin must be in [0, 1], got ${margin}`);
  if (a.dataset !== undefined) datasetName(a.dataset);
  const scheme = (a.quantize ?? "none") as QuantizeScheme;
  const out = String(a.out);
  const ws = await workspaceFromArgs("export", a);
  const { model, config } = await loadClassifier(checkpoint);
  const recorded = path.join(checkpoint, "metrics.json");
  const source = fs.existsSync(recorded) ? (JSON.parse(fs.readFileSync(recorded, "utf8")) as { dataset?: { source?: string } }).dataset?.source : undefined;
  // Scoring a real-data run on the synthetic default would report meaningless numbers.
  if (source === "real" && !dataRoot) throw new CliError(`${checkpoint} was trained on real ${config.dataset} data: pass the same --data-root (e.g. ../shared/data/neu-det)`);
  const ds = await datasetFor(ws, datasetName(a.dataset ?? config.dataset), dataRoot, { lenient: Boolean(a.lenient) });
  const backend = backendLabel(ws.backend);
  const r = await exportClassifier(model, config, ds, {
    outDir: out, scheme, critical: typeof a.critical === "string" ? a.critical : undefined, targetRecall: recall, splitCsv, reviewMargin: margin, backend,
    batchSize: typeof a["batch-size"] === "number" ? a["batch-size"] : undefined, withSegmenter: Boolean(segmentation),
  });
  const seg = segmentation ? await exportSegmenter(await loadModel(path.join(segmentation, "best")), segmentation, { outDir: path.join(out, "segmenter"), scheme, backend, seed: ws.config.seed }) : undefined;
  writeJsonAtomic(path.join(out, "quantization.json"), r.table);
  console.log(textTable(r.table.map((t) => ({ scheme: t.scheme, bytes: t.bytes, "size vs float32": t.sizeRatio, "test accuracy": t.testAccuracy, "Δ points": t.accuracyChangePoints, "max |Δp|": t.maxProbDiff }))));
  const op = r.metadata.operatingPoint;
  console.log(op ? `safety-first: ${op.critical} when ${op.factor.toFixed(3)} × p ≥ the others (val recall ${op.valRecallBefore.toFixed(3)} → ${op.valRecallAfter.toFixed(3)}, test ${op.testRecallBefore.toFixed(3)} → ${op.testRecallAfter.toFixed(3)})` : "safety-first: none (no crack-like class; --critical CLASS)");
  console.log(`exported ${scheme === "none" ? "float32" : scheme} → ${out}${seg ? ` (+ segmenter/)` : ""}`);
  ws.finish({
    title: "export to TensorFlow.js",
    headline: Object.fromEntries(r.table.flatMap((t) => [[`${t.scheme}_size_ratio`, t.sizeRatio], [`${t.scheme}_accuracy_change_points`, t.accuracyChangePoints]])),
    details: { scheme, dataset: r.metadata.data, operatingPoint: op, table: r.table, segmenter: seg ? seg.classNames : null },
  });
});
