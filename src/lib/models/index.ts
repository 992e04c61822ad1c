/**
 * Models by name (segmentation_models.pytorch style): encoders, heads and decoders as small
 * modules composed by `createModel(name, {inputShape, classes, seed, ...})`.
 */
export { createModel, listModels, registerModel } from "./registry";
export type { RegisterOptions } from "./registry";
export type { EncoderFeatures, HeadOptions, InputShape, ModelFactory, ModelInfo, ModelOptions } from "./types";
export { getModelInfo, stageFromLayerName, layerStages } from "./info";
export { freezeStages, countWeights } from "./freeze";
export type { FreezeReport } from "./freeze";
export { summarizeModel, formatSummary } from "./summary";
export type { ModelSummary, ParamGroup } from "./summary";
export { buildEncoder, encoderOutChannels, ENCODER_NAMES } from "./encoders/encoders";
export { resnetOutChannels, RESNET_NAMES } from "./encoders/resnet";
export { DEFAULT_DECODER_CHANNELS, unetBlockInChannels } from "./decoders/unet";
export { findPretrainedWeights, loadKerasH5Weights, loadH5wasm, RESNET50_NOTOP_FILE } from "./keras-h5";
export type { KerasH5LoadOptions, KerasH5LoadReport } from "./keras-h5";
export { kerasResNetPreprocess, CAFFE_BGR_MEAN } from "./preprocess";
export { InputNormalizationLayer, normalizeInput, INPUT_NORMALIZATIONS, type InputNormalization } from "./input-normalization";
