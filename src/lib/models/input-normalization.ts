/**
 * Input normalisation as the model's first layer, so training, evaluation, prediction and
 * Grad-CAM all see the same preprocessing and a checkpoint carries it with the weights.
 *
 *   "standardize": per image, (x − mean) / std over all pixels and channels. Steel images differ
 *     far more in global brightness between coils than a defect differs from its background
 *     (NEU/Severstal: image means 0.35–0.7, within-image std ~0.02): without it the first
 *     BatchNorm mostly encodes brightness and small defects learn very slowly.
 *   "caffe": Keras ImageNet ResNet50 preprocessing (RGB [0,1] → BGR 0–255 minus the mean).
 */
import * as tf from "@tensorflow/tfjs";
import { kerasResNetPreprocess } from "./preprocess";

export type InputNormalization = "none" | "standardize" | "caffe";
export const INPUT_NORMALIZATIONS: readonly InputNormalization[] = ["none", "standardize", "caffe"];

interface NormalizationConfig extends tf.serialization.ConfigDict {
  mode: InputNormalization;
}

/** Weightless layer; registered for (de)serialisation under its class name. */
export class InputNormalizationLayer extends tf.layers.Layer {
  static className = "SteelInputNormalization";
  readonly mode: InputNormalization;

  constructor(config: { mode: InputNormalization; name?: string }) {
    super({ name: config.name ?? "input_normalization" });
    if (!INPUT_NORMALIZATIONS.includes(config.mode)) {
      throw new Error(`input normalization must be one of ${INPUT_NORMALIZATIONS.join(", ")}, got "${config.mode}"`);
    }
    this.mode = config.mode;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    if (this.mode === "caffe") return [...(inputShape as tf.Shape).slice(0, 3), 3];
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.tidy(() => {
      if (this.mode === "standardize") {
        const { mean, variance } = tf.moments(x, [1, 2, 3], true);
        return tf.div(tf.sub(x, mean), tf.maximum(tf.sqrt(variance), 1e-6));
      }
      if (this.mode === "caffe") return kerasResNetPreprocess(x);
      return tf.clone(x);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: NormalizationConfig = { mode: this.mode };
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(InputNormalizationLayer);

/** Applies the normalisation layer to a symbolic input ("none" returns the input unchanged). */
export function normalizeInput(input: tf.SymbolicTensor, mode: InputNormalization = "none"): tf.SymbolicTensor {
  if (mode === "none") return input;
  return new InputNormalizationLayer({ mode }).apply(input) as tf.SymbolicTensor;
}
