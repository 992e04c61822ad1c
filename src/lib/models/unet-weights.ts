/**
 * ImageNet encoder weights for a U-Net from a local Keras `.h5` (the classifier's mechanism,
 * keras-h5.ts): only encoder layers are loaded — by the Keras layer names the ResNet encoders
 * share — and the decoder keeps its seeded initialisation. Nothing is downloaded: without a file
 * the model stays as built and the note says it trains from scratch.
 */
import type * as tf from "@tensorflow/tfjs";
import { projectPaths, type ProjectPaths } from "../config/paths";
import { getModelInfo } from "./info";
import { findPretrainedWeights, loadKerasH5Weights, type KerasH5LoadReport } from "./keras-h5";

export interface EncoderWeightsResult {
  used: boolean;
  /** One sentence for logs and reports: what was loaded from where, or why nothing was. */
  note: string;
  report?: KerasH5LoadReport;
}

/**
 * Loads encoder weights into a U-Net built by createModel("unet"). `file` defaults to the shared
 * ResNet50 notop weights (findPretrainedWeights) for encoder resnet50; resnet18/34 need an explicit
 * Keras-layout file. A file that does not fit (shapes, channels) is an error naming the layer.
 */
export async function loadUnetEncoderWeights(model: tf.LayersModel, file?: string, paths: ProjectPaths = projectPaths()): Promise<EncoderWeightsResult> {
  const info = getModelInfo(model);
  if (!info || info.task !== "segmentation") throw new Error(`loadUnetEncoderWeights: ${model.name} was not built by createModel("unet")`);
  const source = file ?? (info.encoder === "resnet50" ? findPretrainedWeights(paths) : undefined);
  if (!source) {
    const where = info.encoder === "resnet50" ? "outputs/models/pretrained/ or STEEL_RESNET50_WEIGHTS" : `an explicit .h5 for ${info.encoder}`;
    return { used: false, note: `no encoder weights found (${where}): ${info.encoder} encoder trained FROM SCRATCH` };
  }
  if (info.options.inputShape[2] !== 3) {
    throw new Error(`loadUnetEncoderWeights: ImageNet weights need 3-channel input, the model takes ${info.options.inputShape[2]}; build it with channels 3`);
  }
  const encoderLayers = new Set(Object.keys(info.stageOf));
  const report = await loadKerasH5Weights(model, source, { filter: (name) => encoderLayers.has(name) });
  return { used: true, note: `encoder weights from ${source}: ${report.loaded.length} encoder layers loaded`, report };
}
