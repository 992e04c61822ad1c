/** LayerCAM (Jiang et al. 2021): element-wise ReLU(gradient) × activation, summed over channels. */
import * as tf from "@tensorflow/tfjs";
import { BaseCam, CamContext } from "../base-cam";

export class LayerCam extends BaseCam {
  readonly name = "layercam";

  protected weights(ctx: CamContext): tf.Tensor {
    return tf.relu(ctx.grads!);
  }
}
