/**
 * Augmentation smoothing (pytorch-grad-cam's aug_smooth, flips only): the CAM of each flipped
 * copy, flipped back, averaged with the plain CAM. Eigen smoothing is `ComputeOptions.eigenSmooth`.
 */
import * as tf from "@tensorflow/tfjs";
import { BaseCam, ComputeOptions, normalizePerImage } from "./base-cam";
import { CamTarget } from "./targets";

const flipLR = (t: tf.Tensor4D): tf.Tensor4D => tf.reverse(t, 2);
const flipUD = (t: tf.Tensor4D): tf.Tensor4D => tf.reverse(t, 1);

/** Mean of the CAMs of x, x flipped left-right and x flipped up-down, renormalised: [B, H, W]. */
export function augSmoothCam(cam: BaseCam, x: tf.Tensor4D, target: CamTarget, opts: ComputeOptions = {}): tf.Tensor3D {
  return tf.tidy(() => {
    const maps = [undefined, flipLR, flipUD].map((flip) => {
      const m = tf.expandDims(cam.compute(flip ? flip(x) : x, target, opts), 3) as tf.Tensor4D;
      return flip ? flip(m) : m;
    });
    return normalizePerImage(tf.squeeze(tf.mean(tf.stack(maps), 0), [3]) as tf.Tensor3D);
  });
}
