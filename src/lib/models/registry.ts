/**
 * Models by name: `createModel("resnet50", {inputShape, classes, seed, ...})`.
 * The registry holds factories only (plain functions); nothing is built until createModel.
 *
 * Built-ins:
 *   simplecnn            Keras baseline CNN (3 conv blocks) + classification head
 *   neu-net              five double-conv blocks (NEU from scratch) + classification head
 *   resnet18 / resnet34  basic-block ResNets (CPU-friendly) + classification head
 *   resnet50             Keras-applications ResNet50 (ImageNet .h5 loads by name) + head
 *   unet                 U-Net, `encoder` option resnet18 | resnet34 (default) | resnet50
 */
import * as tf from "@tensorflow/tfjs";
import { buildClassifier, buildUnet } from "./builders";
import type { ModelFactory, ModelOptions } from "./types";

const factories = new Map<string, ModelFactory>();

export interface RegisterOptions {
  /** Replace an existing registration instead of failing. */
  override?: boolean;
}

export function registerModel(name: string, factory: ModelFactory, opts: RegisterOptions = {}): void {
  if (!/^[a-z0-9][a-z0-9_\-]*$/i.test(name)) throw new Error(`model name "${name}" must be alphanumeric (plus _ and -)`);
  if (factories.has(name) && !opts.override) {
    throw new Error(`model "${name}" is already registered; pass {override: true} to replace it`);
  }
  factories.set(name, factory);
}

/** Registered model names, sorted. */
export function listModels(): string[] {
  return [...factories.keys()].sort();
}

/** Builds a fresh model; the same options (seed included) give identical weights. */
export function createModel(name: string, options: ModelOptions): tf.LayersModel {
  const factory = factories.get(name);
  if (!factory) {
    throw new Error(`unknown model "${name}"; known models: ${listModels().join(", ")}`);
  }
  if (options === null || typeof options !== "object") {
    throw new Error(`createModel("${name}"): options {inputShape, classes, seed} are required`);
  }
  return factory(options);
}

registerModel("simplecnn", (o) => buildClassifier("simplecnn", "simplecnn", o));
registerModel("neu-net", (o) => buildClassifier("neu-net", "neu-net", o));
registerModel("resnet18", (o) => buildClassifier("resnet18", "resnet18", o));
registerModel("resnet34", (o) => buildClassifier("resnet34", "resnet34", o));
registerModel("resnet50", (o) => buildClassifier("resnet50", "resnet50", o));
registerModel("unet", buildUnet);
