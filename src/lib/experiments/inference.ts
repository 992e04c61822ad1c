/**
 * Using a trained classifier outside training: evaluate it on labelled data, or predict a folder
 * of images into a CSV of per-image class probabilities (the `evaluate` / `predict` commands).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Dataset } from "../data/types";
import { classificationView } from "../data/views";
import { createBatchSource } from "../data/loader";
import { isImageFile, readImage, walkFiles } from "../data/image-io";
import { readSplitCsv } from "../data/splits";
import { ClassificationConfig } from "./classification";
import { evaluateProbabilities, ClassificationEvaluation, predictSource, Predictions } from "./evaluation";
import { confusionMatrixSvg, rocSvg, svgToPng } from "../report/static-charts";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic-write";
import { createProgress } from "../util/progress";

export type TrainedConfig = ClassificationConfig & { classNames: string[]; dataset: string };

export interface EvaluationOutput {
  predictions: Predictions;
  evaluation: ClassificationEvaluation;
  files: Record<string, string>;
}

/** Evaluates on `ds` (all samples, or those of `splitCsv`'s test split), writing metrics + figures to outDir. */
export async function evaluateClassifier(
  model: tf.LayersModel,
  config: TrainedConfig,
  ds: Dataset,
  outDir: string,
  opts: { splitCsv?: string; batchSize?: number } = {},
): Promise<EvaluationOutput> {
  const view = classificationView(ds, { mode: config.mode, imageSize: config.imageSize, channels: config.channels });
  if (view.classNames.join(",") !== config.classNames.join(",")) {
    throw new Error(`the checkpoint was trained on classes [${config.classNames.join(", ")}] but ${ds.root} has [${view.classNames.join(", ")}]`);
  }
  const indices = opts.splitCsv ? readSplitCsv(opts.splitCsv, ds.samples).test : ds.samples.map((_, i) => i);
  if (indices.length === 0) throw new Error(`no samples to evaluate in ${ds.root}${opts.splitCsv ? ` (test split of ${opts.splitCsv})` : ""}`);
  const source = createBatchSource(view, indices, { batchSize: opts.batchSize ?? config.batchSize, seed: 0, shuffle: false });
  const predictions = await predictSource(model, source, view.classNames, "evaluate");
  const evaluation = evaluateProbabilities(predictions, config.mode);
  fs.mkdirSync(outDir, { recursive: true });
  const files: Record<string, string> = { metrics: path.join(outDir, "metrics.json"), rocPng: path.join(outDir, "roc.png") };
  writeJsonAtomic(files.metrics, { dataset: ds.root, samples: indices.length, summary: evaluation.summary, report: evaluation.report.rows, confusion: evaluation.confusion });
  writeFileAtomic(files.rocPng, await svgToPng(rocSvg(evaluation.roc)));
  if (evaluation.confusion) {
    files.confusionPng = path.join(outDir, "confusion_matrix.png");
    writeFileAtomic(files.confusionPng, await svgToPng(confusionMatrixSvg(evaluation.confusion, view.classNames)));
  }
  return { predictions, evaluation, files };
}

export interface FolderPrediction {
  file: string;
  probs: number[];
  predicted: string;
}

/** Predicts every image under `folder` (recursively, sorted); unreadable files are errors naming them. */
export async function predictFolder(model: tf.LayersModel, config: TrainedConfig, folder: string, batchSize = 16): Promise<FolderPrediction[]> {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new Error(`--images ${folder} is not a folder`);
  const files = walkFiles(folder).filter(isImageFile).sort();
  if (files.length === 0) throw new Error(`no image files (.jpg .png .bmp …) under ${folder}`);
  const out: FolderPrediction[] = [];
  const progress = createProgress({ total: files.length, label: "predict" });
  for (let i = 0; i < files.length; i += batchSize) {
    const chunk = files.slice(i, i + batchSize);
    const imgs = await Promise.all(chunk.map((f) => readImage(f, { channels: config.channels, ...config.imageSize })));
    const probs = tf.tidy(() => {
      const x = tf.stack(imgs.map((im) => tf.tensor3d(im.data, [im.height, im.width, im.channels]))) as tf.Tensor4D;
      return model.apply(x, { training: false }) as tf.Tensor;
    });
    const rows = (await probs.array()) as number[][];
    probs.dispose();
    rows.forEach((p, k) => {
      const best = config.mode === "multi" ? p.map((v, j) => (v >= 0.5 ? config.classNames[j] : "")).filter(Boolean).join("+") || "none" : config.classNames[p.indexOf(Math.max(...p))];
      out.push({ file: path.relative(folder, chunk[k]), probs: p, predicted: best });
    });
    progress.tick(chunk.length);
  }
  progress.done();
  return out;
}

export function predictionsCsv(rows: FolderPrediction[], classNames: string[]): string {
  const header = ["image", ...classNames.map((c) => `p_${c}`), "predicted"].join(",");
  const lines = rows.map((r) => [r.file.includes(",") ? `"${r.file}"` : r.file, ...r.probs.map((p) => p.toFixed(6)), r.predicted].join(","));
  return [header, ...lines].join("\n") + "\n";
}
