/**
 * The three benchmark models, built with tf.layers to mirror ../shared/bench/torch_peer.py
 * layer for layer (same convs, channels, BN, pooling), so FLOPs and img/s compare 1:1:
 *   simplecnn  3 x [Conv3x3 -> BN -> ReLU -> MaxPool2] (32, 64, 128), GAP, Dense(5)
 *   resnet50   torchvision ResNet-50 (bottleneck, stride on the 3x3), GAP, Dense(5)
 *   unet       U-Net, ResNet-34 encoder, decoder (256, 128, 64, 32, 16) with nearest x2
 *              upsampling + skip concat + 2 x (Conv3x3 BN ReLU), Conv3x3 head -> 4 logits
 * Self-contained on purpose: the bench must not move when the model registry evolves. Two pieces
 * come from the library because they are part of the training path being measured: the
 * BatchNormalization layer (fused on wasm, models/fused-batch-norm.ts) and the stem convs that
 * skip the model input's gradient (models/input-conv.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { batchNorm } from "../../src/lib/models/layers";
import { skipInputGradients } from "../../src/lib/models/input-conv";
import { createRng, type Rng } from "../../src/lib/util/rng";

type Sym = tf.SymbolicTensor;

class Builder {
  private n = 0;
  constructor(private readonly rng: Rng) {}

  private name(kind: string): string {
    return `${kind}_${++this.n}`;
  }

  conv(x: Sym, filters: number, k: number, stride = 1, bias = false): Sym {
    return tf.layers
      .conv2d({
        filters,
        kernelSize: k,
        strides: stride,
        padding: "same",
        useBias: bias,
        kernelInitializer: tf.initializers.heNormal({ seed: this.rng.seed32() }),
        name: this.name("conv"),
      })
      .apply(x) as Sym;
  }

  bn(x: Sym): Sym {
    return batchNorm(this.name("bn"), 1e-5).apply(x) as Sym; // momentum 0.9 as torch's 0.1
  }

  relu(x: Sym): Sym {
    return tf.layers.reLU({ name: this.name("relu") }).apply(x) as Sym;
  }

  convBnRelu(x: Sym, filters: number, k: number, stride = 1): Sym {
    return this.relu(this.bn(this.conv(x, filters, k, stride)));
  }

  maxPool(x: Sym, size: number, stride: number): Sym {
    return tf.layers.maxPooling2d({ poolSize: size, strides: stride, padding: "same", name: this.name("pool") }).apply(x) as Sym;
  }

  add(a: Sym, b: Sym): Sym {
    return tf.layers.add({ name: this.name("add") }).apply([a, b]) as Sym;
  }

  gapDense(x: Sym, units: number): Sym {
    const g = tf.layers.globalAveragePooling2d({ name: this.name("gap") }).apply(x) as Sym;
    return tf.layers
      .dense({ units, kernelInitializer: tf.initializers.glorotUniform({ seed: this.rng.seed32() }), name: this.name("fc") })
      .apply(g) as Sym;
  }
}

function withStemSkip(model: tf.LayersModel): tf.LayersModel {
  skipInputGradients(model);
  return model;
}

/** Logits [batch, classes]. */
export function buildSimpleCNN(inputSize: number, classes = 5, seed = 42): tf.LayersModel {
  const b = new Builder(createRng(seed, "bench/simplecnn"));
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  let x: Sym = input;
  for (const c of [32, 64, 128]) x = b.maxPool(b.relu(b.bn(b.conv(x, c, 3, 1, true))), 2, 2);
  return withStemSkip(tf.model({ inputs: input, outputs: b.gapDense(x, classes), name: "simplecnn" }));
}

function bottleneck(b: Builder, x: Sym, mid: number, stride: number, project: boolean): Sym {
  let y = b.convBnRelu(x, mid, 1);
  y = b.convBnRelu(y, mid, 3, stride);
  y = b.bn(b.conv(y, mid * 4, 1));
  const sc = project ? b.bn(b.conv(x, mid * 4, 1, stride)) : x;
  return b.relu(b.add(y, sc));
}

function basicBlock(b: Builder, x: Sym, c: number, stride: number, project: boolean): Sym {
  let y = b.convBnRelu(x, c, 3, stride);
  y = b.bn(b.conv(y, c, 3));
  const sc = project ? b.bn(b.conv(x, c, 1, stride)) : x;
  return b.relu(b.add(y, sc));
}

/** Logits [batch, classes]. */
export function buildResNet50(inputSize: number, classes = 5, seed = 42): tf.LayersModel {
  const b = new Builder(createRng(seed, "bench/resnet50"));
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  let x = b.maxPool(b.convBnRelu(input, 64, 7, 2), 3, 2);
  const stages: Array<[number, number, number]> = [
    [64, 3, 1],
    [128, 4, 2],
    [256, 6, 2],
    [512, 3, 2],
  ];
  for (const [mid, blocks, stride] of stages) {
    for (let i = 0; i < blocks; i++) x = bottleneck(b, x, mid, i === 0 ? stride : 1, i === 0);
  }
  return withStemSkip(tf.model({ inputs: input, outputs: b.gapDense(x, classes), name: "resnet50" }));
}

/** ResNet-34 encoder features at strides 2, 4, 8, 16, 32. */
function resnet34Encoder(b: Builder, input: Sym): Sym[] {
  const f1 = b.convBnRelu(input, 64, 7, 2);
  let x = b.maxPool(f1, 3, 2);
  const feats: Sym[] = [f1];
  const stages: Array<[number, number, number]> = [
    [64, 3, 1],
    [128, 4, 2],
    [256, 6, 2],
    [512, 3, 2],
  ];
  for (const [c, blocks, stride] of stages) {
    for (let i = 0; i < blocks; i++) {
      const first = i === 0;
      x = basicBlock(b, x, c, first ? stride : 1, first && (stride !== 1 || c !== 64));
    }
    feats.push(x);
  }
  return feats;
}

/** Mask logits [batch, size, size, outChannels]. */
export function buildUNetR34(inputSize: number, outChannels = 4, seed = 42): tf.LayersModel {
  const b = new Builder(createRng(seed, "bench/unet"));
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  const [f1, f2, f3, f4, f5] = resnet34Encoder(b, input);
  const skips: Array<Sym | undefined> = [f4, f3, f2, f1, undefined];
  const channels = [256, 128, 64, 32, 16];
  let d = f5;
  channels.forEach((c, i) => {
    d = tf.layers.upSampling2d({ size: [2, 2], interpolation: "nearest", name: `up_${i}` }).apply(d) as Sym;
    const skip = skips[i];
    if (skip) d = tf.layers.concatenate({ name: `cat_${i}` }).apply([d, skip]) as Sym;
    d = b.convBnRelu(b.convBnRelu(d, c, 3), c, 3);
  });
  const head = b.conv(d, outChannels, 3, 1, true);
  return withStemSkip(tf.model({ inputs: input, outputs: head, name: "unet_r34" }));
}

export type BenchModelName = "simplecnn" | "resnet50" | "unet";

export interface BenchModelSpec {
  name: BenchModelName;
  /** torch_peer.py's name for the same model. */
  peerName: string;
  inputSize: number;
  batch: number;
  task: "cls" | "seg";
  build(seed?: number): tf.LayersModel;
}

export const BENCH_MODELS: BenchModelSpec[] = [
  { name: "simplecnn", peerName: "simplecnn", inputSize: 224, batch: 16, task: "cls", build: (s) => buildSimpleCNN(224, 5, s) },
  { name: "resnet50", peerName: "resnet50", inputSize: 224, batch: 16, task: "cls", build: (s) => buildResNet50(224, 5, s) },
  { name: "unet", peerName: "unet_r34", inputSize: 256, batch: 8, task: "seg", build: (s) => buildUNetR34(256, 4, s) },
];

export interface FlopCount {
  /** Multiply-accumulates of one forward pass per image (conv + dense layers). */
  forwardMacs: number;
  /** MACs of one training step per image: forward + weight grads + input grads (not of the model input). */
  trainMacs: number;
}

/** Counts conv/dense MACs analytically from the layers' configs and output shapes. */
export function countMacs(model: tf.LayersModel): FlopCount {
  let fwd = 0;
  let inputGradSkipped = 0;
  const inputNames = new Set(model.inputs.map((t) => t.name));
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const outShape = layer.outputShape as number[];
    const inShape = (layer.input as Sym).shape as number[];
    let macs = 0;
    if (cls === "Conv2D") {
      const cfg = layer.getConfig() as { kernelSize: number[] | number; filters: number };
      const k = Array.isArray(cfg.kernelSize) ? cfg.kernelSize : [cfg.kernelSize, cfg.kernelSize];
      macs = outShape[1] * outShape[2] * k[0] * k[1] * (inShape[3] as number) * cfg.filters;
    } else if (cls === "Dense") {
      macs = (inShape[inShape.length - 1] as number) * (outShape[outShape.length - 1] as number);
    }
    fwd += macs;
    const src = (layer.input as Sym).name;
    if (macs > 0 && inputNames.has(src)) inputGradSkipped += macs;
  }
  return { forwardMacs: fwd, trainMacs: 3 * fwd - inputGradSkipped };
}
