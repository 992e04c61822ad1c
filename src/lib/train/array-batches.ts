/**
 * In-memory BatchSource over two tensors, for tests, notebooks and small data. Each epoch's order
 * comes from `rng.fork("epoch-<e>")`, a function of (seed, epoch) only, so epoch 3 is shuffled the
 * same whether or not epochs 0–2 ran in this process (exact resume).
 */
import * as tf from "@tensorflow/tfjs";
import { Batch, BatchSource } from "../data/types";
import { Rng } from "../util/rng";

export interface ArrayBatchOptions {
  /** Sample ids (default "0", "1", …). */
  ids?: readonly string[];
  /** Drop a last partial batch (default false). */
  dropRemainder?: boolean;
}

/**
 * x [N, H, W, C], y [N, …]; `rng` null/undefined = fixed order (validation). The source does not
 * own x and y: dispose them yourself after training; each yielded batch is new tensors that the
 * consumer disposes.
 */
export function arrayBatches(x: tf.Tensor4D, y: tf.Tensor, batchSize: number, rng?: Rng | null, options: ArrayBatchOptions = {}): BatchSource {
  const n = x.shape[0];
  if (y.shape[0] !== n) throw new Error(`arrayBatches: x has ${n} samples but y has ${y.shape[0]}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`arrayBatches: batchSize must be an integer ≥ 1, got ${batchSize}`);
  if (options.ids && options.ids.length !== n) throw new Error(`arrayBatches: ${options.ids.length} ids for ${n} samples`);
  const full = Math.floor(n / batchSize);
  const batchesPerEpoch = options.dropRemainder ? full : Math.ceil(n / batchSize);
  const size = options.dropRemainder ? full * batchSize : n;
  const ids = options.ids ?? Array.from({ length: n }, (_, i) => String(i));
  return {
    size,
    batchesPerEpoch,
    batches(epoch: number): AsyncIterable<Batch> {
      const order = Array.from({ length: n }, (_, i) => i);
      if (rng) rng.fork(`epoch-${epoch}`).shuffle(order);
      return {
        async *[Symbol.asyncIterator]() {
          for (let b = 0; b < batchesPerEpoch; b++) {
            const idx = order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize));
            const [bx, by] = tf.tidy(() => {
              const it = tf.tensor1d(idx, "int32");
              return [tf.gather(x, it) as tf.Tensor4D, tf.gather(y, it)];
            });
            yield { x: bx as tf.Tensor4D, y: by, ids: idx.map((i) => ids[i]) };
          }
        },
      };
    },
  };
}
