/**
 * Collects per-batch predictions into the epoch's metrics through the metrics module (confusion
 * statistics once per epoch). Only small per-sample summaries are kept (argmax labels, 0/1 label
 * vectors, or Dice counts), never the prediction tensors.
 *
 * multiclass:   y one-hot [N, C], predictions [N, C]        → loss, accuracy, macroF1
 * multilabel:   y multi-hot [N, C], predictions [N, C]      → loss, accuracy (per label), macroF1, microF1
 * segmentation: y masks [N, H, W, C], predictions the same  → loss, dice (per image/class, empty/empty = 1)
 */
import * as tf from "@tensorflow/tfjs";
import { f1, accuracy } from "../metrics/classification";
import { confusionStats, multilabelStats } from "../metrics/confusion";
import { diceFromCounts } from "../metrics/segmentation";

export type Task = "multiclass" | "multilabel" | "segmentation";

export class EpochMetrics {
  private lossSum = 0;
  private weightSum = 0;
  private trueLabels: number[] = [];
  private predLabels: number[] = [];
  private trueRows: number[][] = [];
  private predRows: number[][] = [];
  private diceSum = 0;
  private diceCount = 0;
  private numClasses = 0;

  constructor(
    readonly task: Task,
    /** Decision threshold on outputs (0.5 for probabilities, 0 for logits). */
    readonly threshold = 0.5,
  ) {}

  /** Adds one batch: its loss (weighted by `weight`, the loss normaliser) and predictions. */
  add(y: tf.Tensor, predictions: tf.Tensor, loss: number, weight: number): void {
    this.lossSum += loss * weight;
    this.weightSum += weight;
    const C = y.shape[y.shape.length - 1];
    this.numClasses = C;
    if (this.task === "multiclass") {
      const [t, p] = tf.tidy(() => [tf.argMax(y.reshape([-1, C]), 1), tf.argMax(predictions.reshape([-1, C]), 1)]);
      // A loop, not push(...): per-pixel labels can exceed the argument limit.
      for (const v of t.dataSync() as Int32Array) this.trueLabels.push(v);
      for (const v of p.dataSync() as Int32Array) this.predLabels.push(v);
      tf.dispose([t, p]);
    } else if (this.task === "multilabel") {
      const t = Array.from(y.dataSync() as Float32Array);
      const p = Array.from(predictions.dataSync() as Float32Array);
      for (let i = 0; i < t.length; i += C) {
        this.trueRows.push(t.slice(i, i + C).map((v) => (v >= 0.5 ? 1 : 0)));
        this.predRows.push(p.slice(i, i + C).map((v) => (v >= this.threshold ? 1 : 0)));
      }
    } else {
      const N = y.shape[0];
      const counts = tf.tidy(() => {
        const pb = tf.greaterEqual(predictions, this.threshold).toFloat().reshape([N, -1, C]);
        const tb = tf.greaterEqual(y, 0.5).toFloat().reshape([N, -1, C]);
        return tf.stack([tf.sum(tf.mul(pb, tb), 1), tf.sum(pb, 1), tf.sum(tb, 1)]);
      });
      const d = counts.dataSync();
      counts.dispose();
      const per = N * C;
      for (let k = 0; k < per; k++) this.diceSum += diceFromCounts(d[k], d[per + k], d[2 * per + k]);
      this.diceCount += per;
    }
  }

  /** Mean loss so far (for the progress bar). */
  runningLoss(): number {
    return this.weightSum > 0 ? this.lossSum / this.weightSum : NaN;
  }

  /** Running accuracy / dice for the progress bar. */
  runningScore(): { name: string; value: number } {
    if (this.task === "segmentation") return { name: "dice", value: this.diceCount ? this.diceSum / this.diceCount : NaN };
    if (this.task === "multiclass") {
      let ok = 0;
      for (let i = 0; i < this.trueLabels.length; i++) if (this.trueLabels[i] === this.predLabels[i]) ok++;
      return { name: "acc", value: this.trueLabels.length ? ok / this.trueLabels.length : NaN };
    }
    return { name: "acc", value: this.trueRows.length ? accuracy(multilabelStats(this.trueRows, this.predRows)) : NaN };
  }

  /** The epoch's metrics, keys prefixed (e.g. "val_"). */
  result(prefix = ""): Record<string, number> {
    const out: Record<string, number> = { [`${prefix}loss`]: this.runningLoss() };
    if (this.task === "multiclass" && this.trueLabels.length) {
      const s = confusionStats(this.trueLabels, this.predLabels, this.numClasses);
      out[`${prefix}accuracy`] = accuracy(s);
      out[`${prefix}macroF1`] = f1(s, "macro");
    } else if (this.task === "multilabel" && this.trueRows.length) {
      const s = multilabelStats(this.trueRows, this.predRows);
      out[`${prefix}accuracy`] = accuracy(s);
      out[`${prefix}macroF1`] = f1(s, "macro");
      out[`${prefix}microF1`] = f1(s, "micro");
    } else if (this.task === "segmentation" && this.diceCount) {
      out[`${prefix}dice`] = this.diceSum / this.diceCount;
    }
    return out;
  }
}
