/**
 * Using a trained classifier outside training: evaluate it on labelled data (the runner's
 * evaluate + artefacts stages, no training), or predict a folder of images into a CSV of
 * per-image class probabilities (the `evaluate` / `predict` commands).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { stringify } from "csv-stringify/sync";
import { Dataset } from "../data/types";
import { isImageFile, readImage, walkFiles } from "../data/image-io";
import type { ImageData32 } from "../data/types";
import type { Workspace } from "../runtime/workspace";
import { evaluateTrained } from "../runner/runner";
import { classificationEvaluationData, classificationTask, ClassificationEvaluation } from "../runner/tasks/classification";
import type { TrainedConfig } from "../runner/tasks/classification-config";
import type { Predictions } from "../metrics/classification-scores";
import { writeJsonAtomic } from "../util/atomic-write";
import { createProgress } from "../util/progress";

export interface EvaluationOutput {
  predictions: Predictions;
  evaluation: ClassificationEvaluation;
  files: Record<string, string>;
}

/** Evaluates a checkpoint on `ds` (all samples, or the test split of `splitCsv`), writing metrics + figures to outDir. */
export async function evaluateCheckpoint(
  ws: Workspace,
  model: tf.LayersModel,
  config: TrainedConfig,
  ds: Dataset,
  outDir: string,
  opts: { splitCsv?: string; batchSize?: number } = {},
): Promise<EvaluationOutput> {
  const data = classificationEvaluationData(ds, config, opts);
  const task = classificationTask(config, { evalBatchSize: opts.batchSize, label: "evaluate" });
  const ctx = { ws, ds, seed: ws.config.seed, outDir: path.resolve(outDir) };
  const { evaluation, files } = await evaluateTrained(ctx, task, model, data);
  const s = evaluation.scores;
  files.metrics = path.join(ctx.outDir, "metrics.json");
  writeJsonAtomic(files.metrics, { dataset: ds.root, samples: data.split.test.length, summary: s.summary, report: s.report.rows, confusion: s.confusion });
  return { predictions: evaluation.test, evaluation, files };
}

export interface FolderPrediction {
  file: string;
  probs: number[];
  predicted: string;
  /** Set when the file could not be read: probs is empty and predicted "". */
  error?: string;
}

/**
 * Predicts every image under `folder` (recursively, sorted). A file that cannot be read becomes
 * an error row (and `onError` is told) instead of stopping the others.
 */
export async function predictFolder(
  model: tf.LayersModel,
  config: TrainedConfig,
  folder: string,
  batchSize = 16,
  onError: (file: string, message: string) => void = () => undefined,
): Promise<FolderPrediction[]> {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new Error(`--images ${folder} is not a folder`);
  const files = walkFiles(folder).filter(isImageFile).sort();
  if (files.length === 0) throw new Error(`no image files (.jpg .png .bmp …) under ${folder}`);
  const out: FolderPrediction[] = [];
  const progress = createProgress({ total: files.length, label: "predict" });
  for (let i = 0; i < files.length; i += batchSize) {
    const chunk = files.slice(i, i + batchSize);
    const read = await Promise.all(
      chunk.map((f) => readImage(f, { channels: config.channels, ...config.imageSize }).then((im): ImageData32 | Error => im, (e: Error) => e)),
    );
    const good = read.map((r, k) => ({ r, k })).filter((x): x is { r: ImageData32; k: number } => !(x.r instanceof Error));
    const rows = good.length ? await predictImages(model, good.map((g) => g.r)) : [];
    read.forEach((r, k) => {
      const file = path.relative(folder, chunk[k]);
      if (r instanceof Error) {
        out.push({ file, probs: [], predicted: "", error: r.message });
        onError(chunk[k], r.message);
        return;
      }
      const p = rows[good.findIndex((g) => g.k === k)];
      out.push({ file, probs: p, predicted: decide(p, config) });
    });
    progress.tick(chunk.length);
  }
  progress.done();
  return out;
}

/** images [N] of H×W×C → probabilities [N][K]. */
async function predictImages(model: tf.LayersModel, imgs: ImageData32[]): Promise<number[][]> {
  const probs = tf.tidy(() => {
    const x = tf.stack(imgs.map((im) => tf.tensor3d(im.data, [im.height, im.width, im.channels]))) as tf.Tensor4D;
    return model.apply(x, { training: false }) as tf.Tensor;
  });
  const rows = (await probs.array()) as number[][];
  probs.dispose();
  return rows;
}

function decide(p: number[], config: TrainedConfig): string {
  if (config.mode === "multi") return p.map((v, j) => (v >= 0.5 ? config.classNames[j] : "")).filter(Boolean).join("+") || "none";
  return config.classNames[p.indexOf(Math.max(...p))];
}

/** CSV: image, p_<class>…, predicted, error (empty for good rows). */
export function predictionsCsv(rows: FolderPrediction[], classNames: string[]): string {
  const header = ["image", ...classNames.map((c) => `p_${c}`), "predicted", "error"];
  const body = rows.map((r) => [r.file, ...(r.error ? classNames.map(() => "") : r.probs.map((p) => p.toFixed(6))), r.predicted, r.error ?? ""]);
  return stringify([header, ...body]);
}
