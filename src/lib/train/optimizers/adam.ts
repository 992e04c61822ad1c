/**
 * tf's Adam with a settable learning rate and torch.optim.Adam-style (COUPLED, L2) weight decay:
 * g ← g + wd·p before the Adam update. Prefer AdamW for decoupled decay; this exists so the two
 * can be compared by name.
 */
import * as tf from "@tensorflow/tfjs";
import { applyWithCoupledDecay } from "./coupled-decay";
import { LrControl, NamedTensor } from "./types";

export class ScheduledAdam extends tf.AdamOptimizer implements LrControl {
  static override get className(): string {
    return "ScheduledAdam";
  }

  readonly weightDecay: number;

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0) {
    super(learningRate, beta1, beta2, epsilon);
    this.weightDecay = weightDecay;
  }

  setLearningRate(lr: number): void {
    this.learningRate = lr;
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
    const C = cls as unknown as new (...args: number[]) => T;
    return new C(c.learningRate as number, c.beta1 as number, c.beta2 as number, c.epsilon as number, (c.weightDecay as number) ?? 0);
  }
}

tf.serialization.registerClass(ScheduledAdam);
