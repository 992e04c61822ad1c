/**
 * AdamW (Loshchilov & Hutter 2019) with PyTorch semantics: weight decay is DECOUPLED from the
 * gradient, applied to the weights before the Adam step:
 *   p ← p · (1 − lr·wd)
 *   m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * Bias corrections are computed in float64 from the step count t (not by repeated float32
 * multiplication), so a resumed run continues bit-identically. With wd = 0 this is Adam.
 *
 * Registered with tf.serialization, and its moments round-trip through getWeights/setWeights
 * (order: iter, m…, v…, like tf's Adam) for checkpoints.
 */
import * as tf from "@tensorflow/tfjs";
import { ADAMW_KERNEL, fusedAdamWAvailable, type AdamWAttrs } from "../../engine/index";
import { LrControl, NamedTensor, engineVariable, gradientList } from "./types";

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

export interface AdamWConfig {
  learningRate: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class AdamW extends tf.Optimizer implements LrControl {
  static get className(): string {
    return "AdamW";
  }

  learningRate: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /**
   * Variables that get no weight decay (e.g. biases, norms): name → true. Not serialised;
   * default none, as in torch.optim.AdamW without parameter groups.
   */
  noDecay?: (variableName: string) => boolean;
  private m: Slot[] = [];
  private v: Slot[] = [];

  constructor(learningRate: number, weightDecay = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8) {
    super();
    for (const [k, val] of Object.entries({ learningRate, weightDecay, beta1, beta2, epsilon })) {
      if (!Number.isFinite(val) || val < 0) throw new Error(`AdamW: ${k} must be a finite number ≥ 0, got ${val}`);
    }
    if (beta1 >= 1 || beta2 >= 1) throw new Error(`AdamW: betas must be < 1, got ${beta1}, ${beta2}`);
    this.learningRate = learningRate;
    this.weightDecay = weightDecay;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  setLearningRate(lr: number): void {
    if (!Number.isFinite(lr) || lr < 0) throw new Error(`AdamW: learning rate must be a finite number ≥ 0, got ${lr}`);
    this.learningRate = lr;
  }

  getLearningRate(): number {
    return this.learningRate;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const grads = gradientList(variableGradients);
    const t = this.iterations + 1;
    const bc1 = 1 - Math.pow(this.beta1, t);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(this.beta2, t));
    const lr = this.learningRate;
    const stepSize = lr / bc1;
    // wasm + native addon: one fused kernel per variable (same float32 operations, same bits).
    const fused = fusedAdamWAvailable();
    tf.tidy(() => {
      grads.forEach(({ name, tensor: g }, i) => {
        const p = engineVariable(name);
        if (this.m[i] == null) {
          this.m[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(p).variable(false)) };
          this.v[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(p).variable(false)) };
        }
        if (g == null) return;
        const m = this.m[i].variable;
        const v = this.v[i].variable;
        const decay = this.noDecay && this.noDecay(name) ? 0 : this.weightDecay;
        if (fused && p.dtype === "float32" && g.dtype === "float32") {
          const attrs: AdamWAttrs = { decay: 1 - lr * decay, beta1: this.beta1, beta2: this.beta2, bc2Sqrt, epsilon: this.epsilon, stepSize };
          const [np, nm, nv] = tf.engine().runKernel(ADAMW_KERNEL, { p, g, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
          m.assign(nm);
          v.assign(nv);
          p.assign(np);
          return;
        }
        const decayed = decay > 0 ? tf.mul(p, 1 - lr * decay) : p;
        const newM = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const denom = tf.add(tf.div(tf.sqrt(newV), bc2Sqrt), this.epsilon);
        m.assign(newM);
        v.assign(newV);
        p.assign(tf.sub(decayed, tf.mul(tf.div(newM, denom), stepSize)));
      });
    });
    this.incrementIterations();
  }

  override dispose(): void {
    super.dispose();
    tf.dispose([...this.m.map((s) => s.variable), ...this.v.map((s) => s.variable)]);
    this.m = [];
    this.v = [];
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const slots = [...this.m, ...this.v];
    return [await this.saveIterations()].concat(slots.map((s) => ({ name: s.originalName, tensor: s.variable })));
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    if (rest.length % 2 !== 0) throw new Error(`AdamW.setWeights: expected iter + equal numbers of m and v tensors, got ${rest.length} tensors after iter`);
    const n = rest.length / 2;
    tf.dispose([...this.m.map((s) => s.variable), ...this.v.map((s) => s.variable)]);
    this.m = rest.slice(0, n).map((w) => ({ originalName: w.name, variable: w.tensor.variable(false) }));
    this.v = rest.slice(n).map((w) => ({ originalName: w.name, variable: w.tensor.variable(false) }));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      weightDecay: this.weightDecay,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const C = cls as unknown as new (...args: number[]) => T;
    return new C(
      config.learningRate as number,
      config.weightDecay as number,
      config.beta1 as number,
      config.beta2 as number,
      config.epsilon as number,
    );
  }
}

tf.serialization.registerClass(AdamW);
