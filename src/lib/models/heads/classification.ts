/**
 * Classification head on the encoder's last feature map ([batch, h, w, inChannels]):
 *   head_gap (GlobalAveragePooling2D) → [head_dense (hidden) + head_relu] → [head_dropout]
 *   → head_predictions (Dense classes, softmax; sigmoid when multiLabel).
 * Names carry a `head_` prefix so they never collide with Keras's own top ("avg_pool",
 * "predictions"): loading a full Keras ResNet50 .h5 just reports "predictions" as unexpected.
 */
import * as tf from "@tensorflow/tfjs";
import { ap, dense, seededDropout, spatialShape } from "../layers";
import type { HeadOptions } from "../types";

export interface ClassificationHeadArgs extends HeadOptions {
  classes: number;
  multiLabel?: boolean;
  /** The encoder's declared last outChannels; checked against the feature map. */
  inChannels: number;
  seed: number;
}

export function classificationHead(features: tf.SymbolicTensor, a: ClassificationHeadArgs): tf.SymbolicTensor {
  const c = spatialShape(features)[2];
  if (c !== a.inChannels) throw new Error(`classification head: feature map has ${c} channels, encoder declared ${a.inChannels}`);
  const hidden = a.hidden ?? 0;
  const dropout = a.dropout ?? 0;
  if (!Number.isInteger(hidden) || hidden < 0) throw new Error(`head.hidden must be a non-negative integer, got ${hidden}`);
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`head.dropout must be in [0, 1), got ${dropout}`);
  let x = ap(tf.layers.globalAveragePooling2d({ name: "head_gap" }), features);
  if (hidden > 0) {
    x = ap(dense(a.seed, "head_dense", hidden), x);
    x = ap(tf.layers.activation({ name: "head_relu", activation: "relu" }), x);
  }
  if (dropout > 0) x = ap(seededDropout(a.seed, "head_dropout", dropout), x);
  return ap(dense(a.seed, "head_predictions", a.classes, a.multiLabel ? "sigmoid" : "softmax"), x);
}
