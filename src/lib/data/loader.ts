/**
 * Streaming batch loader: a `BatchSource` over a view and a list of sample indices.
 *
 * - Order: reshuffled every epoch from the stream (seed, "loader/order/epoch<e>"), so epoch e has
 *   the same order whether the run started at epoch 0 or resumed at e. With a sampler the order
 *   is the sampler's draw for that epoch (positions into `indices`).
 * - Prefetch: while the consumer trains on batch b, batches b+1..b+prefetch are already being
 *   decoded. sharp decodes on libuv worker threads, so decoding overlaps tfjs compute on the
 *   main thread. Prefetched batches are plain arrays; tensors are created only when a batch is
 *   handed out, so stopping early leaks nothing.
 * - Augmentation: per sample from the stream (seed, "loader/augment/e<e>/p<position>"), so results
 *   do not depend on prefetch depth or decode timing.
 * - Cache ("memory"): decoded, resized images (before augmentation) are kept for later epochs —
 *   for small datasets (memory = N·H·W·C·4 bytes: 1,800 NEU images at 200x200x1 = 288 MB).
 * - Errors: a file that cannot be decoded is a DataError naming its path (strict, default); in
 *   lenient mode it is skipped, recorded once in `skipped` and counted, and its batch is smaller.
 *
 * x: [N, H, W, C] float32; y: [N, K] (classification) or [N, H, W, K] (segmentation).
 * The consumer disposes both tensors of every batch.
 */
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../util/rng";
import type { Transform } from "./augment/types";
import type { WeightedSampler } from "./sampler";
import { DataError, type Batch, type BatchSource, type ImageData32, type Skip, type ValidationMode } from "./types";
import type { DatasetView, ImageSize, ViewItem } from "./views";

export interface BatchSourceOptions {
  batchSize: number;
  /** Reshuffle every epoch (default true; use false for evaluation). Ignored with a sampler. */
  shuffle?: boolean;
  seed: number;
  /** Applied per sample after the view's targets/crop; seeded per epoch and position. */
  augment?: Transform;
  /** Draws positions 0..indices.length-1 per epoch (e.g. class-balanced); sets the epoch size. */
  sampler?: WeightedSampler;
  /** Decode size; default the view's `imageSize` (or each file's own size). */
  imageSize?: ImageSize;
  /** Default the view's channels. */
  channels?: 1 | 3;
  /** "memory" keeps decoded images for later epochs; default "none". */
  cache?: "memory" | "none";
  /** Batches decoded ahead of the consumer; default 2 (0 = decode on demand). */
  prefetch?: number;
  /** Drop the last incomplete batch (default false). */
  dropLast?: boolean;
  /** "strict" (default): a bad file throws a DataError. "lenient": skip it and record a Skip. */
  mode?: ValidationMode;
}

export interface LoaderStats {
  /** Images decoded (cache misses). */
  decoded: number;
  cacheHits: number;
  /** Sample reads skipped in lenient mode (counted every time a skipped sample comes up). */
  skippedReads: number;
}

export interface LoaderSource extends BatchSource {
  /** Dataset indices in the order epoch `epoch` visits them. */
  order(epoch: number): number[];
  /** Files skipped in lenient mode (one entry per file). */
  skipped: Skip[];
  stats(): LoaderStats;
}

interface Prepared {
  items: ViewItem[];
  ids: string[];
  indices: number[];
}

export function createBatchSource(view: DatasetView, indices: readonly number[], options: BatchSourceOptions): LoaderSource {
  const { batchSize, seed } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`createBatchSource: batchSize must be an integer >= 1, got ${batchSize}`);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= view.size) {
      throw new RangeError(`createBatchSource: index ${i} is outside the view's 0..${view.size - 1}`);
    }
  }
  const prefetch = options.prefetch ?? 2;
  if (!Number.isInteger(prefetch) || prefetch < 0) throw new Error(`createBatchSource: prefetch must be an integer >= 0, got ${prefetch}`);
  const shuffle = options.shuffle ?? true;
  const mode = options.mode ?? "strict";
  const size = options.sampler ? options.sampler.numSamples : indices.length;
  const batchesPerEpoch = options.dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
  const imageSize = options.imageSize ?? view.imageSize;
  const channels = options.channels ?? view.channels;
  const cache = options.cache === "memory" ? new Map<number, Promise<ImageData32>>() : undefined;
  const skipped: Skip[] = [];
  const skippedIdx = new Set<number>();
  const stats: LoaderStats = { decoded: 0, cacheHits: 0, skippedReads: 0 };

  const order = (epoch: number): number[] => {
    if (options.sampler) {
      return options.sampler.indices(epoch).map((p) => {
        if (p < 0 || p >= indices.length) {
          throw new Error(`createBatchSource: the sampler drew position ${p} but there are ${indices.length} indices; build it with one weight per index`);
        }
        return indices[p];
      });
    }
    const list = [...indices];
    return shuffle ? createRng(seed, `loader/order/epoch${epoch}`).shuffle(list) : list;
  };

  const load = (idx: number): Promise<ImageData32> => {
    if (cache) {
      const hit = cache.get(idx);
      if (hit) {
        stats.cacheHits++;
        return hit;
      }
    }
    stats.decoded++;
    const p = view.loadImage(idx, imageSize, channels);
    if (cache) {
      cache.set(idx, p);
      p.catch(() => cache.delete(idx));
    }
    return p;
  };

  const readOne = async (epoch: number, position: number, idx: number): Promise<ViewItem | undefined> => {
    if (skippedIdx.has(idx)) {
      stats.skippedReads++;
      return undefined;
    }
    try {
      const image = await load(idx);
      const rng = createRng(seed, `loader/augment/e${epoch}/p${position}`);
      return view.makeItem(idx, image, { rng, augment: options.augment });
    } catch (err) {
      if (mode === "strict" || !(err instanceof DataError)) throw err;
      if (!skippedIdx.has(idx)) {
        skippedIdx.add(idx);
        const s = view.samples[idx];
        skipped.push({ file: err.file ?? s.path, id: s.id, reason: err.message });
      }
      stats.skippedReads++;
      return undefined;
    }
  };

  const prepare = async (epoch: number, ord: number[], b: number): Promise<Prepared> => {
    const start = b * batchSize;
    const end = Math.min(start + batchSize, ord.length);
    const positions = Array.from({ length: end - start }, (_, k) => start + k);
    const results = await Promise.all(positions.map((p) => readOne(epoch, p, ord[p])));
    const out: Prepared = { items: [], ids: [], indices: [] };
    results.forEach((item, k) => {
      if (!item) return;
      const idx = ord[positions[k]];
      out.items.push(item);
      out.ids.push(view.samples[idx].id);
      out.indices.push(idx);
    });
    return out;
  };

  return {
    size,
    batchesPerEpoch,
    skipped,
    order,
    stats: () => ({ ...stats }),
    batches(epoch: number): AsyncIterable<Batch> {
      return {
        [Symbol.asyncIterator]: async function* () {
          const ord = order(epoch);
          const pending: Promise<Prepared>[] = [];
          let next = 0;
          const launch = () => {
            const p = prepare(epoch, ord, next++);
            p.catch(() => undefined); // surfaced when awaited; avoids unhandled-rejection noise while queued
            pending.push(p);
          };
          for (let b = 0; b < batchesPerEpoch; b++) {
            while (next < batchesPerEpoch && next <= b + prefetch) launch();
            const prepared = await pending.shift()!;
            if (prepared.items.length === 0) continue;
            yield toBatch(prepared);
          }
        },
      };
    },
  };
}

/** Stacks prepared items into tensors; every item must have the same x and y shapes. */
function toBatch(p: Prepared): Batch {
  const first = p.items[0];
  const { height: H, width: W, channels: C } = first.x;
  const yShape = first.yShape;
  const xLen = H * W * C;
  const yLen = first.y.length;
  p.items.forEach((it, k) => {
    const same =
      it.x.height === H && it.x.width === W && it.x.channels === C && it.yShape.length === yShape.length && it.yShape.every((d, i) => d === yShape[i]);
    if (!same) {
      throw new DataError(
        `batch mixes shapes: ${p.ids[0]} is ${H}x${W}x${C} (y [${yShape}]) but ${p.ids[k]} is ` +
          `${it.x.height}x${it.x.width}x${it.x.channels} (y [${it.yShape}]); set imageSize so every image is resized alike`,
        undefined,
        undefined,
        p.ids[k],
      );
    }
  });
  const xs = new Float32Array(p.items.length * xLen);
  const ys = new Float32Array(p.items.length * yLen);
  p.items.forEach((it, k) => {
    xs.set(it.x.data, k * xLen);
    ys.set(it.y, k * yLen);
  });
  return {
    x: tf.tensor4d(xs, [p.items.length, H, W, C], "float32"),
    y: tf.tensor(ys, [p.items.length, ...yShape], "float32"),
    ids: p.ids,
  };
}
