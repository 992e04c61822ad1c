/**
 * predict: a trained run folder + any folder of images → CSV of per-image class probabilities.
 * A file that cannot be read gets an error row (and a stderr line); the others are written.
 * Exit code 0: every file predicted; 3: some files failed (see the CSV's error column).
 */
import { COMMON_FLAGS, parseArgs } from "./args";
import { existingPath, runCli, workspaceFromArgs } from "./common";
import { loadClassifier } from "../lib/experiments/classification";
import { predictFolder, predictionsCsv } from "../lib/experiments/inference";
import { writeFileAtomic } from "../lib/util/atomic-write";

const USAGE = `predict --checkpoint RUN_DIR --images FOLDER [--out predictions.csv] [--batch-size N] [--backend NAME] [--debug]`;

/** Exit code when some (not all) inputs failed. */
export const EXIT_PARTIAL = 3;

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { checkpoint: "string", images: "string", out: "string", "batch-size": "int", backend: "string", ...COMMON_FLAGS },
    required: ["checkpoint", "images"],
  });
  const checkpoint = existingPath("checkpoint", a.checkpoint, "folder") as string;
  const images = existingPath("images", a.images, "folder") as string;
  await workspaceFromArgs("predict", a);
  const { model, config } = await loadClassifier(checkpoint);
  const rows = await predictFolder(model, config, images, typeof a["batch-size"] === "number" ? a["batch-size"] : 16, (file, msg) =>
    console.error(`error: ${file}: ${msg.split("\n")[0]}`),
  );
  const out = typeof a.out === "string" ? a.out : "predictions.csv";
  writeFileAtomic(out, predictionsCsv(rows, config.classNames));
  const failed = rows.filter((r) => r.error).length;
  console.log(`${rows.length - failed} images predicted${failed ? `, ${failed} failed` : ""} → ${out}`);
  return failed ? EXIT_PARTIAL : 0;
});
