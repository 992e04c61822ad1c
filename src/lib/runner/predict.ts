/** A model in inference mode over every batch of a BatchSource → per-sample probabilities. */
import * as tf from "@tensorflow/tfjs";
import { BatchSource } from "../data/types";
import type { Predictions } from "../metrics/classification-scores";
import { createProgress } from "../util/progress";

/** Disposes every batch; probs and targets are [N][K] rows in batch order. */
export async function predictSource(model: tf.LayersModel, source: BatchSource, classNames: string[], label = "predict"): Promise<Predictions> {
  const out: Predictions = { ids: [], classNames, probs: [], targets: [] };
  const progress = createProgress({ total: source.batchesPerEpoch, label });
  for await (const batch of source.batches(0)) {
    try {
      const p = tf.tidy(() => model.apply(batch.x, { training: false }) as tf.Tensor);
      const probs = (await p.array()) as number[][];
      const y = (await batch.y.array()) as number[][];
      p.dispose();
      out.ids.push(...batch.ids);
      out.probs.push(...probs);
      out.targets.push(...y);
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
    progress.tick();
  }
  progress.done();
  return out;
}
