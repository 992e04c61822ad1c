/** predict: a trained run folder + any folder of images → CSV of per-image class probabilities. */
import { parseArgs } from "./args";
import { runCli, workspaceFromArgs } from "./common";
import { loadClassifier } from "../lib/experiments/classification";
import { predictFolder, predictionsCsv } from "../lib/experiments/inference";
import { writeFileAtomic } from "../lib/util/atomic-write";

const USAGE = `predict --checkpoint RUN_DIR --images FOLDER [--out predictions.csv] [--batch-size N] [--backend NAME]`;

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { checkpoint: "string", images: "string", out: "string", "batch-size": "number", backend: "string" },
    required: ["checkpoint", "images"],
  });
  const ws = await workspaceFromArgs("predict", a);
  void ws;
  const { model, config } = await loadClassifier(String(a.checkpoint));
  const rows = await predictFolder(model, config, String(a.images), typeof a["batch-size"] === "number" ? a["batch-size"] : 16);
  const out = typeof a.out === "string" ? a.out : "predictions.csv";
  writeFileAtomic(out, predictionsCsv(rows, config.classNames));
  console.log(`${rows.length} images → ${out}`);
});
