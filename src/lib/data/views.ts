/**
 * Dataset views: from a `Dataset` (any loader, real or synthetic) to what a model eats. A view
 * knows its class names, input shape and how to turn sample i into {x, y}:
 *
 *   classificationView(ds, {mode: "single"})  y one-hot [K], K = classNames.length
 *                                             (Severstal: OK + 4 defect classes → [5]; NEU [6]; GC10 [10])
 *   classificationView(ds, {mode: "multi"})   y multi-hot [K'] from Sample.labels (Severstal [4])
 *   classificationView(ds, {mode: "binary", positive: "inclusion"})
 *                                             y one-hot [2], classNames ["no_inclusion", "inclusion"]
 *   segmentationView(ds, {crop?})             y mask [H, W, 4] decoded from Sample.rle, optionally
 *                                             cropped (random or defect-biased) for training
 *
 * Reading is split in two so the loader can cache and prefetch: `loadImage` (async decode +
 * resize, the cacheable part; sharp runs it off the main thread) and `makeItem` (sync: targets,
 * crop, augmentation — never mutates the decoded image).
 */
import type { Rng } from "../util/rng";
import { createRng } from "../util/rng";
import { readImage, type ReadImageOptions } from "./image-io";
import { decodeMasks } from "./rle";
import { DataError, type Dataset, type DatasetName, type ImageData32, type Sample } from "./types";
import { chooseCrop, crop } from "./augment/crop";
import type { AugSample, Transform } from "./augment/types";

export type ImageReader = (file: string, opts: ReadImageOptions) => Promise<ImageData32>;

export interface ImageSize {
  height: number;
  width: number;
}

/** One model input: x [H, W, C] in the image layout, y flat with shape `yShape`. */
export interface ViewItem {
  x: ImageData32;
  y: Float32Array;
  /** Per-sample y shape: [K] for classification, [H, W, K] for segmentation. */
  yShape: number[];
}

export interface MakeItemOptions {
  /** Randomness for crops and augmentation (the loader seeds one per epoch + sample). */
  rng?: Rng;
  augment?: Transform;
}

export type ViewMode = "single" | "multi" | "binary" | "mask";

export interface DatasetView {
  task: "classification" | "segmentation";
  mode: ViewMode;
  dataset: DatasetName;
  source: Dataset["source"];
  /** Output class names: index k = y[k] (classification) or mask channel k (segmentation). */
  classNames: string[];
  samples: readonly Sample[];
  size: number;
  /** Decode size (undefined = each file's own size) and channels used by `loadImage` by default. */
  imageSize?: ImageSize;
  channels: 1 | 3;
  /** [H, W, C] of x from `read` with the default size (after any crop); 0 where unknown. */
  inputShape: [number, number, number];
  /** Per-sample single label for stratified splits and the balanced sampler. */
  labelOf(index: number): number;
  /** Decodes (and resizes) sample `index`; DataError naming the file on failure. */
  loadImage(index: number, size?: ImageSize, channels?: 1 | 3): Promise<ImageData32>;
  /** Targets, crop and augmentation for a decoded image (sync; does not modify `image`). */
  makeItem(index: number, image: ImageData32, opts?: MakeItemOptions): ViewItem;
  /** loadImage + makeItem. */
  read(index: number, opts?: MakeItemOptions & { size?: ImageSize; channels?: 1 | 3 }): Promise<ViewItem>;
}

export interface ViewOptions {
  /** Resize every image to this size (bilinear); default: keep each file's size. */
  imageSize?: ImageSize;
  /** Default 1: all three datasets are grey (RGB files carry R = G = B). */
  channels?: 1 | 3;
  /** Decoder; default image-io's `readImage` (tests and synthetic sources may inject one). */
  reader?: ImageReader;
}

function baseView(
  ds: Dataset,
  options: ViewOptions,
  spec: {
    task: DatasetView["task"];
    mode: ViewMode;
    classNames: string[];
    labelOf(i: number): number;
    outShape(size: ImageSize): ImageSize;
    makeItem(index: number, image: ImageData32, opts: MakeItemOptions): ViewItem;
  },
): DatasetView {
  const reader = options.reader ?? readImage;
  const channels = options.channels ?? 1;
  const first = ds.samples[0];
  const native: ImageSize = options.imageSize ?? { height: first?.height ?? 0, width: first?.width ?? 0 };
  const out = spec.outShape(native);
  const view: DatasetView = {
    task: spec.task,
    mode: spec.mode,
    dataset: ds.name,
    source: ds.source,
    classNames: spec.classNames,
    samples: ds.samples,
    size: ds.samples.length,
    imageSize: options.imageSize,
    channels,
    inputShape: [out.height, out.width, channels],
    labelOf: spec.labelOf,
    async loadImage(index, size = options.imageSize, ch = channels) {
      const s = sampleAt(ds, index);
      try {
        return await reader(s.path, { channels: ch, height: size?.height, width: size?.width });
      } catch (err) {
        if (err instanceof DataError) throw err;
        throw new DataError(`cannot read image ${s.path} (sample ${s.id}): ${(err as Error).message}`, s.path, undefined, s.id);
      }
    },
    makeItem: (index, image, opts = {}) => spec.makeItem(index, image, opts),
    async read(index, opts = {}) {
      const image = await view.loadImage(index, opts.size, opts.channels);
      return view.makeItem(index, image, opts);
    },
  };
  return view;
}

function sampleAt(ds: Dataset, index: number): Sample {
  const s = ds.samples[index];
  if (!s) throw new RangeError(`sample index ${index} is out of range 0..${ds.samples.length - 1} of ${ds.name}`);
  return s;
}

/**
 * Names of the presence vector `Sample.labels`: all classNames, or all but the first when the
 * first is the "no defect" class that has no presence entry (Severstal: OK + 4 → 4).
 */
export function presenceClassNames(ds: Dataset): string[] {
  const len = ds.samples[0]?.labels.length ?? ds.classNames.length;
  if (len === ds.classNames.length) return [...ds.classNames];
  if (len === ds.classNames.length - 1) return ds.classNames.slice(1);
  throw new DataError(
    `${ds.name}: Sample.labels has ${len} entries but there are ${ds.classNames.length} class names; ` +
      `expected one per class (or one fewer, without the no-defect class)`,
    ds.root,
  );
}

function augmentOnly(image: ImageData32, opts: MakeItemOptions, index: number): ImageData32 {
  if (!opts.augment) return image;
  return opts.augment.apply({ image }, opts.rng ?? createRng(0, `view/augment/${index}`)).image;
}

export interface ClassificationViewOptions extends ViewOptions {
  mode: "single" | "multi" | "binary";
  /** Binary mode: the positive class name (e.g. GC10 "inclusion", a Severstal defect class). */
  positive?: string;
}

/**
 * Classification targets. Binary positives: with boxes, "any box of the positive class"; without
 * boxes, the presence vector (same rule as gc10InclusionLabel).
 */
export function classificationView(ds: Dataset, options: ClassificationViewOptions): DatasetView {
  const mode = options.mode;
  if (mode === "single") {
    const K = ds.classNames.length;
    const labelOf = (i: number) => {
      const s = sampleAt(ds, i);
      if (!Number.isInteger(s.label) || s.label < 0 || s.label >= K) {
        throw new DataError(`${s.path}: sample ${s.id} has label ${s.label}, expected 0..${K - 1} (${ds.classNames.join(", ")})`, s.path, undefined, s.id);
      }
      return s.label;
    };
    ds.samples.forEach((_, i) => labelOf(i));
    return baseView(ds, options, {
      task: "classification",
      mode,
      classNames: [...ds.classNames],
      labelOf,
      outShape: (size) => size,
      makeItem(index, image, opts) {
        const y = new Float32Array(K);
        y[labelOf(index)] = 1;
        return { x: augmentOnly(image, opts, index), y, yShape: [K] };
      },
    });
  }
  if (mode === "multi") {
    const names = presenceClassNames(ds);
    const K = names.length;
    const vec = (i: number) => {
      const s = sampleAt(ds, i);
      if (s.labels.length !== K) {
        throw new DataError(`${s.path}: sample ${s.id} has ${s.labels.length} presence labels, expected ${K}`, s.path, undefined, s.id);
      }
      return Float32Array.from(s.labels, (v) => (v ? 1 : 0));
    };
    ds.samples.forEach((_, i) => vec(i));
    return baseView(ds, options, {
      task: "classification",
      mode,
      classNames: names,
      labelOf: (i) => sampleAt(ds, i).label,
      outShape: (size) => size,
      makeItem: (index, image, opts) => ({ x: augmentOnly(image, opts, index), y: vec(index), yShape: [K] }),
    });
  }
  if (mode === "binary") {
    const positive = options.positive;
    const names = presenceClassNames(ds);
    const k = positive === undefined ? -1 : names.indexOf(positive);
    if (k < 0) {
      throw new Error(`classificationView binary: positive class "${positive}" is not one of ${names.join(", ")}`);
    }
    const labelOf = (i: number) => {
      const s = sampleAt(ds, i);
      if (s.boxes && s.boxes.length > 0) return s.boxes.some((b) => b.className === positive) ? 1 : 0;
      return s.labels[k] ? 1 : 0;
    };
    return baseView(ds, options, {
      task: "classification",
      mode,
      classNames: [`no_${positive}`, positive as string],
      labelOf,
      outShape: (size) => size,
      makeItem(index, image, opts) {
        const y = new Float32Array(2);
        y[labelOf(index)] = 1;
        return { x: augmentOnly(image, opts, index), y, yShape: [2] };
      },
    });
  }
  throw new Error(`classificationView: unknown mode "${mode as string}" (single, multi or binary)`);
}

export interface SegmentationViewOptions extends ViewOptions {
  /** Training crops (e.g. 256x256 of a 256x1600 image); eval views leave this out. */
  crop?: { height: number; width: number; mode?: "random" | "defect"; defectProb?: number };
}

/** Nearest-neighbour resize of a channel-last uint8 mask (labels stay 0/1). */
export function resizeMaskNearest(mask: Uint8Array, h: number, w: number, c: number, outH: number, outW: number): Uint8Array {
  if (h === outH && w === outW) return mask;
  const out = new Uint8Array(outH * outW * c);
  for (let y = 0; y < outH; y++) {
    // Pixel-centre alignment, as image resizers do: source = (dst + 0.5) * scale - 0.5, rounded.
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / outH));
    for (let x = 0; x < outW; x++) {
      const sx = Math.min(w - 1, Math.floor(((x + 0.5) * w) / outW));
      const s = (sy * w + sx) * c;
      const d = (y * outW + x) * c;
      for (let k = 0; k < c; k++) out[d + k] = mask[s + k];
    }
  }
  return out;
}

/**
 * Segmentation: x the image, y the [H, W, K] mask (K = Sample.rle.length, Severstal 4) decoded
 * at the sample's own size (the RLE's frame) and resized (nearest) to the decoded image's size.
 * A sample with defect labels but no RLE is an error, never an empty mask.
 */
export function segmentationView(ds: Dataset, options: SegmentationViewOptions = {}): DatasetView {
  const withRle = ds.samples.find((s) => s.rle !== undefined);
  const K = withRle?.rle?.length ?? 4;
  const names = ds.classNames.length === K ? [...ds.classNames] : ds.classNames.length === K + 1 ? ds.classNames.slice(1) : [];
  if (names.length !== K) {
    throw new DataError(`${ds.name}: ${ds.classNames.length} class names do not match ${K} mask channels`, ds.root);
  }
  const cropOpt = options.crop;
  const maskOf = (index: number, image: ImageData32): Uint8Array => {
    const s = sampleAt(ds, index);
    let rle = s.rle;
    if (rle === undefined) {
      if (s.labels.some((v) => v)) {
        throw new DataError(
          `${s.path}: sample ${s.id} has defect labels [${s.labels.join(",")}] but no RLE masks; ` +
            `it cannot be used for segmentation (drop it from the index list)`,
          s.path,
          undefined,
          s.id,
        );
      }
      rle = new Array<string>(K).fill("");
    }
    if (rle.length !== K) throw new DataError(`${s.path}: sample ${s.id} has ${rle.length} RLE channels, expected ${K}`, s.path, undefined, s.id);
    const h = s.height || image.height;
    const w = s.width || image.width;
    let mask: Uint8Array;
    try {
      mask = decodeMasks(rle, h, w);
    } catch (err) {
      throw new DataError(`sample ${s.id} (${s.path}): invalid RLE mask: ${(err as Error).message}`, s.path, undefined, s.id);
    }
    return resizeMaskNearest(mask, h, w, K, image.height, image.width);
  };
  return baseView(ds, options, {
    task: "segmentation",
    mode: "mask",
    classNames: names,
    labelOf: (i) => sampleAt(ds, i).label,
    outShape: (size) =>
      cropOpt ? { height: Math.min(cropOpt.height, size.height || cropOpt.height), width: Math.min(cropOpt.width, size.width || cropOpt.width) } : size,
    makeItem(index, image, opts) {
      const rng = opts.rng ?? createRng(0, `view/segmentation/${index}`);
      let s: AugSample = { image, mask: maskOf(index, image) };
      if (cropOpt) {
        const c = chooseCrop(s, cropOpt, rng);
        s = crop(s, c.top, c.left, c.height, c.width);
      }
      if (opts.augment) s = opts.augment.apply(s, rng);
      const mask = s.mask!;
      const y = new Float32Array(mask.length);
      for (let i = 0; i < mask.length; i++) y[i] = mask[i];
      return { x: s.image, y, yShape: [s.image.height, s.image.width, K] };
    },
  });
}
