/**
 * SteelBatchNormTrainGrad (this workspace's own kernel): the gradient of SteelBatchNormTrain,
 * outputs [dx, dgamma, dbeta], in two wasm SIMD passes (simd/batch-norm.ts).
 */
import type * as tf from "@tensorflow/tfjs";
import { simdBatchNormBackward } from "../simd/batch-norm";
import type { KernelArgs, WasmKernelConfig } from "../types";
import { epsilonOf } from "../util/checks";

export const BATCH_NORM_TRAIN_GRAD = "SteelBatchNormTrainGrad";

function steelBatchNormTrainGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const t = inputs as Record<string, tf.TensorInfo>;
  return simdBatchNormBackward(
    backend,
    { dy: t.dy, x: t.x, gamma: t.gamma, mean: t.mean, variance: t.variance, dmean: t.dmean, dvar: t.dvar },
    epsilonOf(BATCH_NORM_TRAIN_GRAD, attrs),
  );
}

/** Fuses the ~15 kernels autodiff makes of moments + batchNorm's backward. */
export const steelBatchNormTrainGradConfig: WasmKernelConfig = {
  kernelName: BATCH_NORM_TRAIN_GRAD,
  backendName: "wasm",
  kernelFunc: steelBatchNormTrainGrad,
  group: "fused",
};
