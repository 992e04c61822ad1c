/**
 * Classification as an ExperimentTask (single-label softmax or multi-label sigmoid): the
 * classification view + grouped stratified split, a (weighted) sampler, the model by registry
 * name with optional ImageNet weights, weighted cross-entropy / focal / BCE, and scores on the
 * held-out test split (validation predictions kept for choosing operating points).
 */
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Dataset } from "../../data/types";
import { classificationView, DatasetView } from "../../data/views";
import { createBatchSource } from "../../data/loader";
import { splitDataset, writeSplitCsv, readSplitCsv, DatasetSplit } from "../../data/splits";
import { classWeights, createWeightedSampler } from "../../data/sampler";
import { compose, ComposeEntry } from "../../data/augment/compose";
import { horizontalFlip, verticalFlip } from "../../data/augment/flip";
import { brightnessContrast } from "../../data/augment/brightness-contrast";
import { randomRot90 } from "../../data/augment/rot90";
import { randomScaleCrop } from "../../data/augment/resized-crop";
import { gainGamma } from "../../data/augment/gain-gamma";
import { photometricAugmentation } from "../../data/capture/augmentation";
import { Transform } from "../../data/augment/types";
import { BatchSource } from "../../data/types";
import { createModel } from "../../models/registry";
import { ModelOptions } from "../../models/types";
import { findPretrainedWeights, loadKerasH5Weights } from "../../models/keras-h5";
import { summarizeModel } from "../../models/summary";
import { recommendedMicroBatch } from "../../engine/index";
import { scoreClassification, ClassificationScores, Predictions } from "../../metrics/classification-scores";
import { confusionMatrixSvg, rocSvg, svgToPng } from "../../report/static-charts";
import { writeFileAtomic } from "../../util/atomic-write";
import { createRng } from "../../util/rng";
import { Progress, createProgress } from "../../util/progress";
import type { ProjectPaths } from "../../config/paths";
import { predictSource } from "../predict";
import { ExperimentRun, ExperimentTask, FitPlan, RunContext } from "../task";
import { AugmentPreset, ClassificationConfig } from "./classification-config";

export interface ClassificationData {
  view: DatasetView;
  split: DatasetSplit;
  /** The split as written (empty when evaluating a checkpoint on all samples). */
  splitCsv: string;
  train: BatchSource;
  val: BatchSource;
  /** Loss class weights computed on the training split (undefined = unweighted). */
  classWeights?: number[];
}

export interface ClassificationEvaluation {
  /** Validation predictions of the best checkpoint (operating points are chosen on these); empty without a val split. */
  val: Predictions;
  test: Predictions;
  scores: ClassificationScores;
}

export function augmentation(preset: AugmentPreset | undefined): Transform | undefined {
  if (!preset || preset === "none") return undefined;
  const entries: ComposeEntry[] = [{ transform: horizontalFlip(), p: 0.5 }, { transform: verticalFlip(), p: 0.5 }];
  if (preset === "standard") entries.push({ transform: brightnessContrast({}), p: 0.5 });
  if (preset === "dihedral" || preset === "neu" || preset === "neu-capture") entries.push({ transform: randomRot90(), p: 0.75 });
  if (preset === "neu" || preset === "neu-capture") entries.push({ transform: randomScaleCrop({ minScale: 0.75 }), p: 0.5 }, { transform: gainGamma(), p: 0.5 });
  // The robustness mitigation: one capture perturbation (severity ≤ 3) on half the samples.
  if (preset === "neu-capture") entries.push({ transform: photometricAugmentation({ maxSeverity: 3 }), p: 0.5 });
  return compose(entries);
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

function lossName(cfg: ClassificationConfig): "cross-entropy" | "focal" | "bce" {
  return cfg.loss ?? (cfg.mode === "multi" ? "bce" : "cross-entropy");
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
async function maybePretrained(model: tf.LayersModel, cfg: ClassificationConfig, paths: ProjectPaths): Promise<{ used: boolean; note: string }> {
  if (!cfg.pretrained) return { used: false, note: "trained from scratch (pretrained weights not requested)" };
  if (cfg.model !== "resnet50") return { used: false, note: `no pretrained weights exist for ${cfg.model}: trained from scratch` };
  if (cfg.channels !== 3) return { used: false, note: "ImageNet weights need 3-channel input: trained from scratch" };
  const file = findPretrainedWeights(paths);
  if (!file) {
    return {
      used: false,
      note: "no ImageNet weights found (outputs/models/pretrained/resnet50_..._notop.h5 or STEEL_RESNET50_WEIGHTS; `make weights` on a machine with internet): trained FROM SCRATCH",
    };
  }
  const report = await loadKerasH5Weights(model, file, { filter: (name) => !name.startsWith("head_") && !name.startsWith("predictions") });
  return { used: true, note: `ImageNet weights from ${file}: ${report.loaded.length} layers loaded, ${report.missing.length} new (head)` };
}

/**
 * On wasm the 4 GiB heap bounds a training step (see src/lib/engine/memory.ts): split the batch
 * into the largest micro-batch that fits and accumulate gradients. Other backends: whole batch.
 */
function defaultMicroBatch(cfg: ClassificationConfig): number | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  const side = Math.sqrt(cfg.imageSize.height * cfg.imageSize.width);
  const micro = recommendedMicroBatch(cfg.model, side);
  return micro < cfg.batchSize ? micro : undefined;
}

export function classificationViewFor(ds: Dataset, cfg: Pick<ClassificationConfig, "mode" | "imageSize" | "channels">): DatasetView {
  return classificationView(ds, { mode: cfg.mode, imageSize: cfg.imageSize, channels: cfg.channels });
}

/** View + grouped stratified split (written as CSV) + batch sources of a training run. */
export function prepareClassification(ctx: RunContext, cfg: ClassificationConfig): ClassificationData {
  const { ds, seed } = ctx;
  const view = classificationViewFor(ds, cfg);
  const split = splitDataset(ds.samples, { seed, fractions: cfg.split, stratify: "label" });
  const splitCsv = path.join(ctx.ws.paths.splits, `${ds.name}_${cfg.run}.csv`);
  writeSplitCsv(splitCsv, ds.samples, split);
  const K = view.classNames.length;
  const trainLabels = split.train.map((i) => view.labelOf(i));
  const weights = cfg.classWeights && cfg.classWeights !== "none" && lossName(cfg) !== "bce" ? classWeights(trainLabels, K, cfg.classWeights) : undefined;
  const sampler = classSampler(cfg.sampler, trainLabels, K, createRng(seed, "sampler").seed32());
  const cache = cfg.cache ?? "memory";
  const train = createBatchSource(view, split.train, { batchSize: cfg.batchSize, seed, sampler, augment: augmentation(cfg.augment), cache });
  const val = createBatchSource(view, split.val, { batchSize: cfg.batchSize, seed, shuffle: false, cache });
  return { view, split, splitCsv, train, val, classWeights: weights };
}

/**
 * Data for evaluating a checkpoint without training: every sample as the test split, or the
 * test split of a split CSV written by a training run. Throws when the classes differ.
 */
export function classificationEvaluationData(ds: Dataset, cfg: ClassificationConfig & { classNames: string[] }, opts: { splitCsv?: string; batchSize?: number } = {}): ClassificationData {
  const view = classificationViewFor(ds, cfg);
  if (view.classNames.join(",") !== cfg.classNames.join(",")) {
    throw new Error(`the checkpoint was trained on classes [${cfg.classNames.join(", ")}] but ${ds.root} has [${view.classNames.join(", ")}]`);
  }
  const all = ds.samples.map((_, i) => i);
  const test = opts.splitCsv ? readSplitCsv(opts.splitCsv, ds.samples).test : all;
  if (test.length === 0) throw new Error(`no samples to evaluate in ${ds.root}${opts.splitCsv ? ` (test split of ${opts.splitCsv})` : ""}`);
  const none = createBatchSource(view, [], { batchSize: 1, seed: 0, shuffle: false });
  return { view, split: { train: [], val: [], test }, splitCsv: opts.splitCsv ?? "", train: none, val: none };
}

export interface ClassificationTaskOptions {
  /** Batch size of the evaluation passes (default cfg.batchSize). */
  evalBatchSize?: number;
  /** Progress label prefix (default cfg.run). */
  label?: string;
}

export function classificationTask(cfg: ClassificationConfig, opts: ClassificationTaskOptions = {}): ExperimentTask<ClassificationData, ClassificationEvaluation> & { config: ClassificationConfig } {
  const label = opts.label ?? cfg.run;
  return {
    name: cfg.run,
    config: cfg,
    prepare: (ctx) => prepareClassification(ctx, cfg),
    async buildModel(ctx, data) {
      const model = createModel(cfg.model, modelOptions(cfg, data.view.classNames.length, ctx.seed));
      const pretrained = await maybePretrained(model, cfg, ctx.ws.paths);
      const summary = summarizeModel(model);
      return { model, info: { pretrained, params: { total: summary.totalParams, trainable: summary.trainableParams } } };
    },
    fitPlan(_ctx, data): FitPlan {
      return {
        epochs: cfg.epochs,
        optimizer: cfg.optimizer,
        scheduler: cfg.scheduler,
        loss: lossName(cfg),
        lossOptions: cfg.labelSmoothing ? { labelSmoothing: cfg.labelSmoothing } : undefined,
        classWeights: data.classWeights,
        microBatchSize: cfg.microBatchSize ?? defaultMicroBatch(cfg),
        monitor: cfg.monitor ?? (cfg.mode === "single" ? "val_macroF1" : "val_loss"),
        patience: cfg.patience,
        label: `${cfg.run} (${cfg.model})`,
      };
    },
    async evaluate(ctx, model, data) {
      const source = (idx: number[]) =>
        createBatchSource(data.view, idx, { batchSize: opts.evalBatchSize ?? cfg.batchSize, seed: ctx.seed, shuffle: false, cache: cfg.cache ?? "memory" });
      const names = data.view.classNames;
      // One evaluation bar for both splits, restarted per split (not one bar per pass).
      let bar: Progress | undefined;
      const pass = (idx: number[], passLabel: string) => {
        const src = source(idx);
        bar = bar ?? createProgress({ total: src.batchesPerEpoch, label: passLabel });
        return predictSource(model, src, names, passLabel, bar);
      };
      const val = data.split.val.length ? await pass(data.split.val, `${label}: val`) : { ids: [], classNames: names, probs: [], targets: [] };
      const test = await pass(data.split.test, data.split.val.length ? `${label}: test` : label);
      return { val, test, scores: scoreClassification(test, cfg.mode) };
    },
    async writeArtefacts(ctx, ev) {
      const files: Record<string, string> = {};
      if (ev.scores.confusion) {
        files.confusionPng = path.join(ctx.outDir, "confusion_matrix.png");
        writeFileAtomic(files.confusionPng, await svgToPng(confusionMatrixSvg(ev.scores.confusion, ev.test.classNames)));
      }
      files.rocPng = path.join(ctx.outDir, "roc.png");
      writeFileAtomic(files.rocPng, await svgToPng(rocSvg(ev.scores.roc)));
      return files;
    },
    metricsJson: (run) => classificationMetricsJson(classificationResultOf(run, cfg)),
    savedConfig: (ctx, data) => ({ ...cfg, classNames: data.view.classNames, seed: ctx.seed, dataset: ctx.ds.name }),
  };
}

export interface ClassificationResult {
  config: ClassificationConfig;
  dataset: { name: string; source: "real" | "synthetic"; images: number };
  classNames: string[];
  split: { train: number; val: number; test: number; csv: string };
  classWeights?: number[];
  pretrained: { used: boolean; note: string };
  params: { total: number; trainable: number };
  history: ExperimentRun<ClassificationData, ClassificationEvaluation>["history"];
  bestEpoch: number;
  /** Validation predictions from the best checkpoint (operating points are chosen on these). */
  val: Predictions;
  test: Predictions;
  evaluation: ClassificationScores;
  files: Record<string, string>;
  /** Wall-clock seconds (kept out of metrics JSON). */
  seconds: { train: number; perEpoch: number[] };
  /** Fresh or resumed from last/ (a re-executed notebook cell resumes; kept out of metrics JSON). */
  start: ExperimentRun<ClassificationData, ClassificationEvaluation>["start"];
  model: tf.LayersModel;
}

/** The notebook-facing shape of a finished classification run. */
export function classificationResultOf(run: ExperimentRun<ClassificationData, ClassificationEvaluation>, cfg: ClassificationConfig): ClassificationResult {
  const { ds } = run.ctx;
  const { split, splitCsv, view } = run.data;
  return {
    config: cfg,
    dataset: { name: ds.name, source: ds.source, images: ds.samples.length },
    classNames: view.classNames,
    split: { train: split.train.length, val: split.val.length, test: split.test.length, csv: splitCsv },
    classWeights: run.data.classWeights,
    pretrained: run.built.info.pretrained as ClassificationResult["pretrained"],
    params: run.built.info.params as ClassificationResult["params"],
    history: run.history,
    bestEpoch: run.bestEpoch,
    val: run.evaluation.val,
    test: run.evaluation.test,
    evaluation: run.evaluation.scores,
    files: { ...run.files, split: splitCsv },
    seconds: run.seconds,
    start: run.start,
    model: run.model,
  };
}

/** The deterministic part of a result, as stored in metrics JSON (no timings, no tensors). */
export function classificationMetricsJson(r: Pick<ClassificationResult, "config" | "dataset" | "classNames" | "split" | "pretrained" | "params" | "bestEpoch" | "history" | "evaluation">): Record<string, unknown> {
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
