/** The settings of a classification run (presets in experiments/presets.ts fill them per profile). */
import type { ImageSize } from "../../data/views";
import type { SplitFractions } from "../../data/splits";
import type { ClassWeightMode } from "../../data/sampler";
import type { HeadOptions } from "../../models/types";
import type { InputNormalization } from "../../models/input-normalization";
import type { OptimizerSpec } from "../../train/optimizers/factory";
import type { SchedulerSpec } from "../../train/schedulers";

/**
 * none; flips (h+v); dihedral (flips + rot90, for square rotation-invariant textures like NEU); standard (flips + brightness/contrast);
 * neu (dihedral + random scale crop + gain/gamma jitter: the NEU from-scratch recipe);
 * neu-capture (neu + the capture perturbations of data/capture at severity ≤ 3: the robustness mitigation).
 */
export type AugmentPreset = "none" | "flips" | "dihedral" | "standard" | "neu" | "neu-capture";

export interface ClassificationConfig {
  /** Output folder name under outputs/models/ (and split CSV name). */
  run: string;
  /** Write the run folder here instead of outputs/models/<run> (the `train` CLI's --out). */
  outDir?: string;
  /** "single": softmax over dataset classes (Severstal: OK + 4); "multi": 4 sigmoid presence labels. */
  mode: "single" | "multi";
  model: string;
  head?: HeadOptions;
  /** Stage-wise freezing 0–4 (only meaningful with pretrained weights). */
  freeze?: number;
  /** Load ImageNet weights for resnet50 when a local .h5 is found (see `make weights`). */
  pretrained?: boolean;
  /** ResNets: start every residual block as the identity (ModelOptions.zeroInitResidual). */
  zeroInitResidual?: boolean;
  imageSize: ImageSize;
  channels: 1 | 3;
  /**
   * The model's first layer (src/lib/models/input-normalization.ts): default "standardize"
   * (per image); "caffe" for Keras ImageNet weights.
   */
  inputNormalization?: InputNormalization;
  split?: SplitFractions;
  epochs: number;
  batchSize: number;
  microBatchSize?: number;
  optimizer: OptimizerSpec;
  scheduler?: SchedulerSpec;
  loss?: "cross-entropy" | "focal" | "bce";
  labelSmoothing?: number;
  /** Class weights for the loss ("none" to disable). */
  classWeights?: ClassWeightMode | "none";
  /**
   * WeightedRandomSampler over the training split. "balanced": inverse class frequency (every
   * class equally often); "sqrt-balanced": inverse square root, i.e. half the correction — with "sqrt-inverse" loss weights the two together
   * balance the classes exactly once (a balanced sampler AND weighted loss over-correct: the
   * rarest class then dominates the loss by sqrt(n_max / n_min)).
   */
  sampler?: "balanced" | "sqrt-balanced" | "none";
  augment?: AugmentPreset;
  /** Early-stopping patience in epochs (0/undefined = off). */
  patience?: number;
  /** Metric that picks the best checkpoint (default val_macroF1 for single-label). */
  monitor?: string;
  /** Decoded images kept in memory across epochs (default "memory": datasets here are small). */
  cache?: "memory" | "none";
}

/** config.json of a trained classifier: the config plus what rebuilding it needs. */
export type TrainedConfig = ClassificationConfig & { classNames: string[]; dataset: string; seed?: number };
