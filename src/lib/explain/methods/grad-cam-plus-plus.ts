/**
 * Grad-CAM++ (Chattopadhay et al. 2018) in its usual closed form (exponential output, as
 * pytorch-grad-cam): α = g² / (2g² + ΣA·g³), weight = Σ_positions α·ReLU(g).
 */
import * as tf from "@tensorflow/tfjs";
import { BaseCam, CamContext } from "../base-cam";

export class GradCamPlusPlus extends BaseCam {
  readonly name = "gradcampp";

  protected weights(ctx: CamContext): tf.Tensor {
    const g = ctx.grads!;
    const g2 = tf.square(g);
    const g3 = tf.mul(g2, g);
    const sumA = tf.sum(ctx.activations, [1, 2], true);
    const denom = tf.add(tf.mul(g2, 2), tf.mul(sumA, g3));
    // Where the gradient is 0 α is 0 (pytorch-grad-cam: aij = where(grads != 0, aij, 0)).
    const alpha = tf.where(tf.equal(g, 0), tf.zerosLike(g), tf.div(g2, tf.add(denom, 1e-7)));
    return tf.sum(tf.mul(alpha, tf.relu(g)), [1, 2]);
  }
}
