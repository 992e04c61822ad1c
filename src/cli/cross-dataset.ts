/**
 * cross-dataset: a trained NEU classifier, NOT retrained, on the GC10 images of a shared class
 * (default inclusion: folder 7, `7_yiwu`) — frame and box-crop views, the share called the mapped
 * class ± Wilson CI, the full distribution over NEU classes, shift diagnostics and the mitigations
 * side by side (each also scored on the NEU test split) → cross_dataset.json, distribution.csv,
 * gallery PNG. Says loudly whether each side is real or synthetic data.
 */
import * as fs from "fs";
import * as path from "path";
import { COMMON_FLAGS, CliError, parseArgs } from "./args";
import { existingPath, runCli, workspaceFromArgs } from "./common";
import { preflight } from "../lib/data/preflight";
import { formatSkipSummary } from "../lib/data/skip-report";
import { locateDataset } from "../lib/data/sources";
import { SHARED_CLASSES } from "../lib/cross-dataset/class-map";
import { TARGET_VIEWS, type TargetView } from "../lib/cross-dataset/gc10-target";
import { checkMitigations, MITIGATIONS } from "../lib/cross-dataset/mitigations";
import { runCrossDataset } from "../lib/cross-dataset/run";
import { loadSourceRun, openTarget, sourceOptions } from "../lib/cross-dataset/source";
import { textTable } from "../lib/report/html";

const USAGE = `cross-dataset --source-checkpoint RUN_DIR [--source-root NEU_DIR] [--source-split FILE] [--target-root GC10_DIR]
              [--class ${SHARED_CLASSES.map((c) => c.name).join("|")}] [--view frame|boxes|both] [--mitigation ${MITIGATIONS.join(",")}]
              [--margin 0.2] [--out DIR] [--seed N] [--backend NAME] [--lenient] [--debug]
Without --target-root: data_raw/gc10, else the embedded synthetic GC10-like frames. Without --source-root: data_raw/neu,
else ../shared/data/neu-det. The source's NEU test split is the run's own (outputs/splits/neu_<run>.csv) unless --source-split.`;

const pct = (r: { rate: number; lo: number; hi: number } | null) => (r ? `${(100 * r.rate).toFixed(1)} % [${(100 * r.lo).toFixed(1)}, ${(100 * r.hi).toFixed(1)}]` : "n/a");

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { "source-checkpoint": "string", "source-root": "string", "source-split": "string", "target-root": "string", class: "string", view: "string", mitigation: "string", margin: "positive", out: "string", seed: "number", profile: "string", backend: "string", ...COMMON_FLAGS },
    required: ["source-checkpoint"],
    choices: { class: SHARED_CLASSES.map((c) => c.name), view: ["frame", "boxes", "both"], profile: ["smoke", "quick", "full"] },
  });
  // Every value checked before anything loads.
  const runDir = existingPath("source-checkpoint", a["source-checkpoint"], "folder")!;
  if (!fs.existsSync(path.join(runDir, "config.json"))) throw new CliError(`--source-checkpoint ${runDir} is not a training run folder (no config.json)`);
  const splitCsv = existingPath("source-split", a["source-split"], "file");
  const targetRoot = existingPath("target-root", a["target-root"], "folder");
  let mitigations;
  try {
    mitigations = checkMitigations(a.mitigation === undefined ? [...MITIGATIONS] : String(a.mitigation).split(",").map((s) => s.trim()).filter(Boolean));
  } catch (err) {
    throw new CliError(`--mitigation: ${(err as Error).message}`);
  }
  if (!mitigations.includes("none")) mitigations.unshift("none");
  const views: TargetView[] = a.view === undefined || a.view === "both" ? [...TARGET_VIEWS] : [a.view as TargetView];
  const margin = typeof a.margin === "number" ? a.margin : 0.2;
  const ws = await workspaceFromArgs("cross_dataset", a);
  let sourceRoot = existingPath("source-root", a["source-root"], "folder");
  if (!sourceRoot) {
    const loc = locateDataset("neu", ws.paths);
    sourceRoot = loc.source === "real" ? loc.root : path.join(ws.paths.sharedData, "neu-det");
    if (!fs.existsSync(sourceRoot)) throw new CliError(`no NEU data for the source test split: pass --source-root DIR (the data the checkpoint was trained on)`);
  }
  const src = await loadSourceRun(runDir, sourceRoot, { splitCsv });
  ws.dataSources.neu = src.ds.source;
  const loaded = await openTarget(ws, targetRoot, { lenient: Boolean(a.lenient) });
  // Pre-flight: every GC10 image header and box checked now (boxes past the frame are clipped, as real GC10 has some).
  const checked = await preflight(loaded, { lenient: Boolean(a.lenient), boxes: "clip" });
  console.log(`data: ${formatSkipSummary(checked.report)}`);
  const outDir = typeof a.out === "string" ? a.out : path.join(ws.paths.outputs, "cross-dataset", path.basename(path.resolve(runDir)));
  const r = await runCrossDataset({
    ...sourceOptions(src),
    target: checked.dataset,
    className: typeof a.class === "string" ? a.class : "inclusion",
    views,
    mitigations,
    margin,
    outDir,
  });
  const banner = `NEU ${r.source.data.toUpperCase()} → GC10 ${r.target.data.toUpperCase()}`;
  console.log(`\n*** ${banner} ***  (${r.target.images} images in folder ${r.target.folder}, ${r.target.crops} ${r.className} boxes, ${r.target.withoutBox} images without one)`);
  for (const v of views) {
    const z = r.zeroShot[v]!;
    console.log(`\n${v}: ${z.hit.k}/${z.n} called ${z.mappedClass} = ${pct(z.hit)}`);
    console.log(textTable(z.distribution.map((d) => ({ predicted: d.className, count: d.count, share: d.share }))));
  }
  console.log("\nmitigations (GC10 hit rate and NEU test accuracy, 95 % Wilson CI):");
  console.log(textTable(r.rows.map((x) => ({ view: x.view, mitigation: x.mitigation, gc10_hit: pct(x.gc10Hit), neu_accuracy: pct(x.neuAccuracy), note: x.note ?? "" }))));
  console.log("\nembedding distance to NEU test (penultimate layer):");
  console.log(textTable(r.diagnostics.distances.map((d) => ({ set: d.set, n: d.n, mmd2: d.mmd.mmd2, sigma2: d.mmd.sigma2, frechet: d.frechet }))));
  console.log(`\n${Object.values(r.files).join("\n")}`);
  ws.finish({
    title: `cross-dataset ${banner}`,
    headline: Object.fromEntries(views.map((v) => [`${v}_hit_rate`, r.zeroShot[v]!.hit.rate])),
    details: { checkpoint: path.relative(ws.paths.root, path.resolve(runDir)), metrics: path.relative(ws.paths.root, r.files.metrics) },
  });
  src.model.dispose();
});
