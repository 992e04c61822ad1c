/**
 * Encoders by name. Each declares its stage channels up front so heads and decoders can be
 * sized before (and checked after) the encoder graph is built.
 */
import * as tf from "@tensorflow/tfjs";
import type { EncoderFeatures } from "../types";
import { buildResNet, isResNetName, RESNET_NAMES, resnetOutChannels } from "./resnet";
import { buildSimpleCnn, SIMPLECNN_WIDTHS } from "./simplecnn";
import { buildNeuNet, NEUNET_WIDTHS } from "./neunet";

export const ENCODER_NAMES: readonly string[] = ["simplecnn", "neu-net", ...RESNET_NAMES];

export interface EncoderOptions {
  /** ResNets only (see ModelOptions.zeroInitResidual). */
  zeroInitResidual?: boolean;
}

export function buildEncoder(name: string, input: tf.SymbolicTensor, seed: number, options: EncoderOptions = {}): EncoderFeatures {
  if (name === "simplecnn") return buildSimpleCnn(input, seed);
  if (name === "neu-net") return buildNeuNet(input, seed);
  if (isResNetName(name)) return buildResNet(name, input, seed, options.zeroInitResidual ?? false);
  throw new Error(`unknown encoder "${name}"; known encoders: ${ENCODER_NAMES.join(", ")}`);
}

/** Declared output channels per stage, without building anything. */
export function encoderOutChannels(name: string): number[] {
  if (name === "simplecnn") return [...SIMPLECNN_WIDTHS];
  if (name === "neu-net") return [...NEUNET_WIDTHS];
  if (isResNetName(name)) return resnetOutChannels(name);
  throw new Error(`unknown encoder "${name}"; known encoders: ${ENCODER_NAMES.join(", ")}`);
}
