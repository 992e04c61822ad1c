/**
 * Shared model types. Models are composed by name (segmentation_models.pytorch style):
 * an encoder declares its stage channels, and the head or decoder is built from them.
 */
import * as tf from "@tensorflow/tfjs";

/** Channel-last input shape [height, width, channels] (no batch dimension). */
export type InputShape = [number, number, number];

/** Optional classification head between global average pooling and the output layer. */
export interface HeadOptions {
  /** Units of the hidden Dense + ReLU layer; 0 (default) = no hidden layer. */
  hidden?: number;
  /** Dropout rate before the output layer (after the hidden layer, or after GAP); default 0. */
  dropout?: number;
}

/**
 * Options every factory accepts. Fields a model does not use are ignored, except that
 * `encoder` is only valid for "unet" (checked there).
 */
export interface ModelOptions {
  inputShape: InputShape;
  /** Output classes (classifiers) or mask channels (U-Net). */
  classes: number;
  /** Run seed; every initializer and dropout stream derives its own seed from it. */
  seed: number;
  /** Independent sigmoid outputs (use binary cross-entropy) instead of a softmax. */
  multiLabel?: boolean;
  head?: HeadOptions;
  /** First layer of the model (see input-normalization.ts); default "none". */
  inputNormalization?: "none" | "standardize" | "caffe";
  /**
   * ResNet encoders: the last BatchNorm of every residual branch starts with γ = 0, so each
   * block starts as the identity (Goyal et al. 2017; torchvision's `zero_init_residual`). Helps
   * deep nets trained from scratch for few epochs; pretrained weights overwrite it. Default false.
   */
  zeroInitResidual?: boolean;
  /** Stage-wise freezing 0–4 applied after building (see freezeStages). */
  freeze?: number;
  /** U-Net only: encoder name (default "resnet34"). */
  encoder?: string;
  /** U-Net only: decoder channels, one per upsampling step (default [256, 128, 64, 32, 16]). */
  decoderChannels?: number[];
  /** U-Net only: final activation, "sigmoid" (default) or "linear" for logits. */
  activation?: "sigmoid" | "linear";
}

export type ModelFactory = (options: ModelOptions) => tf.LayersModel;

/**
 * An encoder applied to a symbolic input: the feature map of every stage, coarsest last.
 * Stage 0 is the stem when the encoder has one.
 */
export interface EncoderFeatures {
  name: string;
  /** One symbolic feature map per entry of `outChannels`, shape [batch, H/r, W/r, c]. */
  features: tf.SymbolicTensor[];
  /** Declared channels per feature (resnet50: [64, 256, 512, 1024, 2048]). */
  outChannels: number[];
  /** Name of the layer producing each feature (e.g. Grad-CAM target: the last one). */
  featureLayers: string[];
  /** Spatial reduction of each feature relative to the input (resnet: [2, 4, 8, 16, 32]). */
  reductions: number[];
  /** Stage index of every layer the encoder created (0 = stem, 1..n = stages). */
  stageOf: Record<string, number>;
  /** Human label per stage index, e.g. ["stem (conv1, pool1)", "conv2", ...]. */
  stageLabels: string[];
  /** Highest valid `freeze` value (number of non-stem stages). */
  maxFreeze: number;
}

/** What createModel remembers about a model it built (see getModelInfo). */
export interface ModelInfo {
  name: string;
  task: "classification" | "segmentation";
  encoder: string;
  outChannels: number[];
  /** Layer names of the encoder's stage features, shallow to deep. */
  featureLayers: string[];
  stageOf: Record<string, number>;
  stageLabels: string[];
  maxFreeze: number;
  options: ModelOptions;
}
