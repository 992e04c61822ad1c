/**
 * First principal component projection of a feature map (Eigen-CAM; eigen smoothing), as
 * pytorch-grad-cam's get_2d_projection: centre the [h·w, k] matrix over positions, project every
 * position on the first right-singular vector. tfjs has no SVD, so the top eigenvector of the
 * smaller Gram matrix (h·w×h·w or k×k) is found by power iteration. The SVD's sign is arbitrary;
 * here it is fixed so the projection correlates positively with the channel sum (more activation
 * = more relevant), which makes the result deterministic.
 */
import * as tf from "@tensorflow/tfjs";

const ITERATIONS = 200;

/** [B, h, w, k] → [B, h, w] projection on the first principal component. */
export function firstComponentProjection(maps: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, h, w, k] = maps.shape;
    const flat = tf.reshape(maps, [B, h * w, k]) as tf.Tensor3D;
    const centred = tf.sub(flat, tf.mean(flat, 1, true)) as tf.Tensor3D;
    const inPositions = h * w <= k;
    // Gram in the smaller space; its top eigenvector u gives the projection as A·v = σ u (positions)
    // or directly A·v (channels).
    const gram = inPositions ? tf.matMul(centred, centred, false, true) : tf.matMul(centred, centred, true, false);
    const n = gram.shape[1] as number;
    let v = tf.fill([B, n, 1], 1 / Math.sqrt(n)) as tf.Tensor3D;
    for (let i = 0; i < ITERATIONS; i++) {
      const next = tf.matMul(gram, v);
      const norm = tf.maximum(tf.norm(next, 2, 1, true), 1e-30);
      const nv = tf.div(next, norm) as tf.Tensor3D;
      v.dispose();
      next.dispose();
      norm.dispose();
      v = nv;
    }
    let proj: tf.Tensor3D;
    if (inPositions) {
      const lambda = tf.sum(tf.mul(v, tf.matMul(gram, v)), 1, true);
      proj = tf.mul(v, tf.sqrt(tf.maximum(lambda, 0))) as tf.Tensor3D;
    } else proj = tf.matMul(centred, v) as tf.Tensor3D;
    const chanSum = tf.sum(centred, 2, true);
    const sign = tf.sign(tf.sum(tf.mul(proj, chanSum), 1, true));
    const signed = tf.mul(proj, tf.where(tf.equal(sign, 0), tf.onesLike(sign), sign));
    return tf.reshape(signed, [B, h, w]) as tf.Tensor3D;
  });
}
