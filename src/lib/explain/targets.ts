/**
 * CAM targets as tiny callables (pytorch-grad-cam's ClassifierOutputTarget & co.): each maps the
 * model's batched output to one score per sample, whose gradient the CAM explains.
 */
import * as tf from "@tensorflow/tfjs";

export interface CamTarget {
  /** The head wants the pre-softmax/sigmoid output (logits) for this target. */
  readonly logits: boolean;
  /**
   * output [B, K] (classifier) or [B, H, W, K] (segmentation) → scores [B]. `detached` is the
   * same forward pass outside the gradient (for masks derived from the prediction).
   */
  score(output: tf.Tensor, detached: tf.Tensor): tf.Tensor1D;
  /** The same target for sample `b` of the batch alone, applied to any batch (copies of b). */
  at(b: number): CamTarget;
}

function classAt(classes: number | readonly number[], b: number): number {
  return typeof classes === "number" ? classes : classes[b];
}

function perSample(classes: number | readonly number[], batch: number): number[] {
  const ks = typeof classes === "number" ? new Array<number>(batch).fill(classes) : [...classes];
  if (ks.length !== batch) throw new Error(`target: ${ks.length} classes for a batch of ${batch}`);
  return ks;
}

function pick(output: tf.Tensor, classes: number | readonly number[]): tf.Tensor1D {
  if (output.rank !== 2) throw new Error(`class target: expected a [batch, classes] output, got shape [${output.shape}]`);
  const [B, K] = output.shape as [number, number];
  const ks = perSample(classes, B);
  const bad = ks.find((k) => !Number.isInteger(k) || k < 0 || k >= K);
  if (bad !== undefined) throw new Error(`class target ${bad} is outside 0..${K - 1}`);
  return tf.sum(tf.mul(output, tf.oneHot(ks, K).toFloat()), 1) as tf.Tensor1D;
}

/** The class score before softmax (the default of Grad-CAM papers); one class, or one per sample. */
export function classLogit(classes: number | readonly number[]): CamTarget {
  return { logits: true, score: (out) => pick(out, classes), at: (b) => classLogit(classAt(classes, b)) };
}

/** The class probability (the model's own softmax output). */
export function classProbability(classes: number | readonly number[]): CamTarget {
  return { logits: false, score: (out) => pick(out, classes), at: (b) => classProbability(classAt(classes, b)) };
}

/** One output of a multi-label (sigmoid) model; `logits` explains the pre-sigmoid score. */
export function multiLabelOutput(label: number | readonly number[], logits = true): CamTarget {
  return { logits, score: (out) => pick(out, label), at: (b) => multiLabelOutput(classAt(label, b), logits) };
}

/**
 * A segmentation class summed over a mask: `mask` [B, H, W] (1 = count the pixel) or, by default,
 * the pixels where that class wins the argmax (the predicted mask).
 */
export function segmentationClass(cls: number, mask?: tf.Tensor3D): CamTarget {
  return {
    logits: false,
    at: (b) => segmentationClass(cls, mask ? (tf.slice(mask, [b, 0, 0], [1, -1, -1]) as tf.Tensor3D) : undefined),
    score(out, detached) {
      if (out.rank !== 4) throw new Error(`segmentation target: expected a [batch, H, W, classes] output, got shape [${out.shape}]`);
      const K = out.shape[3] as number;
      if (cls < 0 || cls >= K) throw new Error(`segmentation target class ${cls} is outside 0..${K - 1}`);
      const prob = tf.squeeze(tf.slice(out, [0, 0, 0, cls], [-1, -1, -1, 1]), [3]);
      // Multi-label (sigmoid) masks: p > 0.5; single-label: the class wins the argmax.
      const m = mask ?? predictedMask(detached, cls);
      return tf.sum(tf.mul(prob, m), [1, 2]) as tf.Tensor1D;
    },
  };
}

/** [B, H, W, K] probabilities → [B, H, W] 0/1 where `cls` is predicted (p > 0.5 for one channel). */
export function predictedMask(probs: tf.Tensor, cls: number): tf.Tensor3D {
  return tf.tidy(() => {
    const K = probs.shape[3] as number;
    if (K === 1) return tf.greater(tf.squeeze(probs, [3]), 0.5).toFloat() as tf.Tensor3D;
    return tf.equal(tf.argMax(probs, 3), cls).toFloat() as tf.Tensor3D;
  });
}
