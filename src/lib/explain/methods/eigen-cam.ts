/**
 * Eigen-CAM (Muhammad & Yeasin 2020): gradient-free and class-agnostic — the first principal
 * component of the activations (the target is ignored).
 */
import * as tf from "@tensorflow/tfjs";
import { BaseCam, CamContext } from "../base-cam";
import { firstComponentProjection } from "../projection";

export class EigenCam extends BaseCam {
  readonly name = "eigencam";
  protected override readonly usesGradients = false;

  protected weights(ctx: CamContext): tf.Tensor {
    return tf.onesLike(ctx.activations);
  }

  protected override rawMap(ctx: CamContext): tf.Tensor3D {
    return firstComponentProjection(ctx.activations);
  }
}
