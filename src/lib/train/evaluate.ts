/** Loss and metrics of a model over a BatchSource, in inference mode (fit's validation step). */
import * as tf from "@tensorflow/tfjs";
import { BatchSource } from "../data/types";
import { LossFn, batchSizeOf } from "../losses/types";
import { EpochMetrics, Task } from "./epoch-metrics";

/** Loss and metrics of a model over a BatchSource (inference mode). Disposes every batch. */
export async function evaluate(
  model: tf.LayersModel,
  source: BatchSource,
  options: { loss: LossFn; task: Task; epoch?: number; prefix?: string },
): Promise<Record<string, number>> {
  const metrics = new EpochMetrics(options.task, options.loss.fromLogits ? 0 : 0.5);
  const normalizer = options.loss.normalizer ?? batchSizeOf;
  for await (const batch of source.batches(options.epoch ?? 0)) {
    try {
      const { pred, loss } = tf.tidy(() => {
        const p = model.apply(batch.x, { training: false }) as tf.Tensor;
        return { pred: p, loss: options.loss(batch.y, p) };
      });
      metrics.add(batch.y, pred, loss.dataSync()[0], normalizer(batch.y));
      tf.dispose([pred, loss]);
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
  }
  return metrics.result(options.prefix ?? "");
}

