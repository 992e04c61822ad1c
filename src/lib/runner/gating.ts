/**
 * Classifier gating: a trained image classifier (the classification track's run folder) gives
 * each image a presence probability per defect class [4], and post-processing keeps a class mask
 * only when that probability reaches the class's gate. A multi-label run (`--mode multi`, sigmoid
 * per class) gives presence directly; a single-label run (softmax over OK + 4, as notebook 04
 * trains) gives the probability of that class — a weaker signal for the few images with two
 * classes, but the same switch.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { readImage } from "../data/image-io";
import { SEVERSTAL_CLASS_NAMES } from "../data/severstal";
import { loadClassifier } from "./load-classifier";
import type { TrainedConfig } from "./tasks/classification-config";
import { createProgress, silentProgress } from "../util/progress";

export interface PresenceClassifier {
  runDir: string;
  model: tf.LayersModel;
  config: TrainedConfig;
  /** Output index of each of the 4 defect classes. */
  outputOf: number[];
}

/** Loads a classification run folder as a gate; a clear error for a segmentation run or unknown class names. */
export async function loadPresenceClassifier(runDir: string): Promise<PresenceClassifier> {
  const configFile = path.join(runDir, "config.json");
  if (fs.existsSync(configFile) && (JSON.parse(fs.readFileSync(configFile, "utf8")) as { task?: string }).task === "segmentation") {
    throw new Error(`--gate ${runDir} is a segmentation run; gating needs a classifier run folder (notebook 04, or 'train --mode multi')`);
  }
  const { model, config } = await loadClassifier(runDir);
  const names = config.classNames;
  const outputOf = [0, 1, 2, 3].map((c) => {
    const k = names.indexOf(SEVERSTAL_CLASS_NAMES[c + 1]);
    return k >= 0 ? k : names.length === 4 ? c : -1;
  });
  if (outputOf.includes(-1)) {
    model.dispose();
    throw new Error(`${configFile}: classes ${names.join(", ")} are not the 4 Severstal defect classes (${SEVERSTAL_CLASS_NAMES.slice(1).join(", ")}); gate with a Severstal classifier`);
  }
  return { runDir, model, config, outputOf };
}

/** Presence probabilities [N][4] of image files, in batches, at the classifier's input size. */
export async function presenceOf(gate: PresenceClassifier, files: readonly string[], opts: { batchSize?: number; label?: string | false } = {}): Promise<number[][]> {
  const { config, model, outputOf } = gate;
  const batchSize = opts.batchSize ?? 16;
  const bar = opts.label === false ? silentProgress : createProgress({ total: files.length, label: opts.label ?? "classifier presence" });
  const out: number[][] = [];
  for (let b = 0; b < files.length; b += batchSize) {
    const imgs = await Promise.all(files.slice(b, b + batchSize).map((f) => readImage(f, { channels: config.channels, ...config.imageSize })));
    const probs = tf.tidy(() => {
      const x = tf.stack(imgs.map((im) => tf.tensor3d(im.data, [im.height, im.width, im.channels])));
      return model.predict(x) as tf.Tensor;
    });
    const rows = (await probs.array()) as number[][];
    probs.dispose();
    for (const r of rows) out.push(outputOf.map((k) => r[k]));
    bar.tick(imgs.length);
  }
  bar.done();
  return out;
}
