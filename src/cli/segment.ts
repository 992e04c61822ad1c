/**
 * segment train | evaluate | predict — the segmentation track from a script (notebook 05's
 * library calls): a U-Net on tiles through the experiment runner, the Kaggle score and the
 * post-processing table of a checkpoint on labelled data, and a verified submission.csv for a
 * folder of 256×1600 images (a bad file is named on stderr and counted; exit 3 when any failed).
 */
import * as path from "path";
import { COMMON_FLAGS, CliError, parseArgs } from "./args";
import { datasetFor, existingPath, runCli, workspaceFromArgs } from "./common";
import { evaluateSegmenter, loadSegmenter, runSegmentation, type SegmentationConfig, type SegmentationLoss } from "../lib/experiments/segmentation";
import { unetPreset } from "../lib/experiments/presets";
import { readSplitCsv } from "../lib/data/splits";
import { textTable } from "../lib/report/html";
import { segmentFolder } from "../lib/segmentation/segment-folder";
import { loadPresenceClassifier, presenceOf } from "../lib/runner/gating";
import type { GatingInfo } from "../lib/experiments/segmentation";

function printGating(g: GatingInfo): void {
  if (g.status === "skipped") {
    if (g.checkpoint) console.log(`classifier gating skipped: ${g.reason}`);
    return;
  }
  const gates = (g.gates ?? []).map((v, c) => `${c + 1}: ${v === null ? "off" : v}`).join(", ");
  console.log(`classifier gating with ${g.checkpoint} (${g.mode}-label): gates ${gates}; val Kaggle ${g.valGated?.toFixed(4)} gated vs ${g.valUngated?.toFixed(4)} ungated`);
}

const USAGE = `segment train|evaluate|predict [options]   (segment <subcommand> --help)
  segment train    [--data-root DIR] [--encoder resnet18|resnet34|resnet50] [--loss bce-dice|dice|bce|binary-focal|lovasz-hinge]
                   [--tile N] [--tiles-per-epoch N] [--epochs N] [--batch-size N] [--lr X] [--profile smoke|quick|full] [--seed N]
                   [--out DIR] [--gate CLASSIFIER_RUN] [--backend NAME] [--restart] [--lenient] [--debug]
        → DIR/config.json, best/ (checkpoint), last/, metrics.json, history.csv, postprocess.json, submission.csv, examples/
  segment evaluate --checkpoint RUN_DIR [--data-root DIR] [--split-csv FILE] [--out DIR] [--gate CLASSIFIER_RUN] [--backend NAME] [--lenient] [--debug]
        → Kaggle score, per-class Dice, the post-processing table; DIR/metrics.json, DIR/postprocess.json
  (--gate: a classifier run folder — notebook 04's, or 'train --mode multi' — whose presence probability per
   class gates the masks; a gate per class is searched on the validation split and kept only where it helps)
  segment predict  --checkpoint RUN_DIR --images FOLDER [--out submission.csv] [--overlays DIR] [--form kaggle|wide]
                   [--gate CLASSIFIER_RUN] [--postprocess FILE] [--batch-size N] [--backend NAME] [--debug]
        → submission.csv (read back and verified), segment_summary.json, PNG overlays on request; exit 3 if any file failed
          (--postprocess: settings other than RUN_DIR/postprocess.json, e.g. those 'segment evaluate --gate' wrote)`;

/** Exit code when some inputs failed (as `predict`). */
export const EXIT_PARTIAL = 3;

const LOSSES: SegmentationLoss[] = ["bce-dice", "dice", "bce", "binary-focal", "lovasz-hinge"];
const FLAGS = {
  "data-root": "string", encoder: "string", loss: "string", tile: "int", "tiles-per-epoch": "int", epochs: "int", "batch-size": "int", lr: "positive",
  profile: "string", seed: "number", out: "string", backend: "string", restart: "boolean", checkpoint: "string", "split-csv": "string",
  images: "string", overlays: "string", form: "string", gate: "string", postprocess: "string", ...COMMON_FLAGS,
} as const;
const ONLY: Record<string, string[]> = {
  train: ["data-root", "encoder", "loss", "tile", "tiles-per-epoch", "epochs", "batch-size", "lr", "profile", "seed", "out", "gate", "backend", "restart", "lenient", "debug"],
  evaluate: ["checkpoint", "data-root", "split-csv", "out", "gate", "backend", "lenient", "debug", "seed"],
  predict: ["checkpoint", "images", "out", "overlays", "form", "gate", "postprocess", "batch-size", "backend", "debug"],
};

function parse() {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { ...FLAGS },
    positionals: 1,
    choices: { encoder: ["resnet18", "resnet34", "resnet50"], loss: LOSSES, profile: ["smoke", "quick", "full"], form: ["kaggle", "wide"] },
  });
  const sub = a._[0];
  if (!sub || !(sub in ONLY)) throw new CliError(`segment needs a subcommand: train, evaluate or predict${sub ? ` (got "${sub}")` : ""}; see 'segment --help'`);
  for (const k of Object.keys(a)) if (k !== "_" && !ONLY[sub].includes(k)) throw new CliError(`--${k} is not an option of 'segment ${sub}'; see 'segment --help'`);
  if (a.tile !== undefined && (a.tile as number) % 32 !== 0) throw new CliError(`--tile must be a multiple of 32 (the U-Net halves it 5 times), got ${a.tile}`);
  return { sub, a };
}

runCli(async () => {
  const { sub, a } = parse();
  // Checked before anything loads, like every other path.
  const gate = existingPath("gate", a.gate, "folder");
  if (sub === "train") {
    const dataRoot = existingPath("data-root", a["data-root"], "folder");
    const ws = await workspaceFromArgs("segment_train", a);
    const base = unetPreset(ws.config.profile);
    const cfg: SegmentationConfig = {
      ...base,
      run: "segment_severstal_unet",
      outDir: typeof a.out === "string" ? a.out : path.join(ws.paths.models, "segment_severstal_unet"),
      encoder: (a.encoder as SegmentationConfig["encoder"] | undefined) ?? base.encoder,
      ...(a.encoder !== undefined && a.encoder !== base.encoder ? { decoderChannels: undefined } : {}),
      loss: (a.loss as SegmentationLoss | undefined) ?? base.loss,
      tile: typeof a.tile === "number" ? a.tile : base.tile,
      tilesPerEpoch: typeof a["tiles-per-epoch"] === "number" ? a["tiles-per-epoch"] : base.tilesPerEpoch,
      epochs: typeof a.epochs === "number" ? a.epochs : base.epochs,
      batchSize: typeof a["batch-size"] === "number" ? a["batch-size"] : base.batchSize,
      optimizer: typeof a.lr === "number" ? { ...base.optimizer, lr: a.lr } : base.optimizer,
    };
    const ds = await datasetFor(ws, "severstal", dataRoot, { lenient: Boolean(a.lenient) });
    const r = await runSegmentation(ws, ds, cfg, { restart: Boolean(a.restart), gate: gate ? { checkpoint: gate } : undefined });
    printGating(r.evaluation.gating);
    const t = r.evaluation.test;
    console.log(`\nU-Net ${cfg.encoder} on severstal (${ds.source}): test Kaggle score ${t.scores.kaggle.toFixed(4)} (all-empty ${t.emptyBaseline.kaggle.toFixed(4)}), per-class Dice ${t.scores.perClassDice.map((d) => d.toFixed(4)).join(" / ")}`);
    console.log(`run folder: ${cfg.outDir}\n  ${Object.values(r.files).join("\n  ")}`);
    ws.finish({ title: `segment train unet ${cfg.encoder}`, headline: { kaggle: t.scores.kaggle, empty_kaggle: t.emptyBaseline.kaggle }, details: r.metrics });
    return;
  }
  if (a.checkpoint === undefined) throw new CliError(`--checkpoint is required; see 'segment --help'`);
  const checkpoint = existingPath("checkpoint", a.checkpoint, "folder") as string;
  if (sub === "evaluate") {
    const dataRoot = existingPath("data-root", a["data-root"], "folder");
    const splitCsv = existingPath("split-csv", a["split-csv"], "file");
    const ws = await workspaceFromArgs("segment_evaluate", a);
    const seg = await loadSegmenter(checkpoint);
    const ds = await datasetFor(ws, "severstal", dataRoot, { lenient: Boolean(a.lenient) });
    const split = splitCsv ? readSplitCsv(splitCsv, ds.samples) : undefined;
    const all = ds.samples.map((_, i) => i);
    const ids = split ? { valIds: split.val, testIds: split.test } : { valIds: all, testIds: all };
    if (!split) console.log(`no --split-csv: the post-processing is chosen on the same ${all.length} images it is scored on (optimistic)`);
    const out = typeof a.out === "string" ? a.out : path.join(checkpoint, "evaluation");
    const r = await evaluateSegmenter(ws, seg, ds, out, ids, gate ? { checkpoint: gate } : undefined);
    const ev = r.evaluation;
    printGating(ev.gating);
    console.log(textTable(ev.val.search.map((s) => ({ class: s.classIndex + 1, threshold: s.threshold, minArea: s.minArea, dice: s.dice, diceAt05: s.baseDice }))));
    console.log(textTable([{ switch: "threshold 0.5 only", kaggle: ev.val.default.kaggle }, { switch: "chosen thresholds only", kaggle: ev.val.effects.thresholdOnly }, ...ev.val.effects.rows.map((x) => ({ switch: `${x.switch} off`, kaggle: x.off })), { switch: "all on", kaggle: ev.val.effects.full }]));
    const t = ev.test;
    console.log(`\nKaggle score ${t.scores.kaggle.toFixed(4)} on ${t.images} images (all-empty ${t.emptyBaseline.kaggle.toFixed(4)}); per-class Dice ${t.scores.perClassDice.map((d) => d.toFixed(4)).join(" / ")}`);
    console.log(Object.values(r.files).join("\n"));
    return;
  }
  const images = existingPath("images", a.images, "folder");
  if (!images) throw new CliError(`--images is required for 'segment predict'; see 'segment --help'`);
  const ppFile = existingPath("postprocess", a.postprocess, "file");
  await workspaceFromArgs("segment_predict", a);
  const seg = await loadSegmenter(checkpoint, ppFile);
  const submissionFile = path.resolve(typeof a.out === "string" ? a.out : "submission.csv");
  const gated = seg.postprocess.some((p) => p.gate !== undefined);
  let postprocess = seg.postprocess;
  if (gated && !gate) {
    console.error(`note: ${ppFile ?? `${checkpoint}/postprocess.json`} gates some classes with classifier ${seg.gate ?? "?"}; without --gate they are NOT gated`);
    postprocess = postprocess.map((p) => ({ ...p, gate: undefined }));
  }
  if (!gated && gate) console.error(`note: ${ppFile ?? `${checkpoint}/postprocess.json`} gates no class (no gate helped on validation): --gate changes nothing`);
  const classifier = gated && gate ? await loadPresenceClassifier(gate) : undefined;
  const report = await segmentFolder(seg.predictor, images, {
    channels: seg.config.channels,
    inputScale: seg.config.inputScale,
    tileHeight: seg.config.tile,
    tileWidth: seg.config.tile,
    minOverlap: seg.config.minOverlap ?? 0,
    batchSize: typeof a["batch-size"] === "number" ? a["batch-size"] : 8,
    tta: seg.tta ? seg.config.tta : undefined,
    postprocess,
    gate: classifier ? async (file) => (await presenceOf(classifier, [file], { label: false }))[0] : undefined,
    submissionFile,
    form: (a.form as "kaggle" | "wide" | undefined) ?? "kaggle",
    overlayDir: typeof a.overlays === "string" ? path.resolve(a.overlays) : undefined,
    onFailure: (f) => console.error(`error: ${f.file}: ${f.reason.split("\n")[0]}`),
  });
  const n = report.failed.length;
  const where = report.submission ? `→ ${report.submission.file} (${report.submission.rows} rows, verified)` : "→ no submission written";
  console.log(`${report.predicted} images predicted${n ? `, ${n} failed (${report.failed.map((f) => path.basename(f.file)).join(", ")})` : ""} ${where}; summary ${report.summaryFile}`);
  return n ? EXIT_PARTIAL : 0;
});
