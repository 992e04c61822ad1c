/**
 * Lovász hinge (Berman et al. 2018), the convex surrogate of 1 − IoU used by the Severstal top
 * solutions, multilabel, computed per image and class and averaged (like dice.ts):
 *   e = 1 − x·(2y − 1) per pixel, sorted descending; g = the Lovász extension's gradient of the
 *   Jaccard loss at the sorted labels; loss_{n,c} = Σ relu(e_sorted) · g.
 * A pair with an empty mask scores relu(max e) (the reference implementation's behaviour).
 *
 * Shapes: yTrue masks [N, H, W, C] in {0, 1}; yPred [N, H, W, C] LOGITS (the loss is defined on
 * margins; build the U-Net with `activation: "linear"`).
 */
import * as tf from "@tensorflow/tfjs";
import { LossFn, batchSizeOf, checkSameShape, defineLoss } from "./types";

/** Lovász-hinge per image and class [N, C]. */
export function lovaszHingePerImageClass(yTrue: tf.Tensor, logits: tf.Tensor): tf.Tensor2D {
  checkSameShape("lovaszHinge", yTrue, logits);
  if (logits.rank < 3) throw new Error(`lovaszHinge: expected masks [N, H, W, C], got shape [${logits.shape.join(", ")}]`);
  return tf.tidy(() => {
    const N = logits.shape[0];
    const C = logits.shape[logits.shape.length - 1];
    const P = logits.size / (N * C);
    // Rows = (image, class) pairs, columns = pixels.
    const rows = (t: tf.Tensor) => tf.transpose(t.reshape([N, P, C]), [0, 2, 1]).reshape([N * C, P]);
    const y = rows(yTrue.toFloat());
    const errors = tf.sub(1, tf.mul(rows(logits), tf.sub(tf.mul(y, 2), 1)));
    const { indices } = tf.topk(errors, P, true);
    // Flat gather (batchDims 0) so the gradient flows back to the unsorted errors.
    const flat = tf.add(indices, tf.mul(tf.range(0, N * C, 1, "int32").reshape([N * C, 1]), P)).reshape([-1]);
    const eSorted = tf.gather(errors.reshape([-1]), flat).reshape([N * C, P]);
    const gSorted = tf.gather(y.reshape([-1]), flat).reshape([N * C, P]);
    const grad = lovaszGrad(gSorted);
    return tf.sum(tf.mul(tf.relu(eSorted), grad), 1).reshape([N, C]) as tf.Tensor2D;
  });
}

/** Gradient of the Lovász extension of the Jaccard loss for labels sorted by error [M, P]. */
function lovaszGrad(gtSorted: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const gts = tf.sum(gtSorted, 1, true);
    const inter = tf.sub(gts, tf.cumsum(gtSorted, 1));
    const union = tf.add(gts, tf.cumsum(tf.sub(1, gtSorted), 1));
    const jaccard = tf.sub(1, tf.div(inter, union));
    const P = gtSorted.shape[1];
    if (P === 1) return jaccard as tf.Tensor2D;
    const head = tf.slice(jaccard, [0, 0], [-1, 1]);
    const diff = tf.sub(tf.slice(jaccard, [0, 1], [-1, P - 1]), tf.slice(jaccard, [0, 0], [-1, P - 1]));
    return tf.concat([head, diff], 1) as tf.Tensor2D;
  });
}

export function lovaszHinge(yTrue: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(lovaszHingePerImageClass(yTrue, logits)) as tf.Scalar);
}

/** Always on logits (`fromLogits` is true: metrics threshold the output at 0). */
export function lovaszHingeLoss(): LossFn {
  return defineLoss("lovasz-hinge", lovaszHinge, { normalizer: batchSizeOf, fromLogits: true });
}
