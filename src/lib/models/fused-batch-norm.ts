/**
 * Training-mode call of a Keras BatchNormalization layer through the engine's fused op when the
 * backend offers it (wasm): same outputs and same moving-statistics update as tfjs-layers'
 * `BatchNormalization.call` (moving = moving - (moving - batch) · (1 - momentum), biased
 * batch variance), in 4 passes over the activation instead of ~20 kernels.
 */
import * as tf from "@tensorflow/tfjs";
import { batchNormTraining, canFuseBatchNorm } from "../engine/index";

interface LayerVariableLike {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

/** The tfjs-layers BatchNormalization fields this relies on (tfjs-layers 4.x). */
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma?: LayerVariableLike;
  beta?: LayerVariableLike;
  movingMean?: LayerVariableLike;
  movingVariance?: LayerVariableLike;
}

function movingAverage(variable: LayerVariableLike, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const orig = variable.read();
    variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - momentum)));
  });
}

/** The layer's training output through the fused op, or undefined where it does not apply. */
export function fusedBatchNormCall(layer: tf.layers.Layer, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  if (!(x instanceof tf.Tensor)) return undefined;
  const bn = layer as unknown as BatchNormInternals;
  const axis = bn.axis < 0 ? bn.axis + x.rank : bn.axis;
  const { gamma, beta, movingMean, movingVariance } = bn;
  if (axis !== x.rank - 1 || !bn.center || !bn.scale || !gamma || !beta || !movingMean || !movingVariance) return undefined;
  if (!canFuseBatchNorm(x)) return undefined;
  return tf.tidy(() => {
    const [y, mean, variance] = batchNormTraining(x, gamma.read(), beta.read(), bn.epsilon);
    movingAverage(movingMean, mean, bn.momentum);
    movingAverage(movingVariance, variance, bn.momentum);
    return y;
  });
}
