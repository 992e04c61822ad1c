/**
 * ResNet encoders with Keras-applications layer names, so Keras ImageNet `.h5` weights load by
 * layer name (see ../keras-h5).
 *
 * resnet50: exactly keras.applications.ResNet50(include_top=False): conv1_pad (ZeroPadding 3),
 *   conv1_conv (7x7/2, bias), conv1_bn, conv1_relu, pool1_pad (ZeroPadding 1), pool1_pool
 *   (max 3x3/2), then stacks conv2..conv5 of [3, 4, 6, 3] bottleneck blocks (stride on the first
 *   1x1 conv as in Keras v1; projection shortcut `_0_conv/_0_bn` in every block1), BN epsilon
 *   1.001e-5, conv biases on. 23,587,712 parameters (23,534,592 trainable).
 * resnet18/34: torchvision's basic-block layout ([2,2,2,2] / [3,4,6,3], bias-free convs, stride on
 *   the first 3x3) under the same naming scheme: convS_blockI_{1,2}_{conv,bn}, `_1_relu`,
 *   `_0_conv/_0_bn` projection when shape changes, `_add`, `_out`. Trainable parameters equal
 *   torchvision's encoder (no fc): 11,176,512 / 21,284,672.
 *
 * Stage features (for U-Net skips), input H x W:
 *   0 stem   conv1_relu            H/2   64
 *   1 conv2  conv2_blockN_out      H/4   64  (r18/34) | 256  (r50)
 *   2 conv3  conv3_blockN_out      H/8   128          | 512
 *   3 conv4  conv4_blockN_out      H/16  256          | 1024
 *   4 conv5  conv5_blockN_out      H/32  512          | 2048
 * The stem stage (0) holds conv1_* and pool1_*; stage s holds every `conv{s+1}_*` layer.
 */
import * as tf from "@tensorflow/tfjs";
import { ap, batchNorm, conv2d, KERAS_BN_EPSILON, spatialShape } from "../layers";
import type { EncoderFeatures } from "../types";

export type ResNetName = "resnet18" | "resnet34" | "resnet50";

interface ResNetSpec {
  block: "basic" | "bottleneck";
  blocks: [number, number, number, number];
  /** Keras resnet50 convs carry biases; torchvision resnet18/34 convs do not. */
  useBias: boolean;
}

const SPECS: Record<ResNetName, ResNetSpec> = {
  resnet18: { block: "basic", blocks: [2, 2, 2, 2], useBias: false },
  resnet34: { block: "basic", blocks: [3, 4, 6, 3], useBias: false },
  resnet50: { block: "bottleneck", blocks: [3, 4, 6, 3], useBias: true },
};

const STAGE_WIDTHS = [64, 128, 256, 512];

export const RESNET_NAMES: readonly ResNetName[] = ["resnet18", "resnet34", "resnet50"];

export function isResNetName(name: string): name is ResNetName {
  return (RESNET_NAMES as readonly string[]).includes(name);
}

/** Declared channels per stage, before anything is built (the decoder is sized from these). */
export function resnetOutChannels(name: ResNetName): number[] {
  const expansion = SPECS[name].block === "bottleneck" ? 4 : 1;
  return [64, ...STAGE_WIDTHS.map((w) => w * expansion)];
}

/**
 * Smallest input side accepted. Keras insists on 32 (a 1x1 conv5 map); from 16 to 31 the
 * network still computes (stride-2 'same' convs on a 1x1 map keep it 1x1, so the last stages
 * stop downsampling and `reductions` overstate the real factor) — allowed because cheap tiny
 * inputs are what the cpu-backend gradient tests need. Real inputs here are 200px and up.
 */
export const RESNET_MIN_SIDE = 16;

/** Builds the encoder on `input` ([batch, H, W, C]); returns the five stage features. */
export function buildResNet(name: ResNetName, input: tf.SymbolicTensor, seed: number, zeroInitResidual = false): EncoderFeatures {
  const spec = SPECS[name];
  const [h, w] = spatialShape(input);
  if (h < RESNET_MIN_SIDE || w < RESNET_MIN_SIDE) {
    throw new Error(`${name}: input ${h}x${w} is too small; height and width must be at least ${RESNET_MIN_SIDE}`);
  }
  const stageOf: Record<string, number> = {};
  let stage = 0;
  const L = <T extends tf.layers.Layer>(layer: T): T => {
    stageOf[layer.name] = stage;
    return layer;
  };
  const bias = spec.useBias;
  // The BN closing a residual branch (γ = 0 with zeroInitResidual: the block starts as identity).
  const closingBn = (layerName: string) => batchNorm(layerName, KERAS_BN_EPSILON, zeroInitResidual ? "zeros" : "ones");

  // Stem (stage 0).
  let x = ap(L(tf.layers.zeroPadding2d({ name: "conv1_pad", padding: [[3, 3], [3, 3]] })), input);
  x = ap(L(conv2d(seed, { name: "conv1_conv", filters: 64, kernelSize: 7, strides: 2, useBias: bias })), x);
  x = ap(L(batchNorm("conv1_bn")), x);
  x = ap(L(tf.layers.activation({ name: "conv1_relu", activation: "relu" })), x);
  const features: tf.SymbolicTensor[] = [x];
  x = ap(L(tf.layers.zeroPadding2d({ name: "pool1_pad", padding: [[1, 1], [1, 1]] })), x);
  x = ap(L(tf.layers.maxPooling2d({ name: "pool1_pool", poolSize: 3, strides: 2 })), x);

  for (let s = 0; s < 4; s++) {
    stage = s + 1;
    const width = STAGE_WIDTHS[s];
    for (let b = 1; b <= spec.blocks[s]; b++) {
      const prefix = `conv${s + 2}_block${b}`;
      const stride = b === 1 && s > 0 ? 2 : 1;
      x =
        spec.block === "bottleneck"
          ? bottleneckBlock(x, prefix, width, stride, b === 1, seed, L, closingBn)
          : basicBlock(x, prefix, width, stride, seed, bias, L, closingBn);
    }
    features.push(x);
  }

  const outChannels = resnetOutChannels(name);
  features.forEach((f, i) => {
    const c = spatialShape(f)[2];
    if (c !== outChannels[i]) throw new Error(`${name}: stage ${i} has ${c} channels, declared ${outChannels[i]}`);
  });
  return {
    name,
    features,
    outChannels,
    featureLayers: features.map((f) => f.sourceLayer.name),
    reductions: [2, 4, 8, 16, 32],
    stageOf,
    stageLabels: ["stem (conv1, pool1)", "conv2", "conv3", "conv4", "conv5"],
    maxFreeze: 4,
  };
}

type Track = <T extends tf.layers.Layer>(layer: T) => T;
type MakeBn = (layerName: string) => tf.layers.Layer;

/** Keras `block1`: 1x1 (stride) → 3x3 → 1x1 (4x width), projection shortcut when `project`. */
function bottleneckBlock(
  x: tf.SymbolicTensor,
  p: string,
  width: number,
  stride: number,
  project: boolean,
  seed: number,
  L: Track,
  closingBn: MakeBn,
): tf.SymbolicTensor {
  let shortcut = x;
  if (project) {
    shortcut = ap(L(conv2d(seed, { name: `${p}_0_conv`, filters: 4 * width, kernelSize: 1, strides: stride })), x);
    shortcut = ap(L(batchNorm(`${p}_0_bn`)), shortcut);
  }
  let y = ap(L(conv2d(seed, { name: `${p}_1_conv`, filters: width, kernelSize: 1, strides: stride })), x);
  y = ap(L(batchNorm(`${p}_1_bn`)), y);
  y = ap(L(tf.layers.activation({ name: `${p}_1_relu`, activation: "relu" })), y);
  y = ap(L(conv2d(seed, { name: `${p}_2_conv`, filters: width, kernelSize: 3, padding: "same" })), y);
  y = ap(L(batchNorm(`${p}_2_bn`)), y);
  y = ap(L(tf.layers.activation({ name: `${p}_2_relu`, activation: "relu" })), y);
  y = ap(L(conv2d(seed, { name: `${p}_3_conv`, filters: 4 * width, kernelSize: 1 })), y);
  y = ap(L(closingBn(`${p}_3_bn`)), y);
  const sum = ap(L(tf.layers.add({ name: `${p}_add` })), [shortcut, y]);
  return ap(L(tf.layers.activation({ name: `${p}_out`, activation: "relu" })), sum);
}

/** torchvision BasicBlock: 3x3 (stride) → 3x3, 1x1 projection when stride or width changes. */
function basicBlock(
  x: tf.SymbolicTensor,
  p: string,
  width: number,
  stride: number,
  seed: number,
  useBias: boolean,
  L: Track,
  closingBn: MakeBn,
): tf.SymbolicTensor {
  let shortcut = x;
  if (stride !== 1 || spatialShape(x)[2] !== width) {
    shortcut = ap(L(conv2d(seed, { name: `${p}_0_conv`, filters: width, kernelSize: 1, strides: stride, useBias })), x);
    shortcut = ap(L(batchNorm(`${p}_0_bn`)), shortcut);
  }
  let y = ap(L(conv2d(seed, { name: `${p}_1_conv`, filters: width, kernelSize: 3, strides: stride, padding: "same", useBias })), x);
  y = ap(L(batchNorm(`${p}_1_bn`)), y);
  y = ap(L(tf.layers.activation({ name: `${p}_1_relu`, activation: "relu" })), y);
  y = ap(L(conv2d(seed, { name: `${p}_2_conv`, filters: width, kernelSize: 3, padding: "same", useBias })), y);
  y = ap(L(closingBn(`${p}_2_bn`)), y);
  const sum = ap(L(tf.layers.add({ name: `${p}_add` })), [shortcut, y]);
  return ap(L(tf.layers.activation({ name: `${p}_out`, activation: "relu" })), sum);
}
