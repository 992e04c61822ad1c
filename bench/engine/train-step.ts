/**
 * One training step of a bench model (forward, loss, backward, Adam step) and one inference
 * pass, shared by the engine benchmark and the micro-batch probe.
 *   cls: softmax cross-entropy on 5 classes; seg: BCE-with-logits + soft Dice on 4 masks
 *   (as torch_peer.py's bce_dice_loss).
 */
import * as tf from "@tensorflow/tfjs";
import type { BenchModelSpec } from "./models";

export interface StepRunner {
  /** One optimiser step over the `batch` images with the runner's own Adam; returns the loss. */
  train(): number;
  /** One optimiser step of `opt` on `vars` (the caller owns both). */
  trainWith(opt: tf.Optimizer, vars: tf.Variable[]): void;
  /** Gradients of the mean loss over the `batch` images (the caller disposes them). */
  grads(vars: tf.Variable[]): tf.NamedTensorMap;
  /** One inference pass (eval mode); returns a checksum to force the read-back. */
  infer(): number;
  dispose(): void;
}

function bceDice(y: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const bce = tf.losses.sigmoidCrossEntropy(y, logits);
    const p = tf.sigmoid(logits);
    const inter = p.mul(y).sum([1, 2]);
    const denom = p.sum([1, 2]).add(y.sum([1, 2]));
    const dice = tf.scalar(1).sub(inter.mul(2).add(1).div(denom.add(1)).mean());
    return bce.add(dice) as tf.Scalar;
  });
}

/** Random inputs/targets of `batch` images for `spec` (seeded). */
export function makeStepRunner(spec: BenchModelSpec, model: tf.LayersModel, batch: number, seed = 42): StepRunner {
  const S = spec.inputSize;
  const x = tf.randomNormal([batch, S, S, 3], 0, 1, "float32", seed);
  const y = tf.tidy(() =>
    spec.task === "cls"
      ? tf.oneHot(tf.randomUniform([batch], 0, 5, "int32", seed + 1), 5)
      : tf.randomUniform([batch, S, S, 4], 0, 1, "float32", seed + 1).greater(0.5).toFloat(),
  );
  const opt = tf.train.adam(1e-3);
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const out = model.apply(x, { training: true }) as tf.Tensor;
      return spec.task === "cls" ? (tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar) : bceDice(y, out);
    });
  return {
    train() {
      const l = opt.minimize(loss, true) as tf.Scalar;
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    },
    trainWith(o, vars) {
      o.minimize(loss, false, vars);
    },
    grads(vars) {
      const { value, grads } = tf.variableGrads(loss, vars);
      value.dispose();
      return grads;
    },
    infer() {
      return tf.tidy(() => {
        let out = model.apply(x, { training: false }) as tf.Tensor;
        if (spec.task === "seg") out = tf.sigmoid(out);
        return out.sum().dataSync()[0];
      });
    },
    dispose() {
      tf.dispose([x, y]);
      opt.dispose();
    },
  };
}
