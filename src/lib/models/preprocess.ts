/**
 * Input preprocessing that pretrained weights expect. Keras ImageNet ResNet50 weights were
 * trained on "caffe" inputs: BGR channel order, 0–255 scale, per-channel ImageNet mean removed,
 * no std scaling (keras.applications.resnet.preprocess_input). Our views give RGB in [0, 1].
 */
import * as tf from "@tensorflow/tfjs";

/** Caffe BGR channel means, in BGR order. */
export const CAFFE_BGR_MEAN = [103.939, 116.779, 123.68];

/**
 * [b, h, w, 3] RGB in [0, 1] → [b, h, w, 3] BGR, 0–255 minus the ImageNet mean.
 * Grey images (1 channel) are repeated to 3 channels first.
 */
export function kerasResNetPreprocess(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const c = x.shape[3];
    if (c !== 1 && c !== 3) throw new Error(`kerasResNetPreprocess: expected 1 or 3 channels, got ${c}`);
    const rgb = c === 1 ? tf.tile(x, [1, 1, 1, 3]) : x;
    const bgr = tf.reverse(rgb, -1);
    return tf.sub(tf.mul(bgr, 255), tf.tensor1d(CAFFE_BGR_MEAN)) as tf.Tensor4D;
  });
}
