/** explain: a trained run folder + a folder of images → CAM heatmaps, overlays, cams.csv (and localisation with --boxes). */
import * as path from "path";
import { parseArgs, CliError } from "./args";
import { runCli, workspaceFromArgs } from "./common";
import { loadClassifier } from "../lib/experiments/classification";
import { explainFolder } from "../lib/explain/folder";
import { CAM_METHODS } from "../lib/explain/methods";

const USAGE = `explain --checkpoint RUN_DIR --images FOLDER [--method ${CAM_METHODS.join("|")}]
               [--target predicted|CLASS] [--layer NAME] [--out DIR] [--boxes VOC_DIR]
               [--colormap jet|viridis] [--batch-size N] [--backend NAME]
Writes per image heatmaps/<name>.png (grey, 0-255 = normalised CAM) and overlays/<name>.png at the
image's size, cams.csv, gradcam.png (the first overlays) and, with --boxes, localisation.json.`;

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { checkpoint: "string", images: "string", method: "string", target: "string", layer: "string", out: "string", boxes: "string", colormap: "string", "batch-size": "number", backend: "string" },
    required: ["checkpoint", "images"],
  });
  const method = String(a.method ?? "gradcam");
  if (!(CAM_METHODS as string[]).includes(method)) throw new CliError(`--method must be one of ${CAM_METHODS.join(", ")}, got "${method}"`);
  const colormap = String(a.colormap ?? "jet");
  if (colormap !== "jet" && colormap !== "viridis") throw new CliError(`--colormap must be jet or viridis, got "${colormap}"`);
  const ws = await workspaceFromArgs("explain", a);
  const { model, config } = await loadClassifier(String(a.checkpoint));
  const outDir = typeof a.out === "string" ? a.out : path.join(ws.paths.outputs, "explain", path.basename(path.resolve(String(a.checkpoint))), method);
  const r = await explainFolder(model, config, String(a.images), {
    method,
    target: String(a.target ?? "predicted"),
    layer: typeof a.layer === "string" ? a.layer : undefined,
    outDir,
    boxesDir: typeof a.boxes === "string" ? a.boxes : undefined,
    batchSize: typeof a["batch-size"] === "number" ? a["batch-size"] : 8,
    colormap,
  });
  console.log(`${r.rows.length - r.errors} images explained (${method}), ${r.errors} unreadable → ${outDir}`);
  if (r.localisation) {
    const all = r.localisation.summary.all;
    if (all) console.log(`localisation on ${all.images} images: pointing game ${all.pointingHitRate.toFixed(3)}, energy inside ${all.energyShare.toFixed(3)} (chance ${all.chance.toFixed(3)}); ${r.localisation.skipped.length} without boxes`);
  }
  ws.finish({ title: `explain ${method}`, headline: { images: r.rows.length - r.errors, errors: r.errors, ...(r.localisation?.summary.all ? { pointing_game: r.localisation.summary.all.pointingHitRate, chance: r.localisation.summary.all.chance } : {}) } });
});
