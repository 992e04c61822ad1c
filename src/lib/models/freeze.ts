/**
 * Stage-wise freezing, the write-up's "freeze" hyper-parameter (0–4).
 *
 *   k = 0  nothing frozen (the whole network trains)
 *   k ≥ 1  the stem and stages 1..k are frozen:
 *          ResNet  k=1: conv1_*, pool1_*, conv2_*   k=2: + conv3_*   k=3: + conv4_*
 *                  k=4: + conv5_* (whole encoder; only the head / U-Net decoder trains)
 *          simplecnn (no stem, 3 stages)  k=1: block1_*  k=2: + block2_*  k=3: + block3_*
 * Head (`head_*`) and decoder (`decoder_*`, `seg_head_*`) layers are never touched.
 * Calling again re-applies from scratch: freezeStages(m, 1) after freezeStages(m, 4) unfreezes
 * conv3..conv5.
 *
 * BatchNorm: tfjs-layers' BN ignores `trainable` and would keep using batch statistics and
 * updating its moving averages inside `fit`. Every BN gets a guard (see layers.batchNorm) so a
 * frozen BN runs in inference mode, like Keras 2 / TF2.
 *
 * tfjs collects a model's trainable weights at compile(): (re)compile after freezing.
 */
import * as tf from "@tensorflow/tfjs";
import { guardBatchNorm, isBatchNorm } from "./layers";
import { getModelInfo, layerStages } from "./info";

export interface FreezeReport {
  k: number;
  /** Layer names now frozen (in model order). */
  frozenLayers: string[];
  trainableVariables: number;
  trainableParams: number;
}

export function freezeStages(model: tf.LayersModel, k: number): FreezeReport {
  const stages = layerStages(model);
  const info = getModelInfo(model);
  const maxFreeze = info ? info.maxFreeze : Math.max(0, ...stages.values());
  if (!Number.isInteger(k) || k < 0 || k > maxFreeze) {
    throw new Error(
      `freeze must be an integer in 0..${maxFreeze} for model "${info?.name ?? model.name}", got ${k}` +
        (stages.size === 0 ? " (the model has no recognisable encoder stages)" : ""),
    );
  }
  const frozenLayers: string[] = [];
  for (const layer of model.layers) {
    if (isBatchNorm(layer)) guardBatchNorm(layer);
    const s = stages.get(layer.name);
    if (s === undefined) continue;
    const frozen = k > 0 && s <= k;
    layer.trainable = !frozen;
    if (frozen) frozenLayers.push(layer.name);
  }
  return {
    k,
    frozenLayers,
    trainableVariables: model.trainableWeights.length,
    trainableParams: countWeights(model.trainableWeights),
  };
}

/** Sum of element counts of a list of layer variables. */
export function countWeights(weights: readonly { shape: readonly (number | null)[] }[]): number {
  let n = 0;
  for (const w of weights) n += w.shape.reduce<number>((a, d) => a * (d ?? 1), 1);
  return n;
}
