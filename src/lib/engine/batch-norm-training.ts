/**
 * A fused training-mode batch-norm op for the wasm backend: one kernel with outputs
 * [y, batch mean, batch variance] (kernels/SteelBatchNormTrain.ts) and one gradient kernel
 * (kernels/SteelBatchNormTrainGrad.ts); see simd/batch-norm.ts for the math.
 *
 * WHY: tfjs computes a training BatchNormalization as moments + batchNorm, and autodiff turns
 * their backward into ~15 elementwise kernels and reductions, each a full pass over the
 * activation. On thin, large activations (SimpleCNN at 224², ResNet-50 at small inputs) those
 * memory-bound passes cost as much as the convolutions.
 *
 * `batchNormTraining` is only used where `canFuseBatchNorm` says so (wasm backend, our kernels
 * registered, float32, channels a multiple of 4); elsewhere callers keep tfjs' own path.
 */
import * as tf from "@tensorflow/tfjs";
import { BATCH_NORM_TRAIN } from "./kernels/SteelBatchNormTrain";
import { BATCH_NORM_TRAIN_GRAD } from "./kernels/SteelBatchNormTrainGrad";
import { simdBatchNormAvailable, simdBatchNormSupports } from "./simd/batch-norm";

let gradientRegistered = false;

/** Registers the gradient of BATCH_NORM_TRAIN (idempotent; backend-independent). */
export function registerBatchNormGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ["x", "gamma"],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvar] = dys as Array<tf.Tensor | null>;
      const [x, gamma, mean, variance] = saved;
      const inputs: Record<string, tf.Tensor> = { dy: dy ?? tf.zerosLike(x), x, gamma, mean, variance };
      if (dmean) inputs.dmean = dmean;
      if (dvar) inputs.dvar = dvar;
      const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as unknown as tf.Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
}

/** Whether `batchNormTraining(x, ...)` runs here (else use tfjs' moments + batchNorm). */
export function canFuseBatchNorm(x: tf.Tensor): boolean {
  return (
    tf.getBackend() === "wasm" &&
    tf.getKernel(BATCH_NORM_TRAIN, "wasm") !== undefined &&
    gradientRegistered &&
    simdBatchNormSupports(x) &&
    simdBatchNormAvailable(tf.backend())
  );
}

/**
 * Batch statistics over every axis but the last and the normalised output:
 * y = (x - mean) / sqrt(variance + epsilon) · gamma + beta. Differentiable in x, gamma, beta
 * (and through mean / variance). Check `canFuseBatchNorm(x)` first.
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): [tf.Tensor, tf.Tensor1D, tf.Tensor1D] {
  const C = x.shape[x.rank - 1];
  if (gamma.size !== C || beta.size !== C) {
    throw new Error(`batchNormTraining: gamma [${gamma.shape}] and beta [${beta.shape}] must have ${C} values (the channel axis of x [${x.shape}])`);
  }
  const out = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, { epsilon }) as unknown as tf.Tensor[];
  return [out[0], out[1] as tf.Tensor1D, out[2] as tf.Tensor1D];
}
