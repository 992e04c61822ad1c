/**
 * CAMs of a segmentation model (notebook 05's U-Net): the target is one class's output summed
 * over the model's own predicted mask of that class (`segmentationClass`), explained at the
 * encoder's deepest layer (the 4-D layer with the smallest spatial size: a U-Net's last 4-D
 * layer is its output, whose "CAM" would be the prediction itself).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { decodeRle } from "../data/rle";
import { readImage } from "../data/image-io";
import { readSplitCsv } from "../data/splits";
import type { Dataset, ImageData32 } from "../data/types";
import { resizeMaskNearest } from "../data/views";
import type { Workspace } from "../runtime/workspace";
import { loadModel } from "../train/checkpoint";
import { writeFileAtomic } from "../util/atomic-write";
import { galleryPng, GalleryRow } from "./gallery";
import { createCam } from "./methods/index";
import { camGrey, camOverlay } from "./overlay";
import { segmentationClass } from "./targets";

export interface SegmentationExplanation {
  run: string;
  layer: string;
  methods: string[];
  images: { id: string; classIndex: number; predictedPixels: number }[];
  png: Buffer;
  file: string;
}

/** The deepest layer of an encoder-decoder: smallest h·w among 4-D outputs, the last such layer. */
export function bottleneckLayer(model: tf.LayersModel): string {
  let best: { name: string; area: number } | undefined;
  for (const l of model.layers) {
    const s = l.outputShape;
    if (Array.isArray(s[0]) || (s as tf.Shape).length !== 4 || l.getClassName() === "InputLayer" || l.inboundNodes.length !== 1) continue;
    const [, h, w] = s as number[];
    const area = (h ?? Infinity) * (w ?? Infinity);
    if (!best || area <= best.area) best = { name: l.name, area };
  }
  if (!best) throw new Error(`model ${model.name} has no 4-D layer to explain`);
  return best.name;
}

/** The output channel of a class: 4 channels = defects 1..4 (sigmoid); K+1 = with background (softmax). */
function outputChannel(label: number, K: number): number {
  return K === 1 ? 0 : Math.max(0, Math.min(K - 1, K >= 5 ? label : label - 1));
}

/**
 * Per image and method, the CAM [H·W] of `classes[i]` summed over its predicted mask (p > 0.5
 * for sigmoid outputs, argmax otherwise), and that mask's pixel count.
 */
export async function segmentationCams(model: tf.LayersModel, images: readonly ImageData32[], classes: readonly number[], methods: readonly string[], layer = bottleneckLayer(model)): Promise<{ maps: Float32Array[][]; masks: Uint8Array[] }> {
  const { height: H, width: W, channels: C } = images[0];
  const x = tf.tensor4d(Float32Array.from(images.flatMap((im) => Array.from(im.data))), [images.length, H, W, C]);
  const masksT = tf.tidy(() => {
    const y = model.apply(x, { training: false }) as tf.Tensor4D;
    const K = y.shape[3];
    const sigmoid = (model.layers[model.layers.length - 1].getConfig().activation as string | undefined) !== "softmax";
    return tf.stack(
      classes.map((c, i) => {
        const yi = tf.slice(y, [i, 0, 0, 0], [1, -1, -1, -1]);
        const m = sigmoid ? tf.greater(tf.slice(yi, [0, 0, 0, c], [1, -1, -1, 1]), 0.5) : tf.equal(tf.argMax(yi, 3).expandDims(3), c);
        return tf.reshape(tf.cast(m, "float32"), [H, W]);
      }),
    ) as tf.Tensor3D;
  });
  const masks = (await masksT.data()) as Float32Array;
  const maps: Float32Array[][] = [];
  for (const m of methods) {
    const cam = createCam(m, model, { layer });
    const per: Float32Array[] = [];
    // One image at a time: each has its own class and mask (the target sums over that mask).
    for (let i = 0; i < images.length; i++) {
      const t = tf.tidy(() => cam.compute(tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D, segmentationClass(classes[i], tf.slice(masksT, [i, 0, 0], [1, -1, -1]) as tf.Tensor3D)));
      per.push((await t.data()) as Float32Array);
      t.dispose();
    }
    maps.push(per);
  }
  tf.dispose([x, masksT]);
  return { maps, masks: images.map((_, i) => Uint8Array.from(masks.subarray(i * H * W, (i + 1) * H * W))) };
}

/** Notebook 05's checkpoint on a few defect images of its test split (or of the dataset): a figure under outputs/explain/<run>/. */
export async function explainSegmenter(ws: Workspace, ds: Dataset, runDir: string, o: { methods: string[]; examples: number; layer?: string }): Promise<SegmentationExplanation> {
  const run = path.basename(runDir);
  const model = await loadModel(path.join(runDir, "best"));
  const [, h, w, c] = model.inputs[0].shape;
  const cfgFile = path.join(runDir, "config.json");
  const cfg = fs.existsSync(cfgFile) ? (JSON.parse(fs.readFileSync(cfgFile, "utf8")) as { imageSize?: { height: number; width: number } }) : {};
  const size = h && w ? { height: h, width: w } : cfg.imageSize;
  if (!size) throw new Error(`${run}: the model's input size is not fixed and config.json names no imageSize`);
  const splitCsv = path.join(ws.paths.splits, `${ds.name}_${run}.csv`);
  const pool = fs.existsSync(splitCsv) ? readSplitCsv(splitCsv, ds.samples).test : ds.samples.map((_, i) => i);
  const picked = pool.filter((i) => ds.samples[i].label > 0).slice(0, o.examples);
  if (picked.length === 0) throw new Error(`${run}: no defect images to explain`);
  const images = await Promise.all(picked.map((i) => readImage(ds.samples[i].path, { channels: (c ?? 1) as 1 | 3, ...size })));
  const K = model.outputs[0].shape[3] as number;
  const classes = picked.map((i) => outputChannel(ds.samples[i].label, K));
  const layer = o.layer ?? bottleneckLayer(model);
  const { maps, masks } = await segmentationCams(model, images, classes, o.methods, layer);
  model.dispose();
  const rows: GalleryRow[] = picked.map((idx, i) => {
    const s = ds.samples[idx];
    const rle = s.rle?.[s.label - 1] ?? "";
    const truth = resizeMaskNearest(decodeRle(rle, s.height, s.width), s.height, s.width, 1, size.height, size.width);
    const pixels = masks[i].reduce((a, v) => a + v, 0);
    return {
      caption: [`${s.id}: class_${s.label} (output ${classes[i]}), predicted mask ${pixels} px; tiles: image | true mask | predicted mask | ${o.methods.join(" | ")}`],
      tiles: [images[i], camGrey(truth, size.height, size.width), camGrey(masks[i], size.height, size.width), ...maps.map((m) => camOverlay(images[i], m[i]))],
    };
  });
  const png = await galleryPng(rows, { tile: 160 });
  const file = path.join(ws.paths.outputs, "explain", run, "cams_side_by_side.png");
  writeFileAtomic(file, png);
  return { run, layer, methods: o.methods, images: picked.map((i, k) => ({ id: ds.samples[i].id, classIndex: classes[k], predictedPixels: masks[k].reduce((a, v) => a + v, 0) })), png, file };
}
