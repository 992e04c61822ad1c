/**
 * Whole models composed from an encoder plus a head or decoder:
 *   classifier(encoder) : input [b, H, W, C] → [b, classes] probabilities (softmax | sigmoid)
 *   unet(encoder)       : input [b, H, W, C] → [b, H, W, classes] (sigmoid | logits)
 */
import * as tf from "@tensorflow/tfjs";
import { buildEncoder } from "./encoders/encoders";
import { isResNetName, RESNET_NAMES } from "./encoders/resnet";
import { DEFAULT_DECODER_CHANNELS, unetDecoder } from "./decoders/unet";
import { classificationHead } from "./heads/classification";
import { freezeStages } from "./freeze";
import { setModelInfo } from "./info";
import { skipInputGradients } from "./input-conv";
import { normalizeInput } from "./input-normalization";
import type { ModelOptions } from "./types";

/** Validates the options every factory shares; errors name the model and the bad field. */
export function checkCommonOptions(model: string, o: ModelOptions): void {
  const s = o.inputShape;
  if (!Array.isArray(s) || s.length !== 3 || s.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new Error(`${model}: inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(s)}`);
  }
  if (!Number.isInteger(o.classes) || o.classes <= 0) {
    throw new Error(`${model}: classes must be a positive integer, got ${o.classes}`);
  }
  if (!Number.isInteger(o.seed)) throw new Error(`${model}: seed must be an integer, got ${o.seed}`);
}

/** Encoder named `encoder` + classification head; `name` is the registered model name. */
export function buildClassifier(name: string, encoder: string, o: ModelOptions): tf.LayersModel {
  checkCommonOptions(name, o);
  if (o.encoder !== undefined && o.encoder !== encoder) {
    throw new Error(`${name}: option "encoder" is only for "unet" (got "${o.encoder}")`);
  }
  const input = tf.input({ shape: o.inputShape, name: "input_1" });
  const enc = buildEncoder(encoder, normalizeInput(input, o.inputNormalization), o.seed, { zeroInitResidual: o.zeroInitResidual });
  const last = enc.features[enc.features.length - 1];
  const output = classificationHead(last, {
    ...(o.head ?? {}),
    classes: o.classes,
    multiLabel: o.multiLabel,
    inChannels: enc.outChannels[enc.outChannels.length - 1],
    seed: o.seed,
  });
  const model = tf.model({ inputs: input, outputs: output, name });
  skipInputGradients(model);
  setModelInfo(model, {
    name,
    task: "classification",
    encoder,
    outChannels: enc.outChannels,
    featureLayers: enc.featureLayers,
    stageOf: enc.stageOf,
    stageLabels: enc.stageLabels,
    maxFreeze: enc.maxFreeze,
    options: o,
  });
  if (o.freeze) freezeStages(model, o.freeze);
  return model;
}

/** "H and W must be multiples of 32: got 250×1600; pad to 256×1600 or crop to 224×1600". */
export function unetSizeError(h: number, w: number): string {
  const up = (v: number) => Math.ceil(v / 32) * 32;
  const down = (v: number) => Math.floor(v / 32) * 32;
  const crop = down(h) > 0 && down(w) > 0 ? ` or crop to ${down(h)}×${down(w)}` : "";
  return `unet: H and W must be multiples of 32 (the encoder halves them 5 times): got ${h}×${w}; pad to ${up(h)}×${up(w)}${crop}`;
}

/** U-Net with a ResNet encoder; input height and width must be multiples of 32. */
export function buildUnet(o: ModelOptions): tf.LayersModel {
  checkCommonOptions("unet", o);
  const encoder = o.encoder ?? "resnet34";
  if (!isResNetName(encoder)) {
    throw new Error(`unet: encoder must be one of ${RESNET_NAMES.join(", ")} (five stages down to H/32), got "${encoder}"`);
  }
  const [h, w] = o.inputShape;
  if (h % 32 !== 0 || w % 32 !== 0) throw new Error(unetSizeError(h, w));
  const input = tf.input({ shape: o.inputShape, name: "input_1" });
  const enc = buildEncoder(encoder, normalizeInput(input, o.inputNormalization), o.seed, { zeroInitResidual: o.zeroInitResidual });
  const output = unetDecoder(enc.features, {
    encoderChannels: enc.outChannels,
    decoderChannels: o.decoderChannels ?? DEFAULT_DECODER_CHANNELS,
    classes: o.classes,
    activation: o.activation ?? "sigmoid",
    seed: o.seed,
  });
  const model = tf.model({ inputs: input, outputs: output, name: `unet_${encoder}` });
  skipInputGradients(model);
  setModelInfo(model, {
    name: "unet",
    task: "segmentation",
    encoder,
    outChannels: enc.outChannels,
    featureLayers: enc.featureLayers,
    stageOf: enc.stageOf,
    stageLabels: enc.stageLabels,
    maxFreeze: enc.maxFreeze,
    options: o,
  });
  if (o.freeze) freezeStages(model, o.freeze);
  return model;
}
