/**
 * Stitched inference: a full image (Severstal 256×1600) is cut into model-sized tiles on the grid
 * of data/tiles.ts (overlap allowed, the last tile flush with the edge), the tiles are predicted
 * in batches, and the per-tile maps are stitched back with overlaps averaged. Optional flip TTA
 * averages the prediction of each tile with the un-flipped prediction of its flipped copy.
 *
 * Shapes: image [H, W, Cin] (ImageData32); tiles [b, th, tw, Cin] → predictions [b, th, tw, K];
 * the result [H, W, K] Float32Array.
 */
import * as tf from "@tensorflow/tfjs";
import { extractTiles, stitchTiles } from "../data/tiles";
import type { ImageData32 } from "../data/types";

/** A model, or any function mapping a tile batch [b, th, tw, Cin] to [b, th, tw, K]. */
export type TilePredictor = tf.LayersModel | ((x: tf.Tensor4D) => tf.Tensor4D);

export interface FlipTta {
  horizontal?: boolean;
  vertical?: boolean;
}

export interface StitchedPredictOptions {
  /** Tile size; default the model's fixed input size, else 256×256. */
  tileHeight?: number;
  tileWidth?: number;
  /** Minimum overlap between neighbouring tiles (pixels); default 0 (only the edge tile overlaps). */
  minOverlap?: number;
  /** Tiles per forward pass; default 8. */
  batchSize?: number;
  tta?: FlipTta;
}

function runPredictor(p: TilePredictor, x: tf.Tensor4D): tf.Tensor4D {
  if (typeof p === "function") return p(x);
  return p.predict(x) as tf.Tensor4D;
}

/** Prediction of a tile batch with flip TTA: the mean over the identity and each enabled flip. */
export function predictTilesTta(p: TilePredictor, x: tf.Tensor4D, tta: FlipTta = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const outs = [runPredictor(p, x)];
    if (tta.horizontal) outs.push(tf.reverse(runPredictor(p, tf.reverse(x, 2)), 2));
    if (tta.vertical) outs.push(tf.reverse(runPredictor(p, tf.reverse(x, 1)), 1));
    return (outs.length === 1 ? outs[0] : tf.div(tf.addN(outs), outs.length)) as tf.Tensor4D;
  });
}

/** Fixed [h, w, c] input of a LayersModel (undefined entries when not fixed). */
function modelInputShape(p: TilePredictor): (number | undefined)[] | undefined {
  if (typeof p === "function") return undefined;
  return p.inputs[0].shape.slice(1).map((d) => (d === null ? undefined : d));
}

/** Predicts a full image by tiles; returns [H, W, K] with overlaps averaged. */
export async function predictStitched(p: TilePredictor, image: ImageData32, opts: StitchedPredictOptions = {}): Promise<Float32Array> {
  const fixed = modelInputShape(p);
  const th = opts.tileHeight ?? fixed?.[0] ?? 256;
  const tw = opts.tileWidth ?? fixed?.[1] ?? 256;
  if (fixed && ((fixed[0] !== undefined && fixed[0] !== th) || (fixed[1] !== undefined && fixed[1] !== tw))) {
    throw new Error(`predictStitched: tiles of ${th}×${tw} but the model takes ${fixed[0]}×${fixed[1]}`);
  }
  if (fixed?.[2] !== undefined && fixed[2] !== image.channels) {
    throw new Error(`predictStitched: the image has ${image.channels} channels but the model takes ${fixed[2]}`);
  }
  const batchSize = opts.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`predictStitched: batchSize must be an integer ≥ 1, got ${batchSize}`);
  const { tiles, offsets } = extractTiles(image, th, tw, opts.minOverlap ?? 0);
  const preds: Float32Array[] = [];
  let K = 0;
  const tileLen = th * tw * image.channels;
  for (let b = 0; b < tiles.length; b += batchSize) {
    const group = tiles.slice(b, b + batchSize);
    const buf = new Float32Array(group.length * tileLen);
    group.forEach((t, i) => buf.set(t.data, i * tileLen));
    const x = tf.tensor4d(buf, [group.length, th, tw, image.channels]);
    let y: tf.Tensor4D | undefined;
    try {
      y = predictTilesTta(p, x, opts.tta);
      if (y.shape[1] !== th || y.shape[2] !== tw) throw new Error(`predictStitched: the model maps ${th}×${tw} tiles to ${y.shape[1]}×${y.shape[2]}`);
      K = y.shape[3];
      const data = (await y.data()) as Float32Array;
      const per = th * tw * K;
      for (let i = 0; i < group.length; i++) preds.push(data.subarray(i * per, (i + 1) * per));
    } finally {
      x.dispose();
      y?.dispose();
    }
  }
  return stitchTiles(preds, offsets, image.height, image.width, K, th, tw);
}
