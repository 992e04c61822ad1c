/**
 * Score-CAM (Wang et al. 2020): gradient-free. Each channel, upsampled and min-max scaled to
 * [0, 1], masks the input; the target's score on that masked input, softmaxed over channels
 * (as pytorch-grad-cam), is the channel's weight. k extra forward passes per image, in chunks.
 */
import * as tf from "@tensorflow/tfjs";
import { BaseCam, CamContext } from "../base-cam";

export class ScoreCam extends BaseCam {
  readonly name = "scorecam";
  protected override readonly usesGradients = false;
  /** Masked copies per forward pass. */
  chunk = 32;

  protected weights(ctx: CamContext): tf.Tensor {
    const [B, H, W] = ctx.x.shape;
    const k = ctx.activations.shape[3];
    const up = tf.image.resizeBilinear(ctx.activations, [H, W]);
    const lo = tf.min(up, [1, 2], true);
    const hi = tf.max(up, [1, 2], true);
    const masks = tf.div(tf.sub(up, lo), tf.add(tf.sub(hi, lo), 1e-7)); // [B, H, W, k]
    const rows: tf.Tensor1D[] = [];
    for (let b = 0; b < B; b++) {
      // The masked batch holds copies of sample b only, so its target is `at(b)`.
      const xb = tf.slice(ctx.x, [b, 0, 0, 0], [1, -1, -1, -1]);
      const mb = tf.transpose(tf.slice(masks, [b, 0, 0, 0], [1, -1, -1, -1]), [3, 1, 2, 0]); // [k, H, W, 1]
      const scores: tf.Tensor1D[] = [];
      for (let c = 0; c < k; c += this.chunk) {
        const n = Math.min(this.chunk, k - c);
        // Each chunk's forward pass is freed at once (k passes would not fit in memory together).
        scores.push(
          tf.tidy(() => {
            const masked = tf.mul(xb, tf.slice(mb, [c, 0, 0, 0], [n, -1, -1, -1])) as tf.Tensor4D;
            const out = ctx.split.head(masked, ctx.split.activations(masked), { logits: ctx.target.logits });
            return ctx.target.at(b).score(out, out);
          }),
        );
      }
      rows.push(tf.softmax(tf.concat(scores)) as tf.Tensor1D);
    }
    return tf.stack(rows);
  }
}

