/**
 * SGD with momentum (tf's MomentumOptimizer: a ← μ·a + g; p ← p − lr·a, the same as
 * torch.optim.SGD with dampening 0), optional Nesterov, and coupled L2 weight decay g ← g + wd·p.
 * Momentum 0 is plain SGD.
 */
import * as tf from "@tensorflow/tfjs";
import { applyWithCoupledDecay } from "./coupled-decay";
import { LrControl, NamedTensor } from "./types";

export class ScheduledSGD extends tf.MomentumOptimizer implements LrControl {
  static override get className(): string {
    return "ScheduledSGD";
  }

  readonly weightDecay: number;

  constructor(learningRate: number, momentum = 0.9, useNesterov = false, weightDecay = 0) {
    super(learningRate, momentum, useNesterov);
    this.weightDecay = weightDecay;
  }

  getLearningRate(): number {
    return this.learningRate;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    applyWithCoupledDecay((g) => super.applyGradients(g), variableGradients, this.weightDecay);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    c: tf.serialization.ConfigDict,
  ): T {
    const C = cls as unknown as new (lr: number, m: number, n: boolean, wd: number) => T;
    return new C(c.learningRate as number, c.momentum as number, Boolean(c.useNesterov), (c.weightDecay as number) ?? 0);
  }
}

tf.serialization.registerClass(ScheduledSGD);
