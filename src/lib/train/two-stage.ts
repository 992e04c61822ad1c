/**
 * Two-stage transfer learning: stage 1 trains the head with the layers chosen by `freezeFn`
 * frozen (trainable = false), stage 2 unfreezes them and fine-tunes everything with a lower
 * learning rate (default: the head's lr / 10). Returns both histories.
 */
import * as tf from "@tensorflow/tfjs";
import { OptimizerSpec } from "./optimizers/factory";
import { FitData, FitOptions, FitResult, fit } from "./trainer";

export interface TwoStageOptions {
  head: FitOptions;
  /** Stage-2 options; the optimizer defaults to the head's spec with lr / 10. */
  finetune: Omit<FitOptions, "optimizer"> & { optimizer?: FitOptions["optimizer"] };
  /** true = freeze this layer during stage 1 (e.g. every encoder layer). */
  freezeFn: (layer: tf.layers.Layer, index: number) => boolean;
}

export interface TwoStageResult {
  head: FitResult;
  finetune: FitResult;
  /** Names of the layers frozen during stage 1. */
  frozen: string[];
}

export async function fitTwoStage(model: tf.LayersModel, data: FitData, options: TwoStageOptions): Promise<TwoStageResult> {
  const original = model.layers.map((l) => l.trainable);
  const frozen: string[] = [];
  model.layers.forEach((l, i) => {
    if (options.freezeFn(l, i) && l.trainable) {
      l.trainable = false;
      frozen.push(l.name);
    }
  });
  if (frozen.length === 0) throw new Error("fitTwoStage: freezeFn froze no layer; stage 1 would train the whole model");
  if (model.trainableWeights.length === 0) throw new Error("fitTwoStage: freezeFn froze every trainable layer; leave the head trainable");
  let head: FitResult;
  try {
    head = await fit(model, data, { label: "head", ...options.head });
  } finally {
    model.layers.forEach((l, i) => {
      l.trainable = original[i];
    });
  }
  let optimizer = options.finetune.optimizer;
  if (optimizer === undefined) {
    const h = options.head.optimizer;
    if (h instanceof tf.Optimizer) throw new Error("fitTwoStage: give finetune.optimizer when the head stage uses an optimizer instance");
    const spec: OptimizerSpec = h ?? { name: "adamw", lr: 1e-3 };
    optimizer = { ...spec, lr: spec.lr / 10 };
  }
  const finetune = await fit(model, data, { label: "finetune", ...options.finetune, optimizer });
  return { head, finetune, frozen };
}
