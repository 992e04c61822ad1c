/**
 * SteelBatchNormTrain (this workspace's own kernel): training-mode batch norm over the last
 * axis, outputs [y, batch mean, batch variance], in two wasm SIMD passes (simd/batch-norm.ts;
 * the addon's passes when registered with native). Used through batchNormTraining().
 */
import type * as tf from "@tensorflow/tfjs";
import { simdBatchNormForward } from "../simd/batch-norm";
import type { KernelArgs, WasmKernelConfig } from "../types";
import { epsilonOf } from "../util/checks";

export const BATCH_NORM_TRAIN = "SteelBatchNormTrain";

function steelBatchNormTrain({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
  return simdBatchNormForward(backend, x, gamma, beta, epsilonOf(BATCH_NORM_TRAIN, attrs));
}

/** Fuses tfjs' moments + batchNorm chain. */
export const steelBatchNormTrainConfig: WasmKernelConfig = {
  kernelName: BATCH_NORM_TRAIN,
  backendName: "wasm",
  kernelFunc: steelBatchNormTrain,
  group: "fused",
};
