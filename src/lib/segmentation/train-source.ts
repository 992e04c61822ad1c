/**
 * Training tiles for segmentation: 256×256 crops of the full images (random, or biased towards
 * defect pixels with probability `defectProb`) as a BatchSource streamed by the project loader.
 * Masks are decoded per sample from the RLE strings as u8 (segmentationView), cropped and
 * augmented with the image (mask-aware transforms of data/augment), and only the batch being
 * built is ever float32 — the data set's masks are never held in memory.
 *
 * Batches: x [b, tile, tile, C] float32, y [b, tile, tile, 4] (0/1).
 */
import { createBatchSource, type LoaderSource } from "../data/loader";
import type { Transform } from "../data/augment/types";
import type { Dataset, ValidationMode } from "../data/types";
import type { WeightedSampler } from "../data/sampler";
import { segmentationView, type ImageSize } from "../data/views";

export interface TileSourceOptions {
  batchSize: number;
  seed: number;
  /** Crop side (square); default 256. */
  tile?: number;
  /** "random" (uniform) or "defect" (biased); default "defect". */
  cropMode?: "random" | "defect";
  /** Probability that a "defect" crop is centred on a defect pixel; default 0.7. */
  defectProb?: number;
  augment?: Transform;
  channels?: 1 | 3;
  prefetch?: number;
  mode?: ValidationMode;
  /** Decode every frame at this size before cropping (a run's inputScale); default the file's size. */
  imageSize?: ImageSize;
  /** Which images each epoch draws (positions into `indices`), e.g. a fixed number of tiles per epoch. */
  sampler?: WeightedSampler;
}

/** A streaming source of training crops over `indices` of `ds`. */
export function segmentationTileSource(ds: Dataset, indices: readonly number[], o: TileSourceOptions): LoaderSource {
  const tile = o.tile ?? 256;
  const defectProb = o.defectProb ?? 0.7;
  if (!Number.isInteger(tile) || tile < 32 || tile % 32 !== 0) throw new Error(`segmentationTileSource: tile must be a multiple of 32 (U-Net), got ${tile}`);
  if (!(defectProb >= 0 && defectProb <= 1)) throw new Error(`segmentationTileSource: defectProb must be in [0, 1], got ${defectProb}`);
  const view = segmentationView(ds, { channels: o.channels ?? 1, imageSize: o.imageSize, crop: { height: tile, width: tile, mode: o.cropMode ?? "defect", defectProb } });
  return createBatchSource(view, indices, {
    batchSize: o.batchSize,
    seed: o.seed,
    augment: o.augment,
    prefetch: o.prefetch,
    mode: o.mode,
    sampler: o.sampler,
    shuffle: true,
  });
}
