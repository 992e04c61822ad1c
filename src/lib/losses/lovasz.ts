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

/**
 * Lovász-hinge per image and class [N, C]. The gradient is given explicitly (customGrad): the tape
 * cannot differentiate through the sort (tfjs asks for a float gradient of topk's int indices),
 * and the analytic one is simple: ∂loss/∂x_i = −(2y_i − 1) · [e_i > 0] · g_{rank(i)}.
 */
export function lovaszHingePerImageClass(yTrue: tf.Tensor, logits: tf.Tensor): tf.Tensor2D {
  checkSameShape("lovaszHinge", yTrue, logits);
  if (logits.rank < 3) throw new Error(`lovaszHinge: expected masks [N, H, W, C], got shape [${logits.shape.join(", ")}]`);
  const N = logits.shape[0];
  const C = logits.shape[logits.shape.length - 1];
  const P = logits.size / (N * C);
  const M = N * C;
  // Rows = (image, class) pairs, columns = pixels, and back.
  const rows = (t: tf.Tensor) => tf.transpose(t.reshape([N, P, C]), [0, 2, 1]).reshape([M, P]);
  const unrows = (t: tf.Tensor) => tf.transpose(t.reshape([N, C, P]), [0, 2, 1]).reshape(logits.shape);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, labels, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const y = rows(labels.toFloat());
    const sign = tf.sub(tf.mul(y, 2), 1);
    const errors = tf.sub(1, tf.mul(rows(x), sign));
    const { indices } = tf.topk(errors, P, true);
    const rowStart = tf.mul(tf.range(0, M, 1, "int32").reshape([M, 1]), tf.scalar(P, "int32"));
    const flat = tf.add(indices, rowStart).reshape([-1]);
    const eSorted = tf.gather(errors.reshape([-1]), flat).reshape([M, P]);
    const grad = lovaszGrad(tf.gather(y.reshape([-1]), flat).reshape([M, P]) as tf.Tensor2D);
    const value = tf.sum(tf.mul(tf.relu(eSorted), grad), 1).reshape([N, C]);
    const gUnsorted = tf.scatterND(flat.reshape([-1, 1]), grad.reshape([-1]), [M * P]).reshape([M, P]);
    save([tf.mul(tf.neg(sign), tf.mul(tf.step(errors), gUnsorted))]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
        unrows(tf.mul(saved[0], (dy as tf.Tensor).reshape([M, 1]))),
        tf.zerosLike(labels),
      ],
    };
  });
  return tf.tidy(() => f(logits, yTrue) as tf.Tensor2D);
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
