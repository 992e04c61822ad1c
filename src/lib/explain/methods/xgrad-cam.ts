/** XGrad-CAM (Fu et al. 2020): channel weight = Σ(g·A) / ΣA over positions. */
import * as tf from "@tensorflow/tfjs";
import { BaseCam, CamContext } from "../base-cam";

export class XGradCam extends BaseCam {
  readonly name = "xgradcam";

  protected weights(ctx: CamContext): tf.Tensor {
    const num = tf.sum(tf.mul(ctx.grads!, ctx.activations), [1, 2]);
    return tf.div(num, tf.add(tf.sum(ctx.activations, [1, 2]), 1e-7));
  }
}
