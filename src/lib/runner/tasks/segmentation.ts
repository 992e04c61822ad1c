/**
 * Segmentation as an ExperimentTask: a U-Net (encoder by name) trained on 256² crops through the
 * runner's one fit, validated every epoch on STITCHED full validation images (the Kaggle score at
 * threshold 0.5 via fit's valScore: the best checkpoint, ReduceLROnPlateau and early stopping all
 * watch it), then evaluated: per-class threshold × minimum-area search on the validation split,
 * each switch's effect, the chosen settings on the test split beside the all-empty submission, and
 * a verified submission.csv of the test images.
 *
 * Run folder: config.json, best/ (model), last/ (resume), postprocess.json (chosen per-class
 * settings, what `segment predict` and loadSegmenter apply), metrics.json, history.csv,
 * submission.csv, examples/<ImageId>.png.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../../data/types";
import { compose } from "../../data/augment/compose";
import { horizontalFlip, verticalFlip } from "../../data/augment/flip";
import { createWeightedSampler } from "../../data/sampler";
import { splitDataset, writeSplitCsv, type DatasetSplit } from "../../data/splits";
import { readImage, maskOverlayPng } from "../../data/image-io";
import type { BatchSource } from "../../data/types";
import { recommendedMicroBatch } from "../../engine/index";
import { imageCounts, segmentationScores, type SegmentationScores } from "../../metrics/segmentation";
import { createModel } from "../../models/registry";
import { summarizeModel } from "../../models/summary";
import { loadUnetEncoderWeights } from "../../models/unet-weights";
import { predictSample, scoreStitched, validationPredictions, type StitchedEvalOptions } from "../../segmentation/evaluate";
import { MaskCountCache } from "../../segmentation/mask-counts";
import { postprocessMasks, resolvePostprocess, type ClassPostprocess } from "../../segmentation/postprocess";
import { postprocessEffects, scorePostprocess, searchPostprocess, type ClassSearchResult, type SwitchEffectTable } from "../../segmentation/postprocess-search";
import type { TilePredictor } from "../../segmentation/predict";
import { writeSubmission, type PredictedMasks } from "../../segmentation/submission";
import { segmentationTileSource } from "../../segmentation/train-source";
import { loadPresenceClassifier, presenceOf, type PresenceClassifier } from "../gating";
import { scaledSize } from "../../segmentation/upsample";
import { SEVERSTAL_HEIGHT, SEVERSTAL_WIDTH } from "../../data/rle";
import { writeFileAtomic, writeJsonAtomic } from "../../util/atomic-write";
import { createProgress } from "../../util/progress";
import { createRng } from "../../util/rng";
import type { ExperimentRun, ExperimentTask, FitPlan, RunContext } from "../task";
import type { SegmentationConfig } from "./segmentation-config";

export const SEGMENTATION_CLASSES = ["1", "2", "3", "4"];

export interface SegmentationData {
  split: DatasetSplit;
  splitCsv: string;
  /** Full images scored by stitched inference (subsets of split.val / split.test). */
  valIds: number[];
  /** The val frames scored after every epoch (a subset of valIds). */
  epochValIds: number[];
  testIds: number[];
  train: BatchSource;
}

/** One validation image drawn as a figure: image path, truth and the chosen post-processing's mask [H, W, 4]. */
export interface SegmentationExample {
  imageId: string;
  path: string;
  height: number;
  width: number;
  truth: Uint8Array;
  pred: Uint8Array;
}

export interface GatingInfo {
  status: "used" | "skipped";
  /** The classifier run folder's name. */
  checkpoint?: string;
  mode?: "single" | "multi";
  reason?: string;
  /** Gate per class (null: no gate helped on val). */
  gates?: (number | null)[];
  valGated?: number;
  valUngated?: number;
}

export interface SegmentationEvaluation {
  /** Validation: threshold 0.5 only, and the searched settings (with per-class gates when a classifier was given). */
  val: { images: number; default: SegmentationScores; chosen: SegmentationScores; search: ClassSearchResult[]; effects: SwitchEffectTable };
  /** The chosen per-class settings (what predict applies) and whether flip TTA is on. */
  settings: ClassPostprocess[];
  tta: boolean;
  /** Classifier gating: used (gates per class, val score with and without them) or skipped and why. */
  gating: GatingInfo;
  /** Full image size of the scored images. */
  height: number;
  width: number;
  test: { images: number; scores: SegmentationScores; emptyBaseline: SegmentationScores };
  /** Test masks as predicted (for the submission). */
  testMasks: PredictedMasks[];
  examples: SegmentationExample[];
}

/** `n` indices evenly spaced over `list` (all when n is undefined or ≥ its length). */
export function evenlySpaced(list: readonly number[], n?: number): number[] {
  if (n === undefined || n >= list.length) return [...list];
  if (!Number.isInteger(n) || n < 1) throw new Error(`evenlySpaced: n must be an integer ≥ 1, got ${n}`);
  return Array.from({ length: n }, (_, k) => list[Math.floor((k * list.length) / n)]);
}

/** The U-Net output: sigmoid maps, or logits for the Lovász hinge (sigmoid applied at inference). */
function activationOf(cfg: SegmentationConfig): "sigmoid" | "linear" {
  return cfg.loss === "lovasz-hinge" ? "linear" : "sigmoid";
}

/** A model as a probability predictor for stitching (sigmoid over logits when it outputs logits). */
export function probabilityPredictor(model: tf.LayersModel, activation: "sigmoid" | "linear"): TilePredictor {
  if (activation === "sigmoid") return model;
  return (x) => tf.tidy(() => tf.sigmoid(model.predict(x) as tf.Tensor4D));
}

export function stitchOptions(cfg: SegmentationConfig, label: string | false, tta = false): StitchedEvalOptions {
  return { channels: cfg.channels, inputScale: cfg.inputScale, tileHeight: cfg.tile, tileWidth: cfg.tile, minOverlap: cfg.minOverlap ?? 0, batchSize: 8, label, tta: tta ? cfg.tta : undefined };
}

function basePostprocess(cfg: SegmentationConfig): ClassPostprocess[] {
  return resolvePostprocess(4, { minComponentSize: cfg.minComponentSize ?? 0, connectivity: cfg.connectivity ?? 8 });
}

/**
 * The output bias set to logit(π) (RetinaNet's prior): every pixel starts at probability π
 * instead of 0.5, so the untrained model predicts "no defect" (most pairs are empty) rather than a
 * full mask everywhere, and the loss is not dominated by the empty pixels at the start.
 */
function setHeadPrior(model: tf.LayersModel, prior: number): void {
  if (!(prior > 0 && prior < 1)) throw new Error(`headPrior must be in (0, 1), got ${prior}`);
  const head = model.getLayer("seg_head_conv");
  const [kernel, bias] = head.getWeights();
  const b = tf.fill(bias.shape, Math.log(prior / (1 - prior)));
  head.setWeights([kernel, b]);
  b.dispose();
}

export function prepareSegmentation(ctx: RunContext, cfg: SegmentationConfig): SegmentationData {
  const { ds, seed } = ctx;
  if (!ds.samples.some((s) => s.rle !== undefined)) throw new Error(`${ds.name} has no RLE masks: segmentation needs Severstal-style data`);
  const split = splitDataset(ds.samples, { seed, fractions: cfg.split, stratify: "label" });
  const splitCsv = path.join(ctx.ws.paths.splits, `${ds.name}_${cfg.run}.csv`);
  writeSplitCsv(splitCsv, ds.samples, split);
  const valIds = evenlySpaced(split.val, cfg.valImages);
  const testIds = evenlySpaced(split.test, cfg.testImages);
  if (!valIds.length || !testIds.length || !split.train.length) throw new Error(`${ds.name}: ${ds.samples.length} images are too few for a train/val/test split`);
  const perEpoch = Math.min(cfg.tilesPerEpoch ?? split.train.length, split.train.length);
  const sampler = createWeightedSampler({ weights: split.train.map(() => 1), numSamples: perEpoch, replacement: false, seed: createRng(seed, "seg/tiles").seed32() });
  const augment = cfg.augment === "flips" ? compose([{ transform: horizontalFlip(), p: 0.5 }, { transform: verticalFlip(), p: 0.5 }]) : undefined;
  const train = segmentationTileSource(ds, split.train, {
    batchSize: cfg.batchSize,
    seed,
    tile: cfg.tile,
    cropMode: cfg.cropMode,
    defectProb: cfg.defectProb,
    augment,
    channels: cfg.channels,
    imageSize: frameSize(ds, cfg.inputScale),
    sampler,
  });
  return { split, splitCsv, valIds, epochValIds: evenlySpaced(valIds, cfg.epochValImages), testIds, train };
}

/** The decode size of training frames at `scale` (undefined at 1: each file's own size). */
function frameSize(ds: Dataset, scale = 1): { height: number; width: number } | undefined {
  if (scale === 1) return undefined;
  const s = ds.samples[0];
  return scaledSize(s.height || SEVERSTAL_HEIGHT, s.width || SEVERSTAL_WIDTH, scale);
}

function defaultMicroBatch(cfg: SegmentationConfig): number | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  const micro = recommendedMicroBatch("unet", cfg.tile);
  return micro < cfg.batchSize ? micro : undefined;
}

/** Validation images with a defect, one per class first, for the predicted-vs-true figures. */
function exampleIds(ds: Dataset, valIds: readonly number[], n: number): Set<number> {
  const out = new Set<number>();
  for (let c = 0; c < 4 && out.size < n; c++) {
    const i = valIds.find((j) => ds.samples[j].rle?.[c] && !out.has(j));
    if (i !== undefined) out.add(i);
  }
  for (const j of valIds) if (out.size < n && !out.has(j)) out.add(j);
  return out;
}

/** Gates tried per class when a classifier is given (presence probability ≥ gate keeps the mask). */
export const DEFAULT_GATES = [0.1, 0.2, 0.3, 0.5, 0.7];

/** A classifier run folder to gate with; a missing one is reported as skipped, not an error. */
export interface GateRequest {
  checkpoint: string;
  /** Why it may be missing, for the report (e.g. "run notebook 04 first"). */
  hint?: string;
}

async function resolveGate(req: GateRequest | undefined): Promise<{ classifier?: PresenceClassifier; info: GatingInfo }> {
  if (!req) return { info: { status: "skipped", reason: "no classifier given" } };
  const name = path.basename(req.checkpoint);
  if (!fs.existsSync(path.join(req.checkpoint, "config.json")) || !fs.existsSync(path.join(req.checkpoint, "best"))) {
    return { info: { status: "skipped", checkpoint: name, reason: `no classifier checkpoint at ${req.checkpoint}${req.hint ? ` (${req.hint})` : ""}` } };
  }
  const classifier = await loadPresenceClassifier(req.checkpoint);
  return { classifier, info: { status: "used", checkpoint: name, mode: classifier.config.mode } };
}

/**
 * Stage 4 on any model and data (training run or `segment evaluate`). With a gate classifier its
 * presence probabilities join the search (a gate per class, kept only where it helps on val).
 */
export async function evaluateSegmentation(
  ctx: RunContext,
  cfg: SegmentationConfig,
  predictor: TilePredictor,
  data: Pick<SegmentationData, "valIds" | "testIds">,
  gateRequest?: GateRequest,
): Promise<SegmentationEvaluation> {
  const { ds } = ctx;
  const tta = Boolean(cfg.tta && (cfg.tta.horizontal || cfg.tta.vertical));
  const { classifier, info: gating } = await resolveGate(gateRequest);
  let valPresence: number[][] | undefined;
  let testPresence: number[][] | undefined;
  if (classifier) {
    try {
      valPresence = await presenceOf(classifier, data.valIds.map((i) => ds.samples[i].path), { label: `${cfg.run}: gate val` });
      testPresence = await presenceOf(classifier, data.testIds.map((i) => ds.samples[i].path), { label: `${cfg.run}: gate test` });
    } finally {
      classifier.model.dispose();
    }
  }
  const { items, height: H, width: W } = await validationPredictions(predictor, ds, data.valIds, stitchOptions(cfg, `${cfg.run}: val`, tta));
  if (valPresence) items.forEach((it, k) => (it.presence = valPresence![k]));
  const base = basePostprocess(cfg);
  // One labelling per (image, class, threshold): the search, effects and scores below share it.
  const cache = new MaskCountCache(items, H, W, 4);
  // Search on the maps that will be applied (the flip-TTA ones when TTA is on).
  const search = searchPostprocess(items, H, W, base, classifier ? { ...cfg.search, gates: cfg.search.gates ?? DEFAULT_GATES } : cfg.search, { cache, tta });
  const effects = postprocessEffects(items, H, W, search.settings, tta, cache);
  if (classifier) {
    gating.gates = search.settings.map((p) => p.gate ?? null);
    gating.valGated = scorePostprocess(items, H, W, search.settings, tta, cache).kaggle;
    gating.valUngated = scorePostprocess(items, H, W, search.settings.map((p) => ({ ...p, gate: undefined })), tta, cache).kaggle;
  }
  const val = {
    images: items.length,
    default: scorePostprocess(items, H, W, resolvePostprocess(4), false, cache),
    chosen: scorePostprocess(items, H, W, search.settings, tta, cache),
    search: search.perClass,
    effects,
  };
  const want = exampleIds(ds, data.valIds, cfg.examples ?? 4);
  const examples: SegmentationExample[] = [];
  items.forEach((it, k) => {
    const i = data.valIds[k];
    if (!want.has(i)) return;
    const pred = postprocessMasks(tta ? it.probTta! : it.prob, H, W, search.settings, it.presence);
    examples.push({ imageId: it.imageId, path: ds.samples[i].path, height: H, width: W, truth: it.truth, pred });
  });
  items.length = 0; // the validation maps are the largest thing held: let them go before the test pass
  const testMasks: PredictedMasks[] = [];
  const counts = [];
  const empty = [];
  const bar = createProgress({ total: data.testIds.length, label: `${cfg.run}: test` });
  for (const [k, i] of data.testIds.entries()) {
    const s = ds.samples[i];
    const r = await predictSample(predictor, s, stitchOptions(cfg, false, tta));
    const mask = postprocessMasks(r.prob, r.height, r.width, search.settings, testPresence?.[k]);
    counts.push(imageCounts(mask, r.truth, 4, counts.length));
    empty.push(imageCounts(new Uint8Array(mask.length), r.truth, 4, empty.length));
    testMasks.push({ imageId: s.id, mask });
    bar.tick();
  }
  bar.done();
  return {
    val,
    settings: search.settings,
    tta,
    gating,
    height: H,
    width: W,
    test: { images: counts.length, scores: segmentationScores(counts), emptyBaseline: segmentationScores(empty) },
    testMasks,
    examples,
  };
}

/** Stage 5: submission.csv of the test images (verified by read-back), postprocess.json, example figures. */
export async function writeSegmentationArtefacts(outDir: string, ev: SegmentationEvaluation): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const { height: H, width: W } = ev;
  files.submission = path.join(outDir, "submission.csv");
  writeSubmission(files.submission, ev.testMasks, { height: H, width: W });
  files.postprocess = path.join(outDir, "postprocess.json");
  writeJsonAtomic(files.postprocess, { settings: ev.settings, tta: ev.tta, ...(ev.gating.status === "used" ? { gate: ev.gating.checkpoint } : {}) });
  for (const [k, ex] of ev.examples.entries()) {
    const img = await readImage(ex.path, { channels: 3 });
    const file = path.join(outDir, "examples", `${ex.imageId.replace(/\.[^.]+$/, "")}.png`);
    // Truth above, prediction below, one PNG per image.
    const both = { data: new Float32Array(img.data.length * 2), height: img.height * 2, width: img.width, channels: 3 };
    both.data.set(img.data, 0);
    both.data.set(img.data, img.data.length);
    const mask = new Uint8Array(ex.truth.length * 2);
    mask.set(ex.truth, 0);
    mask.set(ex.pred, ex.truth.length);
    writeFileAtomic(file, await maskOverlayPng(both, mask));
    files[`example${k}`] = file;
  }
  return files;
}

export function segmentationTask(cfg: SegmentationConfig, opts: { gate?: GateRequest } = {}): ExperimentTask<SegmentationData, SegmentationEvaluation> & { config: SegmentationConfig } {
  const activation = activationOf(cfg);
  return {
    name: cfg.run,
    config: cfg,
    prepare: (ctx) => prepareSegmentation(ctx, cfg),
    async buildModel(ctx) {
      const model = createModel("unet", {
        inputShape: [cfg.tile, cfg.tile, cfg.channels],
        classes: 4,
        seed: ctx.seed,
        encoder: cfg.encoder,
        decoderChannels: cfg.decoderChannels,
        activation,
        inputNormalization: cfg.inputNormalization ?? "standardize",
      });
      if (activation === "sigmoid") setHeadPrior(model, cfg.headPrior ?? 0.01);
      const pretrained = cfg.pretrained ? await loadUnetEncoderWeights(model, undefined, ctx.ws.paths) : { used: false, note: "trained from scratch (encoder weights not requested)" };
      const summary = summarizeModel(model);
      return { model, info: { pretrained: { used: pretrained.used, note: pretrained.note }, params: { total: summary.totalParams, trainable: summary.trainableParams } } };
    },
    fitPlan(ctx, data): FitPlan {
      const monitor = cfg.monitor ?? "val_kaggle";
      const threshold = resolvePostprocess(4);
      return {
        epochs: cfg.epochs,
        optimizer: cfg.optimizer,
        scheduler: cfg.scheduler ?? { type: "plateau", monitor, mode: "max", factor: 0.5, patience: 1 },
        loss: cfg.loss,
        lossOptions: activation === "linear" ? { ...cfg.lossOptions, fromLogits: true } : cfg.lossOptions,
        microBatchSize: cfg.microBatchSize ?? defaultMicroBatch(cfg),
        monitor,
        patience: cfg.patience,
        label: `${cfg.run} (unet ${cfg.encoder})`,
        // Stitched full validation images at threshold 0.5: the score the competition computes.
        valScore: async (model) => {
          const s = await scoreStitched(probabilityPredictor(model, activation), ctx.ds, data.epochValIds, threshold, stitchOptions(cfg, `${cfg.run}: stitched val`));
          const meanIoU = s.perClassIoU.reduce((a, b) => a + b, 0) / s.perClassIoU.length;
          return { val_kaggle: s.kaggle, val_dice: s.pooledDice, val_iou: meanIoU };
        },
      };
    },
    evaluate: (ctx, model, data) => evaluateSegmentation(ctx, cfg, probabilityPredictor(model, activation), data, opts.gate),
    writeArtefacts: (ctx, ev) => writeSegmentationArtefacts(ctx.outDir, ev),
    metricsJson: (run) => segmentationMetricsJson(run, cfg),
    savedConfig: (ctx) => ({ ...cfg, task: "segmentation", classNames: SEGMENTATION_CLASSES, seed: ctx.seed, dataset: ctx.ds.name }),
  };
}

const r6 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v);

function scoreSummary(s: SegmentationScores) {
  return { kaggle: r6(s.kaggle), perClassDice: s.perClassDice.map(r6), perClassIoU: s.perClassIoU.map(r6), presence: s.presence };
}

/** The deterministic part of a finished run (no timings, no tensors, no pixel arrays). */
export function segmentationMetricsJson(run: ExperimentRun<SegmentationData, SegmentationEvaluation>, cfg: SegmentationConfig): Record<string, unknown> {
  const ev = run.evaluation;
  return {
    model: "unet",
    encoder: cfg.encoder,
    loss: cfg.loss,
    tile: cfg.tile,
    dataset: { name: run.ctx.ds.name, source: run.ctx.ds.source, images: run.ctx.ds.samples.length },
    split: { train: run.data.split.train.length, val: run.data.split.val.length, test: run.data.split.test.length, valScored: run.data.valIds.length, testScored: run.data.testIds.length },
    pretrained: run.built.info.pretrained,
    params: run.built.info.params,
    bestEpoch: run.bestEpoch,
    history: run.history,
    ...segmentationEvaluationJson(ev),
  };
}

export function segmentationEvaluationJson(ev: SegmentationEvaluation): Record<string, unknown> {
  return {
    val: {
      images: ev.val.images,
      threshold05: scoreSummary(ev.val.default),
      chosen: scoreSummary(ev.val.chosen),
      search: ev.val.search.map((r) => ({ ...r, dice: r6(r.dice), baseDice: r6(r.baseDice) })),
      effects: { thresholdOnly: r6(ev.val.effects.thresholdOnly), full: r6(ev.val.effects.full), rows: ev.val.effects.rows.map((r) => ({ switch: r.switch, on: r6(r.on), off: r6(r.off), delta: r6(r.delta) })) },
    },
    settings: ev.settings,
    tta: ev.tta,
    gating: { ...ev.gating, ...(ev.gating.valGated !== undefined ? { valGated: r6(ev.gating.valGated), valUngated: r6(ev.gating.valUngated!) } : {}) },
    test: { images: ev.test.images, ...scoreSummary(ev.test.scores), emptyBaseline: scoreSummary(ev.test.emptyBaseline) },
    submission: { images: ev.testMasks.length, nonEmptyPerClass: [0, 1, 2, 3].map((c) => ev.testMasks.filter((m) => m.mask.some((v, i) => v !== 0 && i % 4 === c)).length) },
  };
}
