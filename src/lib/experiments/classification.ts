/**
 * One classification experiment end to end — split, sampler, weighted loss, model by name,
 * training with best-checkpoint and early stopping, evaluation on the held-out test split, and
 * the artefacts under outputs/models/<run>/. Notebooks 03/04 and the `train` CLI call this, so
 * a notebook stays a few lines and a script reproduces it exactly.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Dataset } from "../data/types";
import { classificationView, DatasetView, ImageSize } from "../data/views";
import { createBatchSource } from "../data/loader";
import { splitDataset, SplitFractions, writeSplitCsv, DatasetSplit } from "../data/splits";
import { classWeights, ClassWeightMode, createWeightedSampler } from "../data/sampler";
import { compose, ComposeEntry } from "../data/augment/compose";
import { horizontalFlip, verticalFlip } from "../data/augment/flip";
import { brightnessContrast } from "../data/augment/brightness-contrast";
import { randomRot90 } from "../data/augment/rot90";
import { Transform } from "../data/augment/types";
import { createModel } from "../models/registry";
import { ModelOptions, HeadOptions } from "../models/types";
import { findPretrainedWeights, loadKerasH5Weights } from "../models/keras-h5";
import { summarizeModel } from "../models/summary";
import type { InputNormalization } from "../models/input-normalization";
import { fit, FitResult } from "../train/trainer";
import { OptimizerSpec } from "../train/optimizers/factory";
import { SchedulerSpec } from "../train/schedulers";
import { bestCheckpoint } from "../train/callbacks/best-checkpoint";
import { earlyStopping } from "../train/callbacks/early-stopping";
import { historyLogger } from "../train/callbacks/history-writer";
import { loadModel, readCheckpoint, restoreModelWeights } from "../train/checkpoint";
import { EpochLogs } from "../train/types";
import { evaluateProbabilities, ClassificationEvaluation, Predictions, predictSource } from "./evaluation";
import type { Workspace } from "../runtime/workspace";
import { writeJsonAtomic } from "../util/atomic-write";
import { createRng } from "../util/rng";
import { confusionMatrixSvg, rocSvg, svgToPng } from "../report/static-charts";
import { recommendedMicroBatch } from "../engine/index";

/** none; flips (h+v); dihedral (flips + rot90, for square rotation-invariant textures like NEU); standard (flips + brightness/contrast). */
export type AugmentPreset = "none" | "flips" | "dihedral" | "standard";

export interface ClassificationConfig {
  /** Output folder name under outputs/models/ (and split CSV name). */
  run: string;
  /** Write the run folder here instead of outputs/models/<run> (the `train` CLI's --out). */
  outDir?: string;
  /** "single": softmax over dataset classes (Severstal: OK + 4); "multi": 4 sigmoid presence labels. */
  mode: "single" | "multi";
  model: string;
  head?: HeadOptions;
  /** Stage-wise freezing 0–4 (only meaningful with pretrained weights). */
  freeze?: number;
  /** Load ImageNet weights for resnet50 when a local .h5 is found (see `make weights`). */
  pretrained?: boolean;
  /** ResNets: start every residual block as the identity (ModelOptions.zeroInitResidual). */
  zeroInitResidual?: boolean;
  imageSize: ImageSize;
  channels: 1 | 3;
  /**
   * The model's first layer (src/lib/models/input-normalization.ts): default "standardize"
   * (per image); "caffe" for Keras ImageNet weights.
   */
  inputNormalization?: InputNormalization;
  split?: SplitFractions;
  epochs: number;
  batchSize: number;
  microBatchSize?: number;
  optimizer: OptimizerSpec;
  scheduler?: SchedulerSpec;
  loss?: "cross-entropy" | "focal" | "bce";
  labelSmoothing?: number;
  /** Class weights for the loss ("none" to disable). */
  classWeights?: ClassWeightMode | "none";
  /**
   * WeightedRandomSampler over the training split. "balanced": inverse class frequency (every
   * class equally often); "sqrt-balanced": inverse square root, i.e. half the correction — with "sqrt-inverse" loss weights the two together
   * balance the classes exactly once (a balanced sampler AND weighted loss over-correct: the
   * rarest class then dominates the loss by sqrt(n_max / n_min)).
   */
  sampler?: "balanced" | "sqrt-balanced" | "none";
  augment?: AugmentPreset;
  /** Early-stopping patience in epochs (0/undefined = off). */
  patience?: number;
  /** Metric that picks the best checkpoint (default val_macroF1 for single-label). */
  monitor?: string;
  /** Decoded images kept in memory across epochs (default "memory": datasets here are small). */
  cache?: "memory" | "none";
}

export interface ClassificationResult {
  config: ClassificationConfig;
  dataset: { name: string; source: "real" | "synthetic"; images: number };
  classNames: string[];
  split: { train: number; val: number; test: number; csv: string };
  classWeights?: number[];
  pretrained: { used: boolean; note: string };
  params: { total: number; trainable: number };
  history: EpochLogs[];
  bestEpoch: number;
  /** Validation predictions from the best checkpoint (operating points are chosen on these). */
  val: Predictions;
  test: Predictions;
  evaluation: ClassificationEvaluation;
  files: Record<string, string>;
  /** Wall-clock seconds (kept out of metrics JSON). */
  seconds: { train: number; perEpoch: number[] };
  model: tf.LayersModel;
}

export function augmentation(preset: AugmentPreset | undefined): Transform | undefined {
  if (!preset || preset === "none") return undefined;
  const entries: ComposeEntry[] = [{ transform: horizontalFlip(), p: 0.5 }, { transform: verticalFlip(), p: 0.5 }];
  if (preset === "standard") entries.push({ transform: brightnessContrast({}), p: 0.5 });
  if (preset === "dihedral") entries.push({ transform: randomRot90(), p: 0.75 });
  return compose(entries);
}

function modelOptions(cfg: ClassificationConfig, classes: number, seed: number): ModelOptions {
  return {
    inputShape: [cfg.imageSize.height, cfg.imageSize.width, cfg.channels],
    classes,
    seed,
    multiLabel: cfg.mode === "multi",
    head: cfg.head,
    freeze: cfg.freeze,
    inputNormalization: cfg.inputNormalization ?? "standardize",
    zeroInitResidual: cfg.zeroInitResidual,
  };
}

/** ImageNet weights for resnet50 when asked for and present; otherwise say why we train from scratch. */
async function maybePretrained(model: tf.LayersModel, cfg: ClassificationConfig, ws: Workspace): Promise<{ used: boolean; note: string }> {
  if (!cfg.pretrained) return { used: false, note: "trained from scratch (pretrained weights not requested)" };
  if (cfg.model !== "resnet50") return { used: false, note: `no pretrained weights exist for ${cfg.model}: trained from scratch` };
  if (cfg.channels !== 3) return { used: false, note: "ImageNet weights need 3-channel input: trained from scratch" };
  const file = findPretrainedWeights(ws.paths);
  if (!file) {
    return {
      used: false,
      note: "no ImageNet weights found (outputs/models/pretrained/resnet50_..._notop.h5 or STEEL_RESNET50_WEIGHTS; `make weights` on a machine with internet): trained FROM SCRATCH",
    };
  }
  const report = await loadKerasH5Weights(model, file, { filter: (name) => !name.startsWith("head_") && !name.startsWith("predictions") });
  return { used: true, note: `ImageNet weights from ${file}: ${report.loaded.length} layers loaded, ${report.missing.length} new (head)` };
}

export interface PreparedData {
  view: DatasetView;
  split: DatasetSplit;
  splitCsv: string;
}

/** View + grouped stratified split (written as CSV) — shared by training, evaluation and the CLI. */
export function prepareClassificationData(ws: Workspace, ds: Dataset, cfg: ClassificationConfig): PreparedData {
  const view = classificationView(ds, { mode: cfg.mode, imageSize: cfg.imageSize, channels: cfg.channels });
  const split = splitDataset(ds.samples, { seed: ws.config.seed, fractions: cfg.split, stratify: "label" });
  const splitCsv = path.join(ws.paths.splits, `${ds.name}_${cfg.run}.csv`);
  writeSplitCsv(splitCsv, ds.samples, split);
  return { view, split, splitCsv };
}

/** The training sampler a config asks for (undefined = plain shuffling). */
export function classSampler(kind: ClassificationConfig["sampler"], labels: number[], classes: number, seed: number) {
  if (kind === "balanced") return createWeightedSampler({ labels, seed });
  if (kind === "sqrt-balanced") {
    const perClass = classWeights(labels, classes, "sqrt-inverse");
    return createWeightedSampler({ weights: labels.map((l) => perClass[l]), seed });
  }
  return undefined;
}

/**
 * On wasm the 4 GiB heap bounds a training step (see src/lib/engine/wasm/memory.ts): split the batch
 * into the largest micro-batch that fits and accumulate gradients. Other backends: whole batch.
 */
function defaultMicroBatch(cfg: ClassificationConfig): number | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  const side = Math.sqrt(cfg.imageSize.height * cfg.imageSize.width);
  const micro = recommendedMicroBatch(cfg.model, side);
  return micro < cfg.batchSize ? micro : undefined;
}

export async function runClassification(ws: Workspace, ds: Dataset, cfg: ClassificationConfig): Promise<ClassificationResult> {
  const seed = ws.config.seed;
  const outDir = cfg.outDir ? path.resolve(cfg.outDir) : path.join(ws.paths.models, cfg.run);
  fs.mkdirSync(outDir, { recursive: true });
  const { view, split, splitCsv } = prepareClassificationData(ws, ds, cfg);
  const K = view.classNames.length;
  const trainLabels = split.train.map((i) => view.labelOf(i));
  const lossName = cfg.loss ?? (cfg.mode === "multi" ? "bce" : "cross-entropy");
  const weights =
    cfg.classWeights && cfg.classWeights !== "none" && lossName !== "bce" ? classWeights(trainLabels, K, cfg.classWeights) : undefined;
  const sampler = classSampler(cfg.sampler, trainLabels, K, createRng(seed, "sampler").seed32());
  const cache = cfg.cache ?? "memory";
  const train = createBatchSource(view, split.train, { batchSize: cfg.batchSize, seed, sampler, augment: augmentation(cfg.augment), cache });
  const val = createBatchSource(view, split.val, { batchSize: cfg.batchSize, seed, shuffle: false, cache });

  const model = createModel(cfg.model, modelOptions(cfg, K, seed));
  const pretrained = await maybePretrained(model, cfg, ws);
  const summary = summarizeModel(model);
  const monitor = cfg.monitor ?? (cfg.mode === "single" ? "val_macroF1" : "val_loss");
  const best = bestCheckpoint({ dir: path.join(outDir, "best"), monitor });
  const callbacks = [best, ...(cfg.patience ? [earlyStopping({ monitor, patience: cfg.patience, restoreBestWeights: false })] : [])];
  const t0 = Date.now();
  const result: FitResult = await fit(model, { train, val }, {
    epochs: cfg.epochs,
    microBatchSize: cfg.microBatchSize ?? defaultMicroBatch(cfg),
    optimizer: cfg.optimizer,
    scheduler: cfg.scheduler,
    loss: lossName,
    lossOptions: cfg.labelSmoothing ? { labelSmoothing: cfg.labelSmoothing } : undefined,
    classWeights: weights,
    seed,
    monitor,
    callbacks: [...callbacks, historyLogger({ dir: outDir })],
    label: `${cfg.run} (${cfg.model})`,
  });
  const trainSeconds = (Date.now() - t0) / 1000;
  // Evaluate the best epoch's weights, not the last epoch's.
  restoreModelWeights(model, readCheckpoint(path.join(outDir, "best")));
  const evalSource = (idx: number[]) => createBatchSource(view, idx, { batchSize: cfg.batchSize, seed, shuffle: false, cache });
  const valPred = await predictSource(model, evalSource(split.val), view.classNames, `${cfg.run}: val`);
  const testPred = await predictSource(model, evalSource(split.test), view.classNames, `${cfg.run}: test`);
  const evaluation = evaluateProbabilities(testPred, cfg.mode);
  const files = await writeClassificationArtefacts(outDir, evaluation, testPred);
  const res: ClassificationResult = {
    config: cfg,
    dataset: { name: ds.name, source: ds.source, images: ds.samples.length },
    classNames: view.classNames,
    split: { train: split.train.length, val: split.val.length, test: split.test.length, csv: splitCsv },
    classWeights: weights,
    pretrained,
    params: { total: summary.totalParams, trainable: summary.trainableParams },
    history: result.history,
    bestEpoch: best.state.bestEpoch,
    val: valPred,
    test: testPred,
    evaluation,
    files: { ...files, checkpoint: path.join(outDir, "best"), history: path.join(outDir, "history.csv"), split: splitCsv },
    seconds: { train: trainSeconds, perEpoch: result.timings.map((t) => t.seconds) },
    model,
  };
  writeJsonAtomic(path.join(outDir, "metrics.json"), classificationMetricsJson(res));
  writeJsonAtomic(path.join(outDir, "config.json"), { ...cfg, classNames: view.classNames, seed, dataset: ds.name });
  return res;
}

/** The deterministic part of a result, as stored in metrics JSON (no timings, no tensors). */
export function classificationMetricsJson(r: ClassificationResult): Record<string, unknown> {
  return {
    model: r.config.model,
    mode: r.config.mode,
    dataset: r.dataset,
    classNames: r.classNames,
    split: { train: r.split.train, val: r.split.val, test: r.split.test },
    pretrained: r.pretrained,
    params: r.params,
    bestEpoch: r.bestEpoch,
    history: r.history,
    test: r.evaluation.summary,
    report: r.evaluation.report.rows,
    confusion: r.evaluation.confusion,
  };
}

async function writeClassificationArtefacts(outDir: string, ev: ClassificationEvaluation, pred: Predictions): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  if (ev.confusion) {
    files.confusionPng = path.join(outDir, "confusion_matrix.png");
    fs.writeFileSync(files.confusionPng, await svgToPng(confusionMatrixSvg(ev.confusion, pred.classNames)));
  }
  files.rocPng = path.join(outDir, "roc.png");
  fs.writeFileSync(files.rocPng, await svgToPng(rocSvg(ev.roc)));
  return files;
}

/** Rebuilds a trained classifier from its run folder (config.json + best checkpoint). */
export async function loadClassifier(runDir: string): Promise<{ model: tf.LayersModel; config: ClassificationConfig & { classNames: string[]; dataset: string } }> {
  const configFile = path.join(runDir, "config.json");
  if (!fs.existsSync(configFile)) throw new Error(`${runDir} is not a training run folder (no config.json); train one with the 'train' command first`);
  const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as ClassificationConfig & { classNames: string[]; dataset: string };
  const model = await loadModel(path.join(runDir, "best"));
  return { model, config };
}
