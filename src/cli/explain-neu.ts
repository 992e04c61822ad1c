/**
 * The CAM checks on REAL NEU-DET: with the classifier of `make experiment-neu` (its run folder and
 * split), every test image's CAMs (true class) are scored for faithfulness (deletion / insertion
 * AUC, ROAD, each vs random removal) and localisation against the VOC boxes (pointing game and
 * energy share vs the boxes' area share), per class; and the top-20 high-confidence mistakes as a
 * gallery (outputs/explain/neu/mistakes.png). Metrics JSON: outputs/metrics/explain_neu.json.
 *   node --import tsx src/cli/explain-neu.ts [--checkpoint outputs/models/experiment_neu_real] [--per-class N] [--limit N]
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, CliError } from "./args";
import { datasetFor, runCli, workspaceFromArgs } from "./common";
import { loadClassifier } from "../lib/experiments/classification";
import { readImage } from "../lib/data/image-io";
import { readSplitCsv } from "../lib/data/splits";
import { evaluateCams, LabelledImage } from "../lib/explain/evaluate";
import { boxesMask } from "../lib/explain/metrics/localisation";
import { CAM_METHODS } from "../lib/explain/methods";
import { textTable } from "../lib/report/html";
import { writeCamFigure, writeMistakesGallery } from "../lib/explain/mistakes-report";

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: "explain-neu [--checkpoint RUN_DIR] [--data-root DIR] [--methods gradcam,layercam,...] [--limit N] [--per-class N] [--seed N] [--backend NAME]",
    flags: { checkpoint: "string", "data-root": "string", methods: "string", limit: "int", "per-class": "int", seed: "number", backend: "string" },
  });
  const ws = await workspaceFromArgs("explain_neu", a);
  const runDir = typeof a.checkpoint === "string" ? a.checkpoint : path.join(ws.paths.models, "experiment_neu_real");
  const { model, config } = await loadClassifier(runDir);
  const methods = String(a.methods ?? "gradcam,gradcampp,hirescam,xgradcam,layercam,eigencam").split(",");
  const unknown = methods.filter((m) => !(CAM_METHODS as string[]).includes(m));
  if (unknown.length) throw new CliError(`--methods: unknown ${unknown.join(", ")}; known: ${CAM_METHODS.join(", ")}`);
  const root = typeof a["data-root"] === "string" ? a["data-root"] : path.join(ws.paths.sharedData, "neu-det");
  if (!fs.existsSync(root)) throw new Error(`NEU data not found at ${root}; pass --data-root DIR`);
  const ds = await datasetFor(ws, "neu", root);
  const splitCsv = path.join(ws.paths.splits, `neu_${config.run}.csv`);
  if (!fs.existsSync(splitCsv)) throw new Error(`split ${splitCsv} does not exist; run 'make experiment-neu' first`);
  const allTest = readSplitCsv(splitCsv, ds.samples).test;
  // The checks run on a documented subset (the first N test images of each class, in split
  // order); the mistakes gallery always looks at the whole test split (predictions are cheap).
  let test = allTest;
  if (typeof a["per-class"] === "number") {
    const n = a["per-class"];
    const seen = new Map<number, number>();
    test = test.filter((i) => {
      const k = seen.get(ds.samples[i].label) ?? 0;
      seen.set(ds.samples[i].label, k + 1);
      return k < n;
    });
  }
  if (typeof a.limit === "number") test = test.slice(0, a.limit);
  const chosen = new Set(test);
  const everything: LabelledImage[] = [];
  let noBoxes = 0;
  for (const i of allTest) {
    const s = ds.samples[i];
    const image = await readImage(s.path, { channels: config.channels, ...config.imageSize });
    if (chosen.has(i) && (!s.boxes || s.boxes.length === 0)) noBoxes++;
    const region = s.boxes && s.boxes.length > 0 ? boxesMask(s.boxes, { height: s.height, width: s.width }, image) : undefined;
    everything.push({ id: s.id, image, label: config.classNames.indexOf(ds.classNames[s.label]), region });
  }
  const items = everything.filter((_, k) => chosen.has(allTest[k]));
  const outDir = path.join(ws.paths.outputs, "explain", "neu");
  const mistakes = await writeMistakesGallery(model, everything, config.classNames, path.join(outDir, "mistakes.png"), { k: 20, method: "gradcam" });
  console.log(`${mistakes.mistakes.length} high-confidence mistakes among ${everything.length} test images → ${mistakes.file ?? "(none: no test mistakes)"}`);
  const figure = await writeCamFigure(model, items, config.classNames, path.join(outDir, "gradcam.png"), { perClass: 2, method: "gradcam" });
  console.log(`Grad-CAM figure → ${figure}`);
  const report = await evaluateCams(model, items, config.classNames, methods, { seed: ws.config.seed });
  for (const m of methods) {
    const r = report[m];
    console.log(`\n${m}`);
    console.log(textTable(Object.entries(r.faithfulness).map(([cls, f]) => ({ class: cls, n: f.images, del: f.deletionAuc, del_rand: f.randomDeletionAuc, ins: f.insertionAuc, ins_rand: f.randomInsertionAuc, road_morf: f.roadMorf, road_lerf: f.roadLerf, road_rand: f.roadRandom }))));
    console.log(textTable(Object.entries(r.localisation).map(([cls, l]) => ({ class: cls, n: l.images, pointing: l.pointingHitRate, energy: l.energyShare, chance: l.chance }))));
  }
  console.log(`\n${items.length} test images (${noBoxes} without boxes: skipped for localisation, counted)`);
  ws.finish({
    title: "CAM faithfulness and localisation on NEU (test split)",
    headline: Object.fromEntries(methods.flatMap((m) => [[`${m}_deletion_auc`, report[m].faithfulness.all.deletionAuc], [`${m}_pointing`, report[m].localisation.all?.pointingHitRate ?? NaN]])),
    details: { subset: { perClass: a["per-class"] ?? "all", limit: a.limit ?? "none" }, mistakes: { ...mistakes, file: mistakes.file && path.relative(ws.paths.root, mistakes.file) }, figure: path.relative(ws.paths.root, figure), run: path.relative(ws.paths.root, path.resolve(runDir)), split: path.relative(ws.paths.root, splitCsv), images: items.length, withoutBoxes: noBoxes, methods: report },
  });
});
