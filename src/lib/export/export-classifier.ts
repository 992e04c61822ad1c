/**
 * The `export` command's pipeline for a trained classifier run folder: predictions of the
 * float32 model on the run's validation and test splits (the split is recomputed from the run's
 * seed and fractions — the same function and inputs as training — or read from a split CSV), the
 * safety-first operating point chosen on validation, then every quantisation scheme re-loaded
 * through tfjs's own decoder and scored on the test split: size and accuracy change per scheme.
 * The chosen scheme is written as a TensorFlow.js web model + metadata.json.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data/types";
import { splitDataset, readSplitCsv, DatasetSplit } from "../data/splits";
import { createBatchSource } from "../data/loader";
import { classificationViewFor } from "../runner/tasks/classification";
import type { TrainedConfig } from "../runner/tasks/classification-config";
import { predictSource } from "../runner/predict";
import type { Predictions } from "../metrics/classification-scores";
import { scoreClassification } from "../metrics/classification-scores";
import { argmaxRows } from "../metrics/confusion";
import { safetyFirst } from "../experiments/operating";
import { writeDirAtomic } from "../util/atomic-write";
import { filesOf, loadWebModel, webModelFiles } from "./artifacts";
import { QUANTIZE_SCHEMES, QuantizeScheme } from "./quantize";
import { DEFAULT_CRITICAL, EXPORT_FORMAT, EXPORT_VERSION, ExportMetadata, ExportOperatingPoint } from "./metadata";

export interface SchemeRow {
  scheme: QuantizeScheme;
  /** model.json + shards. */
  bytes: number;
  /** bytes / float32 bytes. */
  sizeRatio: number;
  testAccuracy: number;
  /** Accuracy points (×100) relative to float32. */
  accuracyChangePoints: number;
  /** Largest |p − p_float32| over the test split. */
  maxProbDiff: number;
}

export interface ExportOptions {
  outDir: string;
  scheme: QuantizeScheme;
  /** Crack-like class for the safety-first point (default per dataset; "" = none). */
  critical?: string;
  targetRecall?: number;
  splitCsv?: string;
  reviewMargin?: number;
  backend: string;
  batchSize?: number;
  /** A segmenter is exported beside (DIR/segmenter/). */
  withSegmenter?: boolean;
}

export interface ExportResult {
  metadata: ExportMetadata;
  table: SchemeRow[];
  files: string[];
}

export const PREPROCESSING = [
  "decode the file (JPEG/PNG/BMP …) to 8-bit channels; alpha dropped",
  "resize to the input size: libvips linear reduce, fit fill (aspect ratio not kept); src/lib/export/vips-resize.ts",
  "channels: grey → RGB by replication; RGB → grey by round(0.299 R + 0.587 G + 0.114 B)",
  "scale to [0, 1] (÷ 255), float32, [1, H, W, C] channel-last",
];

function splitOf(ds: Dataset, cfg: TrainedConfig, splitCsv?: string): DatasetSplit {
  if (splitCsv) return readSplitCsv(splitCsv, ds.samples);
  if (cfg.seed === undefined) throw new Error("the run's config.json has no seed: pass --split-csv (outputs/splits/<dataset>_<run>.csv)");
  return splitDataset(ds.samples, { seed: cfg.seed, fractions: cfg.split, stratify: "label" });
}

function accuracy(p: Predictions): number {
  const y = argmaxRows(p.targets);
  const yh = argmaxRows(p.probs);
  return y.length ? y.filter((v, i) => v === yh[i]).length / y.length : NaN;
}

function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

function operatingPoint(val: Predictions, test: Predictions, critical: string, targetRecall: number): ExportOperatingPoint {
  const r = safetyFirst(val, test, critical, targetRecall);
  const c = r.point.criticalClass;
  return {
    critical,
    criticalClass: c,
    targetRecall,
    method: "prior",
    factor: r.point.factor ?? 1,
    reached: r.point.reached,
    valRecallBefore: r.point.recallBefore,
    valRecallAfter: r.point.achievedRecall,
    testRecallBefore: r.testBefore.classes[c].recall,
    testRecallAfter: r.testAfter.classes[c].recall,
  };
}

export async function exportClassifier(model: tf.LayersModel, cfg: TrainedConfig, ds: Dataset, opts: ExportOptions): Promise<ExportResult> {
  const view = classificationViewFor(ds, cfg);
  if (view.classNames.join(",") !== cfg.classNames.join(",")) throw new Error(`the run was trained on classes [${cfg.classNames.join(", ")}] but ${ds.root} has [${view.classNames.join(", ")}]`);
  const split = splitOf(ds, cfg, opts.splitCsv);
  if (split.test.length === 0) throw new Error(`no test images in the split of ${ds.root}`);
  const source = (idx: number[]) => createBatchSource(view, idx, { batchSize: opts.batchSize ?? cfg.batchSize, seed: cfg.seed ?? 0, shuffle: false, cache: "memory" });
  const val = split.val.length ? await predictSource(model, source(split.val), cfg.classNames, "export: val") : undefined;
  const testSource = source(split.test);
  const rows: SchemeRow[] = [];
  let reference: Predictions | undefined;
  let chosen: Awaited<ReturnType<typeof webModelFiles>> | undefined;
  for (const scheme of QUANTIZE_SCHEMES) {
    const files = await webModelFiles(model, scheme);
    const reloaded = await loadWebModel(files);
    const test = await predictSource(reloaded, testSource, cfg.classNames, `export: test (${scheme === "none" ? "float32" : scheme})`);
    reloaded.dispose();
    reference ??= test;
    const bytes = JSON.stringify(files.modelJson).length + files.weightBytes;
    const acc = accuracy(test);
    rows.push({ scheme, bytes, sizeRatio: NaN, testAccuracy: acc, accuracyChangePoints: 100 * (acc - accuracy(reference)), maxProbDiff: maxDiff(test.probs, reference.probs) });
    if (scheme === opts.scheme) chosen = files;
  }
  rows.forEach((r) => (r.sizeRatio = r.bytes / rows[0].bytes));
  const critical = opts.critical ?? DEFAULT_CRITICAL[cfg.dataset] ?? "";
  if (critical && !cfg.classNames.includes(critical)) throw new Error(`--critical ${critical} is not a class of the model (${cfg.classNames.join(", ")})`);
  const point = critical && cfg.mode === "single" && val ? operatingPoint(val, reference!, critical, opts.targetRecall ?? 1) : null;
  const scores = scoreClassification(reference!, cfg.mode);
  const metadata: ExportMetadata = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    kind: "classifier",
    model: cfg.model,
    mode: cfg.mode,
    classNames: cfg.classNames,
    input: { ...cfg.imageSize, channels: cfg.channels, preprocessing: PREPROCESSING, normalization: cfg.inputNormalization ?? "standardize" },
    quantization: opts.scheme,
    operatingPoint: point,
    reviewMargin: opts.reviewMargin ?? 0.2,
    data: { dataset: cfg.dataset, source: ds.source, testImages: split.test.length },
    metrics: { testAccuracy: rows.find((r) => r.scheme === opts.scheme)!.testAccuracy, testMacroF1: scores.summary.macro_f1 },
    backend: opts.backend,
    seed: cfg.seed ?? 0,
    ...(opts.withSegmenter ? { segmenter: "segmenter/" } : {}),
  };
  const out = filesOf(chosen!, metadata);
  writeDirAtomic(opts.outDir, out);
  return { metadata, table: rows, files: Object.keys(out).map((f) => path.join(opts.outDir, f)) };
}

/** A segmentation run folder (best/ checkpoint): the model as a web model, classes from its config when present. */
export async function exportSegmenter(model: tf.LayersModel, runDir: string, opts: { outDir: string; scheme: QuantizeScheme; backend: string; seed: number }): Promise<ExportMetadata> {
  const cfgFile = path.join(runDir, "config.json");
  const cfg = (fs.existsSync(cfgFile) ? JSON.parse(fs.readFileSync(cfgFile, "utf8")) : {}) as Partial<TrainedConfig> & { classNames?: string[] };
  const metricsFile = path.join(runDir, "metrics.json");
  const recorded = (fs.existsSync(metricsFile) ? JSON.parse(fs.readFileSync(metricsFile, "utf8")) : {}) as { dataset?: { source?: "real" | "synthetic" } };
  const shape = model.inputs[0].shape;
  const K = model.outputs[0].shape[3] ?? 1;
  const metadata: ExportMetadata = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    kind: "segmenter",
    model: cfg.model ?? model.name,
    mode: "multi",
    classNames: cfg.classNames?.length === K ? cfg.classNames : Array.from({ length: K }, (_, k) => `class_${k + 1}`),
    input: { height: shape[1] ?? 256, width: shape[2] ?? 1600, channels: (shape[3] ?? 1) as 1 | 3, preprocessing: PREPROCESSING, normalization: cfg.inputNormalization ?? "as trained" },
    quantization: opts.scheme,
    operatingPoint: null,
    reviewMargin: 0,
    data: { dataset: cfg.dataset ?? "severstal", source: recorded.dataset?.source ?? "synthetic", testImages: 0 },
    metrics: { testAccuracy: NaN },
    backend: opts.backend,
    seed: cfg.seed ?? opts.seed,
    maskThreshold: 0.5,
  };
  writeDirAtomic(opts.outDir, filesOf(await webModelFiles(model, opts.scheme), metadata));
  return metadata;
}
