/** HiResCAM (Draelos & Carin 2020): element-wise gradient × activation, summed over channels. */
import * as tf from "@tensorflow/tfjs";
import { BaseCam, CamContext } from "../base-cam";

export class HiResCam extends BaseCam {
  readonly name = "hirescam";

  protected weights(ctx: CamContext): tf.Tensor {
    return ctx.grads!;
  }
}
