/** What the trainer needs from an optimizer beyond tf.Optimizer: a learning rate a scheduler can set per step. */
import * as tf from "@tensorflow/tfjs";

/** tfjs's NamedTensor (not re-exported by @tensorflow/tfjs). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface LrControl {
  setLearningRate(lr: number): void;
  getLearningRate(): number;
}

export type ScheduledOptimizer = tf.Optimizer & LrControl;

/** The variable a gradient entry refers to (registered in the tfjs engine by name). */
export function engineVariable(name: string): tf.Variable {
  const v = tf.engine().registeredVariables[name];
  if (!v) throw new Error(`optimizer: no variable named "${name}" is registered; was the model disposed?`);
  return v;
}

/** Normalises NamedTensorMap | NamedTensor[] to a list, keeping order. */
export function gradientList(g: tf.NamedTensorMap | NamedTensor[]): NamedTensor[] {
  return Array.isArray(g) ? g : Object.keys(g).map((name) => ({ name, tensor: g[name] }));
}
