/**
 * The CAM sequence, fixed once (pytorch-grad-cam's BaseCAM): activations of the chosen layer →
 * gradient of the target w.r.t. them (gradient methods) → weights (the subclass) → weighted sum
 * over channels (or its first principal component: eigen smoothing) → ReLU → bilinear upsample to
 * the image → per-image min-max to [0, 1]. Inference mode, inside tf.tidy, batched.
 */
import * as tf from "@tensorflow/tfjs";
import { splitAtLayer, SplitModel } from "./graph";
import { firstComponentProjection } from "./projection";
import { CamTarget } from "./targets";

export interface CamContext {
  /** The input batch [B, H, W, C]. */
  x: tf.Tensor4D;
  /** The layer's activations [B, h, w, k]. */
  activations: tf.Tensor4D;
  /** d(score)/d(activations) [B, h, w, k]; only for methods with `usesGradients`. */
  grads?: tf.Tensor4D;
  target: CamTarget;
  split: SplitModel;
}

export interface CamOptions {
  /** The layer to explain (default: the last layer with a 4-D output). */
  layer?: string;
}

export interface ComputeOptions {
  /** Replace the channel sum by the first principal component of weights·activations. */
  eigenSmooth?: boolean;
  /** Output size [H, W] (default: the input's). */
  size?: [number, number];
}

export abstract class BaseCam {
  abstract readonly name: string;
  /** Gradient-free methods (Score-CAM, Eigen-CAM) set this false. */
  protected readonly usesGradients: boolean = true;
  readonly split: SplitModel;

  constructor(readonly model: tf.LayersModel, opts: CamOptions = {}) {
    this.split = splitAtLayer(model, opts.layer);
  }

  /** Channel weights [B, k] or per-element weights [B, h, w, k]. */
  protected abstract weights(ctx: CamContext): tf.Tensor;

  /** [B, h, w] map before ReLU. Eigen-CAM overrides this (it has no weights). */
  protected rawMap(ctx: CamContext, eigenSmooth: boolean): tf.Tensor3D {
    const w = this.weights(ctx);
    const weighted = w.rank === 2 ? tf.mul(ctx.activations, tf.reshape(w, [w.shape[0], 1, 1, w.shape[1] as number])) : tf.mul(ctx.activations, w);
    if (eigenSmooth) return firstComponentProjection(weighted as tf.Tensor4D);
    return tf.sum(weighted, 3) as tf.Tensor3D;
  }

  /** Target gradient w.r.t. the layer's activations, [B, h, w, k] (scores of samples are independent). */
  protected gradients(x: tf.Tensor4D, A: tf.Tensor4D, target: CamTarget): tf.Tensor4D {
    const detached = this.split.head(x, A, { logits: target.logits });
    const f = (a: tf.Tensor) => tf.sum(target.score(this.split.head(x, a as tf.Tensor4D, { logits: target.logits }), detached));
    return tf.grad(f)(A) as tf.Tensor4D;
  }

  /** Normalised CAMs [B, H, W] in [0, 1]; the caller disposes the result. */
  compute(x: tf.Tensor4D, target: CamTarget, opts: ComputeOptions = {}): tf.Tensor3D {
    if (x.rank !== 4) throw new Error(`${this.name}: input must be a [batch, H, W, C] tensor, got shape [${x.shape}]`);
    return tf.tidy(() => {
      const activations = this.split.activations(x);
      const ctx: CamContext = { x, activations, target, split: this.split };
      if (this.usesGradients) ctx.grads = this.gradients(x, activations, target);
      const cam = tf.relu(this.rawMap(ctx, opts.eigenSmooth ?? false));
      const size = opts.size ?? [x.shape[1], x.shape[2]];
      const up = tf.squeeze(tf.image.resizeBilinear(tf.expandDims(cam, 3) as tf.Tensor4D, size), [3]) as tf.Tensor3D;
      return normalizePerImage(up);
    });
  }
}

/** Per image (x − min) / (max − min + 1e-7), as pytorch-grad-cam's scale_cam_image. */
export function normalizePerImage(maps: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const lo = tf.min(maps, [1, 2], true);
    const shifted = tf.sub(maps, lo);
    return tf.div(shifted, tf.add(tf.max(shifted, [1, 2], true), 1e-7)) as tf.Tensor3D;
  });
}
