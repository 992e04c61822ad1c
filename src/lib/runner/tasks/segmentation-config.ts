/** The settings of a segmentation run (presets in experiments/presets.ts fill them per profile). */
import type { SplitFractions } from "../../data/splits";
import type { LossOptions } from "../../losses/registry";
import type { InputNormalization } from "../../models/input-normalization";
import type { Connectivity } from "../../segmentation/components";
import type { SearchGrid } from "../../segmentation/postprocess-search";
import type { FlipTta } from "../../segmentation/predict";
import type { OptimizerSpec } from "../../train/optimizers/factory";
import type { SchedulerSpec } from "../../train/schedulers";

export type SegmentationLoss = "bce-dice" | "dice" | "bce" | "binary-focal" | "lovasz-hinge";

export interface SegmentationConfig {
  /** Run folder name under outputs/models/ (and split CSV name). */
  run: string;
  /** Write the run folder here instead of outputs/models/<run> (the `segment train` --out). */
  outDir?: string;
  /** U-Net encoder: resnet18 | resnet34 (CPU) | resnet50 (the shared ImageNet .h5 loads into it). */
  encoder: "resnet18" | "resnet34" | "resnet50";
  /** Decoder channels per upsampling step (default [256, 128, 64, 32, 16]). */
  decoderChannels?: number[];
  /** Load encoder weights from a local Keras .h5 when present (resnet50: the shared ImageNet file). */
  pretrained?: boolean;
  channels: 1 | 3;
  inputNormalization?: InputNormalization;
  /**
   * Scale of the full frame the model sees (default 1): 0.5 trains on crops of 128×800 frames
   * and predicts at that size, probabilities resized back to 256×1600 for the masks — a quarter
   * of the pixels per image, so more crops and frames fit a CPU budget (thin defects suffer).
   */
  inputScale?: number;
  /** Training crop side (multiple of 32) — also the inference tile of the stitched prediction. */
  tile: number;
  /** "defect": centred on a defect pixel with probability defectProb; "random": uniform. */
  cropMode?: "random" | "defect";
  defectProb?: number;
  /** Training images drawn per epoch (one crop each, a fresh seeded draw every epoch); default all. */
  tilesPerEpoch?: number;
  /** Horizontal + vertical flips of image and masks during training. */
  augment?: "none" | "flips";
  split?: SplitFractions;
  /** Full validation / test images scored by stitched inference (evenly spaced over the split); default all. */
  valImages?: number;
  /** Of those, the frames scored after every epoch (evenly spaced; default all): a cheaper per-epoch check. */
  epochValImages?: number;
  testImages?: number;
  epochs: number;
  batchSize: number;
  microBatchSize?: number;
  optimizer: OptimizerSpec;
  /** ReduceLROnPlateau on the monitor by default. */
  scheduler?: SchedulerSpec;
  loss: SegmentationLoss;
  lossOptions?: LossOptions;
  /** val_kaggle (the competition score, default) or val_dice (pixel Dice pooled over images). */
  monitor?: "val_kaggle" | "val_dice";
  /** Early-stopping patience in epochs (0/undefined = off); the best checkpoint is restored after. */
  patience?: number;
  /** Minimum overlap of neighbouring inference tiles (pixels). */
  minOverlap?: number;
  /** Flip TTA at evaluation and prediction. */
  tta?: FlipTta;
  /** Post-processing search on the validation split (per class threshold × minimum area). */
  search: SearchGrid;
  /** Minimum component size (pixels, 0 = off) and its connectivity, applied to every class. */
  minComponentSize?: number;
  connectivity?: Connectivity;
  /** Initial probability of every output pixel (output bias = logit(π)); default 0.01. Sigmoid outputs only. */
  headPrior?: number;
  /** Validation images drawn as predicted-vs-true figures (default 4). */
  examples?: number;
}

/** config.json of a trained segmenter: the config plus what rebuilding it needs. */
export type TrainedSegmentationConfig = SegmentationConfig & { task: "segmentation"; classNames: string[]; dataset: string; seed?: number };
