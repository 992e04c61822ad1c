/**
 * The data model shared by every loader, view, split and sampler. Loaders turn a dataset on disk
 * (real or synthetic, same formats) into a `Dataset`; views turn samples into tensors.
 */

export type DatasetName = "severstal" | "neu" | "gc10";

/** Pascal-VOC box, pixel coordinates as in the XML (1-based, inclusive). */
export interface Box {
  className: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** One labelled image of any dataset. */
export interface Sample {
  /** Image id (Severstal ImageId = file name); the grouping key for splits (no leakage across splits). */
  id: string;
  /** Absolute path of the image file. */
  path: string;
  dataset: DatasetName;
  /**
   * Single-label class index into `Dataset.classNames`.
   * Severstal: 0 = OK (defect-free), 1..4 = the first (lowest ClassId) defect present.
   */
  label: number;
  /** Multi-label presence vector. Severstal: length 4 (ClassId 1..4); NEU/GC10: one-hot over classes. */
  labels: number[];
  /** Severstal only: RLE string per ClassId 1..4 (index 0..3), "" when that class is absent. */
  rle?: string[];
  /** VOC boxes when annotations exist. */
  boxes?: Box[];
  /** Image size in pixels when known from the format (Severstal 256×1600, NEU 200×200, GC10 1000×2048). */
  height: number;
  width: number;
}

/** A bad input row or file that lenient mode skipped; counted and reported, never silently dropped. */
export interface Skip {
  file: string;
  /** 1-based line number for CSV rows, undefined for whole files. */
  line?: number;
  id?: string;
  reason: string;
  /**
   * Stable reason code for counting (`unreadable-image`, `unknown-class`, `odd-tokens`, ...);
   * when absent, the text before the first ":" of `reason` is used if it looks like a code.
   */
  code?: string;
}

export interface Dataset {
  name: DatasetName;
  /** Human-readable class names; index = `Sample.label`. */
  classNames: string[];
  samples: Sample[];
  skipped: Skip[];
  /** Where it came from, so every report can say loudly which data it ran on. */
  source: "real" | "synthetic";
  root: string;
}

/** Thrown for bad input; the message names the file, line and id; `code` is a stable reason code when known. */
export class DataError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly id?: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "DataError";
  }
}

/** `strict` throws a DataError at the first bad row; `lenient` skips it and records a Skip. */
export type ValidationMode = "strict" | "lenient";

/** A decoded image, channel-last, values in [0, 1]. Index (y * width + x) * channels + c. */
export interface ImageData32 {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/**
 * One training/eval batch. x: [N, H, W, C] float32; y: [N, classes] (one-hot / multi-hot) or
 * [N, H, W, classes] masks. The consumer (trainer, evaluator) disposes x and y.
 */
export interface Batch {
  x: import("@tensorflow/tfjs").Tensor4D;
  y: import("@tensorflow/tfjs").Tensor;
  /** Sample ids in batch order, for per-image reports (misclassified examples, predictions). */
  ids: string[];
}

/** What the trainer consumes: a known number of batches per epoch, produced anew (reshuffled) each epoch. */
export interface BatchSource {
  /** Number of samples in one epoch. */
  size: number;
  batchesPerEpoch: number;
  batches(epoch: number): AsyncIterable<Batch>;
}
