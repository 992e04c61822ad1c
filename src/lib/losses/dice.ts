/**
 * Soft Dice loss for segmentation masks, and BCE + Dice.
 *   dice_{n,c} = (2 Σ_hw p·y + s) / (Σ_hw p + Σ_hw y + s),   loss = 1 − mean_{n,c} dice_{n,c}
 * Computed PER IMAGE and class, then averaged (not pooled over the batch as smp does): the mean
 * over images is linear in the samples, so gradient accumulation over micro-batches stays exact,
 * and an empty mask predicted empty scores ≈ 1 (s = 1), like the Severstal metric.
 *
 * Shapes: yTrue masks [N, H, W, C] in {0, 1}; yPred [N, H, W, C] probabilities (default) or
 * logits (`fromLogits: true`, sigmoid applied).
 */
import * as tf from "@tensorflow/tfjs";
import { binaryCrossEntropy } from "./bce";
import { LossFn, batchSizeOf, checkSameShape, defineLoss } from "./types";

export interface DiceOptions {
  /** Smoothing s added to numerator and denominator (default 1). */
  smooth?: number;
  fromLogits?: boolean;
}

export interface BceDiceOptions extends DiceOptions {
  bceWeight?: number;
  diceWeight?: number;
  posWeight?: readonly number[];
}

/** Soft Dice coefficient per image and class [N, C]. */
export function softDice(yTrue: tf.Tensor, yPred: tf.Tensor, options: DiceOptions = {}): tf.Tensor2D {
  checkSameShape("dice", yTrue, yPred);
  if (yPred.rank < 3) throw new Error(`dice: expected masks [N, H, W, C], got shape [${yPred.shape.join(", ")}]`);
  const s = options.smooth ?? 1;
  return tf.tidy(() => {
    const N = yPred.shape[0];
    const C = yPred.shape[yPred.shape.length - 1];
    const p = (options.fromLogits ? tf.sigmoid(yPred) : yPred).reshape([N, -1, C]);
    const y = yTrue.toFloat().reshape([N, -1, C]);
    const inter = tf.sum(tf.mul(p, y), 1);
    const denom = tf.add(tf.sum(p, 1), tf.sum(y, 1));
    return tf.div(tf.add(tf.mul(inter, 2), s), tf.add(denom, s)) as tf.Tensor2D;
  });
}

export function diceLossValue(yTrue: tf.Tensor, yPred: tf.Tensor, options: DiceOptions = {}): tf.Scalar {
  return tf.tidy(() => tf.sub(1, tf.mean(softDice(yTrue, yPred, options))) as tf.Scalar);
}

export function bceDiceValue(yTrue: tf.Tensor, yPred: tf.Tensor, options: BceDiceOptions = {}): tf.Scalar {
  const bw = options.bceWeight ?? 1;
  const dw = options.diceWeight ?? 1;
  return tf.tidy(() =>
    tf.add(
      tf.mul(binaryCrossEntropy(yTrue, yPred, { fromLogits: options.fromLogits, posWeight: options.posWeight }), bw),
      tf.mul(diceLossValue(yTrue, yPred, options), dw),
    ) as tf.Scalar,
  );
}

export function diceLoss(options: DiceOptions = {}): LossFn {
  return defineLoss("dice", (t, p) => diceLossValue(t, p, options), { normalizer: batchSizeOf, fromLogits: options.fromLogits });
}

export function bceDiceLoss(options: BceDiceOptions = {}): LossFn {
  return defineLoss("bce-dice", (t, p) => bceDiceValue(t, p, options), { normalizer: batchSizeOf, fromLogits: options.fromLogits });
}
