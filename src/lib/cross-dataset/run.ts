/**
 * The NEU → GC10 zero-shot test end to end, as the `cross-dataset` command and notebook 09 call it:
 * a trained NEU classifier (never retrained) on the GC10 images of a shared class, in the frame and
 * box-crop views, with the shift diagnostics and every mitigation side by side. Writes
 * `cross_dataset.json` (deterministic: no timings), the distribution table as CSV and the gallery PNG.
 * Every image goes native → [mitigation transform] → resize to the model input (sharp, bilinear,
 * fill — as the loaders resize), so all rows compare like for like.
 */
import * as path from "path";
import type * as tf from "@tensorflow/tfjs";
import { clahe } from "../data/augment/clahe";
import { readImage } from "../data/image-io";
import type { Dataset, ImageData32 } from "../data/types";
import type { ImageSize } from "../data/views";
import { cameraOutput } from "../robustness/capture";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic-write";
import { createProgress } from "../util/progress";
import { sharedClass } from "./class-map";
import { frechetDistance, mmdRbf, pca2d, type MmdResult } from "./embedding-distance";
import { zeroShotGalleryPng, type GalleryTile } from "./gallery";
import { cropImage, targetSet, type TargetItem, type TargetView, TARGET_VIEWS } from "./gc10-target";
import { matchHistogram, pooledHistogram } from "./intensity";
import { adaptBatchNorm, embeddings, predictProbs, restoreBatchNorm, snapshotBatchNorm } from "./model-ops";
import { AUGMENT_NOTE, MITIGATIONS, transformOf, type ImageTransform, type Mitigation } from "./mitigations";
import { summariseTexture, textureStats, type TextureStats } from "./texture-stats";
import type { Rate } from "./wilson";
import { accuracyRate, zeroShotScore, type ZeroShotScore } from "./zero-shot";

export interface CrossDatasetOptions {
  model: tf.LayersModel;
  /** The source classes in model output order (NEU's six). */
  classNames: string[];
  imageSize: ImageSize;
  channels: 1 | 3;
  /** The NEU data set and its split indices (test: scored; train: the normalisation reference and the within-NEU baseline). */
  source: { ds: Dataset; train: number[]; test: number[] };
  target: Dataset;
  className?: string;
  views?: TargetView[];
  mitigations?: Mitigation[];
  /** Box-crop margin (fraction of the box's longer side); default 0.2. */
  margin?: number;
  /** NEU training images used as the reference (histogram, embedding baseline); default 120. */
  referenceImages?: number;
  batchSize?: number;
  outDir: string;
}

export interface MitigationRow {
  view: TargetView;
  mitigation: Mitigation;
  /** null for a row that needs another model (augment). */
  gc10Hit: Rate | null;
  neuAccuracy: Rate | null;
  note?: string;
}

export interface ShiftDiagnostics {
  /** 32-bin pooled intensity histograms of the model inputs (each image weighs the same). */
  histograms: { set: string; bins: number[] }[];
  texture: { set: string; stats: Record<keyof TextureStats, { mean: number; sd: number }> }[];
  /** Penultimate-layer distances NEU test ↔ each set (the NEU train row is the within-domain baseline). */
  distances: { set: string; n: number; mmd: MmdResult; frechet: number }[];
  pca: { explained: [number, number]; points: { set: string; x: number; y: number }[] };
  embeddingDim: number;
}

export interface CrossDatasetResult {
  className: string;
  /** NEU test split: accuracy and confusion matrix (rows true, columns predicted) of the model as given. */
  source: { name: string; data: "real" | "synthetic"; testImages: number; accuracy: Rate; confusion: number[][] };
  target: { name: string; data: "real" | "synthetic"; root: string; folder: string; images: number; crops: number; withoutBox: number };
  zeroShot: Partial<Record<TargetView, ZeroShotScore>>;
  rows: MitigationRow[];
  diagnostics: ShiftDiagnostics;
  adaptedLayers: string[];
  files: Record<string, string>;
}

type Inputs = Record<ImageTransform, ImageData32[]>;

const HIST_BINS = 32;
const THUMB = 120;

/** Reads the source (NEU) images: inputs per transform for scoring, natives kept only for the reference histogram. */
async function neuInputs(o: CrossDatasetOptions, indices: number[], reference: number[] | undefined, transforms: ImageTransform[], label: string): Promise<Inputs> {
  const out: Inputs = { none: [], clahe: [], normalize: [] };
  const bar = createProgress({ total: indices.length, label });
  for (const i of indices) {
    const native = await readImage(o.source.ds.samples[i].path, { channels: o.channels });
    for (const t of transforms) out[t].push(await cameraOutput(applyTransform(t, native, reference), o.imageSize));
    bar.tick();
  }
  bar.done();
  return out;
}

function applyTransform(t: ImageTransform, image: ImageData32, reference: number[] | undefined): ImageData32 {
  if (t === "clahe") return clahe(image);
  if (t === "normalize") {
    if (!reference) throw new Error("cross-dataset: the normalize mitigation needs the NEU reference histogram");
    return matchHistogram(image, reference);
  }
  return image;
}

export async function runCrossDataset(o: CrossDatasetOptions): Promise<CrossDatasetResult> {
  const cls = sharedClass(o.className ?? "inclusion");
  const mapped = o.classNames.indexOf(cls.name);
  if (mapped < 0) throw new Error(`cross-dataset: the source model has no class "${cls.name}" (classes: ${o.classNames.join(", ")})`);
  const views = o.views ?? [...TARGET_VIEWS];
  const mitigations = o.mitigations ?? [...MITIGATIONS];
  const transforms = [...new Set<ImageTransform>(["none", ...mitigations.map(transformOf)])];
  const bs = o.batchSize ?? 32;
  const set = targetSet(o.target, cls, o.margin ?? 0.2);
  if (set.images === 0) throw new Error(`cross-dataset: no GC10 images in class folder ${set.folder} (${set.className}) under ${o.target.root}`);
  if (views.includes("boxes") && set.crops.length === 0) throw new Error(`cross-dataset: no ${set.className} boxes in the GC10 XML of folder ${set.folder}; use --view frame`);

  // NEU: the reference (training images) first — its histogram is what "normalize" maps onto.
  // Evenly spaced over the training split (split order groups classes: a prefix would be one class).
  const nRef = Math.min(o.referenceImages ?? 120, o.source.train.length);
  const refIdx = Array.from({ length: nRef }, (_, k) => o.source.train[Math.floor((k * o.source.train.length) / nRef)]);
  const ref = await neuInputs(o, refIdx, undefined, ["none"], "NEU reference images");
  const refNative: ImageData32[] = [];
  for (const i of refIdx) refNative.push(await readImage(o.source.ds.samples[i].path, { channels: o.channels }));
  const reference = pooledHistogram(refNative);
  refNative.length = 0;
  const neu = await neuInputs(o, o.source.test, reference, transforms, "NEU test images");
  const neuTargets = o.source.test.map((i) => o.source.ds.samples[i].label);

  // GC10: each frame read once; frame and crop inputs per transform, and thumbnails for the gallery.
  const items: Record<TargetView, TargetItem[]> = { frame: set.frames, boxes: set.crops };
  const gc10: Record<TargetView, Inputs> = { frame: { none: [], clahe: [], normalize: [] }, boxes: { none: [], clahe: [], normalize: [] } };
  const thumbs: Record<TargetView, ImageData32[]> = { frame: [], boxes: [] };
  const bar = createProgress({ total: set.frames.length, label: `GC10 ${set.className} (folder ${set.folder})` });
  for (const f of set.frames) {
    const native = await readImage(f.path, { channels: o.channels });
    const units: [TargetView, ImageData32][] = [];
    if (views.includes("frame")) units.push(["frame", native]);
    if (views.includes("boxes")) for (const c of set.crops.filter((c) => c.imageId === f.imageId)) units.push(["boxes", cropImage(native, c.crop!)]);
    for (const [v, unit] of units) {
      for (const t of transforms) gc10[v][t].push(await cameraOutput(applyTransform(t, unit, reference), o.imageSize));
      thumbs[v].push(await cameraOutput(unit, { height: THUMB, width: THUMB }));
    }
    bar.tick();
  }
  bar.done();

  // Mitigation rows; NEU accuracy computed once per distinct switch.
  const neuCache = new Map<string, Rate>();
  const neuAcc = (key: string, fn: () => number[][]) => {
    if (!neuCache.has(key)) neuCache.set(key, accuracyRate(fn(), neuTargets));
    return neuCache.get(key)!;
  };
  const neuProbs = predictProbs(o.model, neu.none, false, bs);
  const plainNeu = neuAcc("none", () => neuProbs);
  const confusion = o.classNames.map(() => o.classNames.map(() => 0));
  neuProbs.forEach((p, i) => confusion[neuTargets[i]][p.indexOf(Math.max(...p))]++);
  const rows: MitigationRow[] = [];
  const zeroShot: Partial<Record<TargetView, ZeroShotScore>> = {};
  let adaptedLayers: string[] = [];
  for (const v of views) {
    for (const m of mitigations) {
      if (m === "augment") {
        rows.push({ view: v, mitigation: m, gc10Hit: null, neuAccuracy: null, note: AUGMENT_NOTE });
        continue;
      }
      let probs: number[][];
      let acc: Rate;
      if (m === "adabn") {
        const snap = snapshotBatchNorm(o.model);
        adaptedLayers = adaptBatchNorm(o.model, gc10[v].none, bs);
        probs = predictProbs(o.model, gc10[v].none, false, bs);
        acc = accuracyRate(predictProbs(o.model, neu.none, false, bs), neuTargets);
        restoreBatchNorm(o.model, snap);
      } else {
        const t = transformOf(m);
        const tta = m === "tta";
        probs = predictProbs(o.model, gc10[v][t], tta, bs);
        acc = neuAcc(m, () => predictProbs(o.model, neu[t], tta, bs));
      }
      const score = zeroShotScore(probs, items[v], o.classNames, mapped);
      if (m === "none") zeroShot[v] = score;
      rows.push({ view: v, mitigation: m, gc10Hit: score.hit, neuAccuracy: acc });
    }
    if (!zeroShot[v]) zeroShot[v] = zeroShotScore(predictProbs(o.model, gc10[v].none, false, bs), items[v], o.classNames, mapped);
  }

  const diagnostics = diagnose(o.model, ref.none, neu.none, views.map((v) => [v === "frame" ? "GC10 frames" : "GC10 box crops", gc10[v].none] as [string, ImageData32[]]), bs);

  const files: Record<string, string> = {};
  const main = views[0];
  files.gallery = path.join(o.outDir, `gallery_${main}.png`);
  const tiles: GalleryTile[] = zeroShot[main]!.predictions.map((p, i) => ({ prediction: p, thumb: thumbs[main][i] }));
  writeFileAtomic(files.gallery, await zeroShotGalleryPng(tiles, { title: `NEU model on GC10 ${set.className} (${main}): hits and misses` }));
  files.distribution = path.join(o.outDir, "distribution.csv");
  const header = ["view", "n", ...o.classNames].join(",");
  const lines = views.map((v) => [v, zeroShot[v]!.n, ...zeroShot[v]!.distribution.map((d) => d.count)].join(","));
  writeFileAtomic(files.distribution, [header, ...lines, ""].join("\n"));

  const result: CrossDatasetResult = {
    className: cls.name,
    source: { name: o.source.ds.name, data: o.source.ds.source, testImages: o.source.test.length, accuracy: plainNeu, confusion },
    target: { name: o.target.name, data: o.target.source, root: o.target.root, folder: set.folder, images: set.images, crops: set.crops.length, withoutBox: set.withoutBox.length },
    zeroShot,
    rows,
    diagnostics,
    adaptedLayers,
    files,
  };
  files.metrics = path.join(o.outDir, "cross_dataset.json");
  writeJsonAtomic(files.metrics, metricsJson(result));
  return result;
}

/** The run as JSON: everything but the per-point PCA coordinates (kept in the result for the plot). */
export function metricsJson(r: CrossDatasetResult): Record<string, unknown> {
  const { pca, ...diag } = r.diagnostics;
  return { ...r, target: { ...r.target, root: undefined }, files: undefined, diagnostics: { ...diag, pcaExplained: pca.explained } };
}

function diagnose(model: tf.LayersModel, ref: ImageData32[], neu: ImageData32[], targets: [string, ImageData32[]][], bs: number): ShiftDiagnostics {
  const sets: [string, ImageData32[]][] = [["NEU train", ref], ["NEU test", neu], ...targets];
  const histograms = sets.map(([s, ims]) => ({ set: s, bins: pooledHistogram(ims, HIST_BINS) }));
  const texture = sets.map(([s, ims]) => ({ set: s, stats: summariseTexture(ims.map(textureStats)) }));
  const emb = sets.map(([s, ims]) => [s, embeddings(model, ims, bs)] as [string, number[][]]);
  const neuEmb = emb[1][1];
  const distances = emb
    .filter(([s]) => s !== "NEU test")
    .filter(([, e]) => e.length >= 2 && neuEmb.length >= 2)
    .map(([s, e]) => ({ set: s, n: e.length, mmd: mmdRbf(neuEmb, e), frechet: frechetDistance(neuEmb, e) }));
  const pooled = emb.flatMap(([s, e]) => e.map((row) => ({ s, row })));
  const p = pca2d(pooled.map((x) => x.row));
  return {
    histograms,
    texture,
    distances,
    pca: { explained: p.explained, points: p.points.map(([x, y], i) => ({ set: pooled[i].s, x, y })) },
    embeddingDim: neuEmb[0]?.length ?? 0,
  };
}
