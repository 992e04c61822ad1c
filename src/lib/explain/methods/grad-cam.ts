/** Grad-CAM (Selvaraju et al. 2017): channel weight = the gradient averaged over positions. */
import * as tf from "@tensorflow/tfjs";
import { BaseCam, CamContext } from "../base-cam";

export class GradCam extends BaseCam {
  readonly name = "gradcam";

  protected weights(ctx: CamContext): tf.Tensor {
    return tf.mean(ctx.grads!, [1, 2]);
  }
}
