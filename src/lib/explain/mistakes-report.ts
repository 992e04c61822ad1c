/**
 * The write-up's high-confidence-mistakes figure for labelled images: predict, take the top-k
 * wrong by confidence, CAM each for its predicted and its true class, write the gallery PNG; and
 * `gradcam.png`, the first images of every class with the CAM of their true class.
 */
import * as tf from "@tensorflow/tfjs";
import { Predictions } from "../metrics/classification-scores";
import { writeFileAtomic } from "../util/atomic-write";
import { LabelledImage } from "./evaluate";
import { createCam } from "./methods/index";
import { highConfidenceMistakes, Mistake, mistakeConfusion, MistakePair, mistakesGalleryPng } from "./mistakes";
import { classLogit } from "./targets";
import { galleryPng } from "./gallery";
import { camOverlay } from "./overlay";

/** Probabilities of every image (batches of 32), as `Predictions` with one-hot targets. */
export async function predictLabelled(model: tf.LayersModel, items: readonly LabelledImage[], classNames: readonly string[]): Promise<Predictions> {
  const out: Predictions = { ids: [], classNames: [...classNames], probs: [], targets: [] };
  for (let i = 0; i < items.length; i += 32) {
    const chunk = items.slice(i, i + 32);
    const p = tf.tidy(() => model.apply(tf.stack(chunk.map((it) => tf.tensor3d(it.image.data, [it.image.height, it.image.width, it.image.channels]))), { training: false }) as tf.Tensor);
    out.probs.push(...((await p.array()) as number[][]));
    p.dispose();
    for (const it of chunk) {
      out.ids.push(it.id);
      out.targets.push(classNames.map((_, k) => (k === it.label ? 1 : 0)));
    }
  }
  return out;
}

export async function writeMistakesGallery(
  model: tf.LayersModel,
  items: readonly LabelledImage[],
  classNames: readonly string[],
  file: string,
  opts: { k?: number; method?: string; layer?: string; tile?: number; tileHeight?: number } = {},
): Promise<{ mistakes: Mistake[]; confusion: MistakePair[]; file?: string }> {
  const pred = await predictLabelled(model, items, classNames);
  const mistakes = highConfidenceMistakes(pred, opts.k ?? 20);
  const confusion = mistakeConfusion(mistakes, classNames);
  if (mistakes.length === 0) return { mistakes, confusion };
  const cam = createCam(opts.method ?? "gradcam", model, { layer: opts.layer });
  const gallery = [];
  for (const m of mistakes) {
    const img = items[m.index].image;
    // The same image twice: one CAM per class in one batched call.
    const x = tf.tidy(() => tf.tile(tf.tensor4d(img.data, [1, img.height, img.width, img.channels]), [2, 1, 1, 1]) as tf.Tensor4D);
    const maps = cam.compute(x, classLogit([m.predictedClass, m.trueClass]));
    const d = (await maps.data()) as Float32Array;
    tf.dispose([x, maps]);
    const n = img.height * img.width;
    gallery.push({ mistake: m, image: img, camPredicted: d.slice(0, n), camTrue: d.slice(n) });
  }
  writeFileAtomic(file, await mistakesGalleryPng(gallery, classNames, { tile: opts.tile, tileHeight: opts.tileHeight }));
  return { mistakes, confusion, file };
}

/** `gradcam.png`: per class the first `perClass` images, image | CAM overlay of the true class. */
export async function writeCamFigure(model: tf.LayersModel, items: readonly LabelledImage[], classNames: readonly string[], file: string, opts: { perClass?: number; method?: string; layer?: string; tile?: number; tileHeight?: number } = {}): Promise<string> {
  const cam = createCam(opts.method ?? "gradcam", model, { layer: opts.layer });
  const picked = classNames.flatMap((_, k) => items.filter((it) => it.label === k).slice(0, opts.perClass ?? 2));
  const rows = [];
  for (const it of picked) {
    const x = tf.tensor4d(it.image.data, [1, it.image.height, it.image.width, it.image.channels]);
    const maps = cam.compute(x, classLogit(it.label));
    const d = (await maps.data()) as Float32Array;
    tf.dispose([x, maps]);
    rows.push({ caption: [`${it.id} (${classNames[it.label]}): ${cam.name}`], tiles: [it.image, camOverlay(it.image, d)] });
  }
  writeFileAtomic(file, await galleryPng(rows, { tile: opts.tile, tileHeight: opts.tileHeight }));
  return file;
}
