/** A model in inference mode over every batch of a BatchSource → per-sample probabilities. */
import * as tf from "@tensorflow/tfjs";
import { BatchSource } from "../data/types";
import type { Predictions } from "../metrics/classification-scores";
import { Progress, createProgress } from "../util/progress";

/**
 * Disposes every batch; probs and targets are [N][K] rows in batch order. `bar`: an existing
 * progress bar to reuse (restarted with `label`), so val + test evaluation show one bar.
 */
export async function predictSource(model: tf.LayersModel, source: BatchSource, classNames: string[], label = "predict", bar?: Progress): Promise<Predictions> {
  const out: Predictions = { ids: [], classNames, probs: [], targets: [] };
  if (bar) bar.restart(label, source.batchesPerEpoch);
  const progress = bar ?? createProgress({ total: source.batchesPerEpoch, label });
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
