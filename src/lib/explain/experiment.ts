/**
 * Notebook 07's experiment: the classifiers that notebooks 03 and 04 trained (reused, never
 * retrained) explained on their own Severstal test splits — CAMs of several methods side by side,
 * faithfulness (deletion / insertion / ROAD vs random) and localisation against the RLE masks (vs
 * the masks' area share), the top-k high-confidence mistakes — and, when notebook 05 has left its
 * checkpoint, the U-Net's CAMs for a segmentation class summed over its predicted mask.
 * Files under outputs/explain/<run>/ and outputs/figures/gradcam.png.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { decodeRle } from "../data/rle";
import { readImage } from "../data/image-io";
import { readSplitCsv } from "../data/splits";
import type { Dataset, ImageData32 } from "../data/types";
import { resizeMaskNearest } from "../data/views";
import { loadClassifier } from "../experiments/classification";
import type { Workspace } from "../runtime/workspace";
import { writeFileAtomic } from "../util/atomic-write";
import { evaluateCams, LabelledImage, MethodReport } from "./evaluate";
import { galleryPng, GalleryRow } from "./gallery";
import { createCam } from "./methods/index";
import { Mistake, MistakePair } from "./mistakes";
import { predictLabelled, writeCamFigure, writeMistakesGallery } from "./mistakes-report";
import { camGrey, camOverlay } from "./overlay";
import { explainSegmenter, SegmentationExplanation } from "./segmentation-cams";
import { classLogit } from "./targets";

export interface CamExperimentOptions {
  /** Run folders under outputs/models/ (default: notebooks 03 and 04). */
  runs?: string[];
  /** CAM methods side by side. */
  methods?: string[];
  /** Methods scored for faithfulness and localisation (default: `methods`; each adds ~52 forward passes per image). */
  checkMethods?: string[];
  /** Test images of each run scored for faithfulness and localisation (default all). */
  checkImages?: number;
  /** Defect images in the side-by-side figure (spread over the classes). */
  examples?: number;
  /** Top-k high-confidence mistakes. */
  mistakes?: number;
  /** Notebook 05's run folder (explained only when its checkpoint exists). */
  segmentationRun?: string;
}

export interface RunExplanation {
  run: string;
  model: string;
  layer: string;
  classNames: string[];
  testImages: number;
  checkedImages: number;
  /** Per method: faithfulness and localisation, per class and "all". */
  report: Record<string, MethodReport>;
  /** Side-by-side figure (PNG) and its file. */
  sideBySide: { png: Buffer; file: string };
  mistakes: { mistakes: Mistake[]; confusion: MistakePair[]; file?: string };
}

export interface CamExperiment {
  methods: string[];
  runs: RunExplanation[];
  /** outputs/figures/gradcam.png: the first run's Grad-CAM per class. */
  figure: { file: string; png: Buffer };
  segmentation: SegmentationExplanation | { skipped: string };
}

const NOTEBOOK_OF: Record<string, string> = { "03_simplecnn_baseline": "03", "04_resnet50_classifier": "04", "05_unet_segmentation": "05" };

/** The region of a single-label Severstal sample's class (its RLE mask) at the model's size; none for "no defect". */
function labelRegion(ds: Dataset, index: number, size: { height: number; width: number }): Uint8Array | undefined {
  const s = ds.samples[index];
  const rle = s.label > 0 ? s.rle?.[s.label - 1] : undefined;
  if (!rle) return undefined;
  const region = resizeMaskNearest(decodeRle(rle, s.height, s.width), s.height, s.width, 1, size.height, size.width);
  return region.some((v) => v === 1) ? region : undefined;
}

/** A run's test images as the model sees them, with the label class's mask. */
async function testItems(ws: Workspace, ds: Dataset, run: string, config: { imageSize: { height: number; width: number }; channels: 1 | 3 }): Promise<LabelledImage[]> {
  const splitCsv = path.join(ws.paths.splits, `${ds.name}_${run}.csv`);
  const items: LabelledImage[] = [];
  for (const i of readSplitCsv(splitCsv, ds.samples).test) {
    const s = ds.samples[i];
    const image = await readImage(s.path, { channels: config.channels, ...config.imageSize });
    items.push({ id: s.id, image, label: s.label, region: labelRegion(ds, i, config.imageSize) });
  }
  return items;
}

/** The checkpoint and split an earlier notebook left, or an error naming that notebook. */
export function requireRun(ws: Workspace, ds: Dataset, run: string): string {
  const runDir = path.join(ws.paths.models, run);
  const splitCsv = path.join(ws.paths.splits, `${ds.name}_${run}.csv`);
  if (!fs.existsSync(path.join(runDir, "config.json")) || !fs.existsSync(splitCsv)) {
    const nb = NOTEBOOK_OF[run] ?? run.slice(0, 2);
    throw new Error(`notebook 07 explains the classifier of ${run} (${runDir}) on its split (${splitCsv}), and they are not there yet: run notebook ${nb} first (make notebooks ONLY=${nb})`);
  }
  return runDir;
}

/** Rows: image | its mask | one overlay per method, for `n` defect images spread over the classes. */
async function sideBySide(model: tf.LayersModel, items: readonly LabelledImage[], classNames: readonly string[], methods: readonly string[], n: number, layer?: string): Promise<Buffer> {
  const withMask = items.filter((it) => it.region);
  const picked: LabelledImage[] = [];
  // Round-robin over the classes present, so every defect class shows before any repeats.
  const byClass = classNames.map((_, k) => withMask.filter((it) => it.label === k)).filter((g) => g.length > 0);
  for (let r = 0; picked.length < n && byClass.some((g) => g.length > r); r++) for (const g of byClass) if (g[r] && picked.length < n) picked.push(g[r]);
  if (picked.length === 0) picked.push(...items.slice(0, n));
  const pred = await predictLabelled(model, picked, classNames);
  const x = tf.tidy(() => tf.stack(picked.map((it) => tf.tensor3d(it.image.data, [it.image.height, it.image.width, it.image.channels]))) as tf.Tensor4D);
  const maps: Float32Array[] = [];
  for (const m of methods) {
    const t = createCam(m, model, { layer }).compute(x, classLogit(picked.map((it) => it.label)));
    maps.push((await t.data()) as Float32Array);
    t.dispose();
  }
  x.dispose();
  const rows: GalleryRow[] = picked.map((it, i) => {
    const { height: H, width: W } = it.image;
    const img = it.image as ImageData32;
    const mask = it.region ? camGrey(it.region, H, W) : camGrey(new Uint8Array(H * W), H, W);
    return {
      caption: [`${it.id}: true ${classNames[it.label]} (p=${pred.probs[i][it.label].toFixed(3)}), tiles: image | mask | ${methods.join(" | ")}`],
      tiles: [img, mask, ...maps.map((d) => camOverlay(img, d.subarray(i * H * W, (i + 1) * H * W)))],
    };
  });
  return galleryPng(rows, tileSize(picked[0].image));
}

/** Gallery tiles 240 px wide at the frames' aspect (Severstal is 1:6), at least 40 px high. */
export function tileSize(img: { height: number; width: number }): { tile: number; tileHeight: number } {
  return { tile: 240, tileHeight: Math.max(40, Math.round((240 * img.height) / img.width)) };
}

export async function camExperiment(ws: Workspace, ds: Dataset, o: CamExperimentOptions = {}): Promise<CamExperiment> {
  const runsWanted = o.runs ?? ["03_simplecnn_baseline", "04_resnet50_classifier"];
  const methods = o.methods ?? ["gradcam", "gradcampp", "layercam", "eigencam"];
  const dirs = runsWanted.map((run) => requireRun(ws, ds, run));
  const runs: RunExplanation[] = [];
  let figure = "";
  for (const [r, run] of runsWanted.entries()) {
    const { model, config } = await loadClassifier(dirs[r]);
    if (config.mode !== "single") throw new Error(`${run} is a ${config.mode}-label classifier; notebook 07 explains single-label runs`);
    const items = await testItems(ws, ds, run, config);
    const outDir = path.join(ws.paths.outputs, "explain", run);
    const checked = o.checkImages === undefined ? items : items.slice(0, o.checkImages);
    const report = await evaluateCams(model, checked, config.classNames, o.checkMethods ?? methods, { seed: ws.config.seed });
    const png = await sideBySide(model, items, config.classNames, methods, o.examples ?? 4);
    const sideFile = path.join(outDir, "cams_side_by_side.png");
    writeFileAtomic(sideFile, png);
    const mistakes = await writeMistakesGallery(model, items, config.classNames, path.join(outDir, "mistakes.png"), { k: o.mistakes ?? 20, method: "gradcam", ...(items[0] ? tileSize(items[0].image) : {}) });
    if (r === 0) figure = await writeCamFigure(model, items.filter((it) => it.region), config.classNames, path.join(ws.paths.figures, "gradcam.png"), { perClass: 2, method: "gradcam", ...tileSize(items[0].image) });
    runs.push({ run, model: config.model, layer: createCam("gradcam", model).split.layerName, classNames: config.classNames, testImages: items.length, checkedImages: checked.length, report, sideBySide: { png, file: sideFile }, mistakes });
    model.dispose();
  }
  const segRun = o.segmentationRun ?? "05_unet_segmentation";
  const segDir = path.join(ws.paths.models, segRun);
  const segmentation = fs.existsSync(path.join(segDir, "best"))
    ? await explainSegmenter(ws, ds, segDir, { methods: methods.filter((m) => m !== "scorecam"), examples: o.examples ?? 4 })
    : { skipped: `no U-Net checkpoint at ${path.relative(ws.paths.root, segDir)}/best: run notebook 05 first (make notebooks ONLY=05) to see its CAMs here` };
  return { methods, runs, figure: { file: figure, png: fs.readFileSync(figure) }, segmentation };
}
