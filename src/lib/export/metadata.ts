/**
 * metadata.json of an exported model: everything the inspection page needs besides the weights
 * (classes, input, the decision rule) and what a reader needs to trust it (data source, metrics,
 * backend, seed). Plain data, no Node imports: the page's worker reads the same type.
 */
import type { QuantizeScheme } from "./quantize";

export const EXPORT_FORMAT = "steel-defect-lab/export";
export const EXPORT_VERSION = 1;

export interface ExportInput {
  height: number;
  width: number;
  channels: 1 | 3;
  /** How an image file becomes the model's input, step by step (the page implements exactly this). */
  preprocessing: string[];
  /** The model's own first layer (runs inside the model, in Node and in the browser). */
  normalization: string;
}

/** The safety-first rule, chosen on validation: predict `critical` when factor · p_critical ≥ max of the others. */
export interface ExportOperatingPoint {
  critical: string;
  criticalClass: number;
  targetRecall: number;
  method: "prior";
  factor: number;
  reached: boolean;
  valRecallBefore: number;
  valRecallAfter: number;
  testRecallBefore: number;
  testRecallAfter: number;
}

export interface ExportMetadata {
  format: typeof EXPORT_FORMAT;
  version: number;
  kind: "classifier" | "segmenter";
  model: string;
  mode: "single" | "multi";
  classNames: string[];
  input: ExportInput;
  quantization: QuantizeScheme;
  /** null when the dataset has no crack-like class or the run is multi-label (then: plain argmax / 0.5). */
  operatingPoint: ExportOperatingPoint | null;
  /** A decision whose top-two probability margin is below this is marked "needs review". */
  reviewMargin: number;
  data: { dataset: string; source: "real" | "synthetic"; testImages: number };
  metrics: { testAccuracy: number; testMacroF1?: number };
  backend: string;
  seed: number;
  /** Classifier exports with a U-Net beside it: the folder of its web model ("segmenter/"). */
  segmenter?: string;
  /** Segmentation: probability threshold per mask pixel. */
  maskThreshold?: number;
}

/** The classes treated as crack-like by default (notebook 04's class_2; NEU's crazing). */
export const DEFAULT_CRITICAL: Record<string, string> = { severstal: "class_2", neu: "crazing" };
