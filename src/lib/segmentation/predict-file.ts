/**
 * One image file → probabilities [H, W, K] at the file's full size. With `inputScale` < 1 the
 * frame is decoded downscaled (the size the model was trained at, e.g. 128×800 for 256×1600 at
 * 0.5), predicted by tiles, and the maps are resized back bilinearly: a quarter of the pixels
 * through the network at 0.5, and masks still scored and encoded at full resolution.
 */
import { readImage } from "../data/image-io";
import type { ImageData32 } from "../data/types";
import { predictStitched, type StitchedPredictOptions, type TilePredictor } from "./predict";
import { resizeProbabilities, scaledSize } from "./upsample";

export interface FilePredictOptions extends StitchedPredictOptions {
  channels: 1 | 3;
  /** Model input scale of the full frame (default 1). */
  inputScale?: number;
  /** Reject a file of another size (before any prediction). */
  sizeCheck?: { height: number; width: number };
}

/** `image`: the decoded full-size frame (for callers that draw overlays or check the size). */
export async function predictImageFile(p: TilePredictor, file: string, o: FilePredictOptions): Promise<{ prob: Float32Array; height: number; width: number; image: ImageData32 }> {
  const image = await readImage(file, { channels: o.channels });
  const want = o.sizeCheck;
  if (want && (image.height !== want.height || image.width !== want.width)) throw new Error(`image is ${image.height}×${image.width}, expected ${want.height}×${want.width}`);
  const scale = o.inputScale ?? 1;
  if (scale === 1) return { prob: await predictStitched(p, image, o), height: image.height, width: image.width, image };
  const size = scaledSize(image.height, image.width, scale);
  const small = await readImage(file, { channels: o.channels, ...size });
  const prob = await predictStitched(p, small, o);
  const K = prob.length / (size.height * size.width);
  return { prob: resizeProbabilities(prob, size.height, size.width, K, image.height, image.width), height: image.height, width: image.width, image };
}
