/**
 * The settings of each notebook's experiments per profile: `smoke` (CI, seconds), `quick` (the
 * default `make reproduce`, minutes on a 2-core CPU), `full` (the write-ups' settings, for a GPU).
 * Kept in one place so notebooks, the CLI and the README quote the same numbers.
 */
import { Profile } from "../config/run-config";
import { ClassificationConfig } from "./classification";
import type { SegmentationConfig } from "../runner/tasks/segmentation-config";

type PerProfile<T> = Record<Profile, T>;

function pick<T>(profile: Profile, v: PerProfile<T>): T {
  return v[profile];
}

/** Notebook 03: the Keras-style baseline on Severstal, single label (OK + 4 defect classes). */
export function simpleCnnPreset(profile: Profile): ClassificationConfig {
  return {
    run: "03_simplecnn_baseline",
    mode: "single",
    model: "simplecnn",
    head: { hidden: 64, dropout: 0.3 },
    // quick: ~30 s per epoch on 2-core wasm (measured 2026-11-30, fused batch norm), 7 epochs: notebook 4 min.
    imageSize: pick(profile, { smoke: { height: 32, width: 192 }, quick: { height: 48, width: 288 }, full: { height: 128, width: 800 } }),
    channels: 1,
    epochs: pick(profile, { smoke: 2, quick: 7, full: 40 }),
    batchSize: 16,
    optimizer: { name: "adamw", lr: 2e-3, weightDecay: 1e-4 },
    scheduler: { type: "cosine", minLr: 1e-5 },
    loss: "cross-entropy",
    classWeights: "sqrt-inverse",
    sampler: "sqrt-balanced",
    augment: "flips",
    patience: pick(profile, { smoke: 0, quick: 0, full: 8 }),
  };
}

/**
 * Notebook 04: ResNet50 as in the classification write-up — partially frozen (with ImageNet
 * weights), AdamW, weighted cross-entropy, weighted sampler. Without pretrained weights frozen
 * random stages would learn nothing, so `freeze` drops to 0 and the notebook says so.
 * `fastBackend`: false on a backend without fast convolutions (wasm without the oneDNN addon,
 * cpu), where the quick profile's 10-minute budget holds one epoch instead of six.
 */
export function resnet50Preset(profile: Profile, pretrainedAvailable: boolean, fastBackend = true): ClassificationConfig {
  return {
    run: "04_resnet50_classifier",
    mode: "single",
    model: "resnet50",
    head: { hidden: 512, dropout: 0.5 },
    pretrained: true,
    freeze: pretrainedAvailable ? 2 : 0,
    // From scratch, every residual block starts as the identity (γ = 0 on its last BN).
    zeroInitResidual: !pretrainedAvailable,
    inputNormalization: pretrainedAvailable ? "caffe" : "standardize",
    // quick: the baseline's input size. With the native convolutions (oneDNN addon) ResNet50
    // trains at ~10 img/s here, ~75 s per epoch (measured 2026-11-30): 6 epochs ≈ 8 min. On wasm
    // alone (fastBackend false) it is ~2 img/s, so the budget holds one epoch.
    imageSize: pick(profile, { smoke: { height: 32, width: 192 }, quick: { height: 48, width: 288 }, full: { height: 256, width: 1600 } }),
    channels: 3,
    epochs: pick(profile, { smoke: 1, quick: fastBackend ? 6 : 1, full: 30 }),
    batchSize: 16,
    optimizer: { name: "adamw", lr: pretrainedAvailable ? 3e-4 : 1e-3, weightDecay: 1e-2 },
    scheduler: profile === "full" ? { type: "cosine", minLr: 1e-5, warmup: { epochs: 1 } } : { type: "cosine", minLr: 1e-5 },
    loss: "cross-entropy",
    labelSmoothing: 0.05,
    classWeights: "sqrt-inverse",
    sampler: "sqrt-balanced",
    augment: "flips",
    patience: pick(profile, { smoke: 0, quick: 0, full: 8 }),
  };
}

/**
 * NEU surface defects from scratch (6 balanced classes, 200×200 grey): the SimpleCNN with a wider
 * head at 96×96 (quick), dihedral augmentation (textures have no preferred orientation), 70/15/15
 * stratified split. Used by the NEU accuracy experiment (`make experiment-neu`) and notebook 09.
 * The default recipe: it measured better on real NEU than neu-net (docs/neu.md: 97.0 % on 600
 * other real images vs neu-net's 96.2 % on its 600-image test split); `--recipe neu-net` picks the other.
 */
export function neuPreset(profile: Profile): ClassificationConfig {
  return {
    run: "neu_simplecnn",
    mode: "single",
    model: "simplecnn",
    head: { hidden: 128, dropout: 0.3 },
    // quick: ~1 min per epoch on 2-core wasm at 96×96 (measured 2026-11-30).
    imageSize: pick(profile, { smoke: { height: 64, width: 64 }, quick: { height: 96, width: 96 }, full: { height: 200, width: 200 } }),
    channels: 1,
    split: { train: 0.7, val: 0.15, test: 0.15 },
    epochs: pick(profile, { smoke: 2, quick: 20, full: 60 }),
    batchSize: 16,
    optimizer: { name: "adamw", lr: 2e-3, weightDecay: 1e-4 },
    scheduler: { type: "cosine", minLr: 1e-5, warmup: { epochs: 1 } },
    loss: "cross-entropy",
    labelSmoothing: 0.05,
    augment: "dihedral",
  };
}

/**
 * NEU surface defects from scratch (6 balanced classes, 200×200 grey), the recipe of docs/neu.md:
 * neu-net (five double-conv blocks) at 112² (quick), dihedral + scale-crop + gain/gamma
 * augmentation, label smoothing 0.1, AdamW with a one-cycle schedule. Split 45/5/50 stratified:
 * 600 test images so the accuracy has a useful confidence interval (±0.6 pt at 99 %), and a small
 * val split that only picks the checkpoint (by val loss — val accuracy on 60 images ties at 100 %).
 * Used by the NEU accuracy experiment (`make experiment-neu`) and the checkpoint notebook 09 reads.
 */
export function neuNetPreset(profile: Profile): ClassificationConfig {
  return {
    run: "neu_net",
    mode: "single",
    model: "neu-net",
    head: { dropout: 0.2 },
    imageSize: pick(profile, { smoke: { height: 48, width: 48 }, quick: { height: 112, width: 112 }, full: { height: 200, width: 200 } }),
    channels: 1,
    split: { train: 0.45, val: 0.05, test: 0.5 },
    epochs: pick(profile, { smoke: 2, quick: 24, full: 60 }),
    batchSize: 32,
    // The whole batch in one step: neu-net at 112² needs far less than the wasm heap's budget.
    microBatchSize: 32,
    optimizer: { name: "adamw", lr: 4e-3, weightDecay: 1e-2 },
    scheduler: { type: "one-cycle", pctStart: 0.25 },
    loss: "cross-entropy",
    labelSmoothing: 0.1,
    augment: "neu",
    monitor: "val_loss",
  };
}

/**
 * Notebook 06 / the `hpo` command's "classifier" objective: the base configuration each trial
 * starts from (the search space then sets lr, batch size, freeze or head width, scheduler).
 * smoke/quick: the SimpleCNN at a smaller input and few epochs, so a study of ~10 trials fits the
 * quick budget; full: ResNet50 as in the write-up. `epochs` is per trial; pruning may stop earlier.
 */
export function hpoClassifierPreset(profile: Profile, pretrainedAvailable: boolean): ClassificationConfig {
  if (profile === "full") return { ...resnet50Preset(profile, pretrainedAvailable), run: "06_hpo", patience: 0, epochs: 10 };
  const base = simpleCnnPreset(profile);
  return {
    ...base,
    run: "06_hpo",
    imageSize: pick(profile, { smoke: { height: 32, width: 192 }, quick: { height: 32, width: 192 }, full: base.imageSize }),
    epochs: pick(profile, { smoke: 2, quick: 3, full: base.epochs }),
  };
}

/** Batch sizes the HPO search offers per profile (the write-up's {16, 32, 64}; smaller on smoke's few images). */
export function hpoBatchSizes(profile: Profile): number[] {
  return pick(profile, { smoke: [4, 8], quick: [16, 32, 64], full: [16, 32, 64] });
}

/** Notebook 06's study budget per profile: trials, the median pruner's start-up trials, epochs of the final retraining. */
export function hpoStudyPreset(profile: Profile): { nTrials: number; nStartupTrials: number; retrainEpochs: number } {
  return pick(profile, { smoke: { nTrials: 4, nStartupTrials: 2, retrainEpochs: 2 }, quick: { nTrials: 10, nStartupTrials: 3, retrainEpochs: 5 }, full: { nTrials: 30, nStartupTrials: 5, retrainEpochs: 30 } });
}

/**
 * Notebook 05 / `segment train`: U-Net on crops biased towards defects, BCE + Dice, Adam 1e-4 in
 * the write-up (here AdamW 2e-3 with a cosine decay, from scratch: no ImageNet encoder offline),
 * best checkpoint / early stopping on a stitched validation score, per-class threshold ×
 * minimum-area search (coarse grid; a min area above the frame = class off), flip TTA on full.
 * quick (measured 2026-12-07, see README): 2 epochs of 192 crops of 128² (one val pass per 24
 * steps instead of per 16), 40 % of the crops centred on a defect (at 70 % the model painted false
 * masks on clean frames), best epoch by pooled val Dice on 8 frames (the Kaggle score at 0.5 on
 * few frames counts mostly the false masks the search later removes), the search on 24 val frames
 * and the score on 32 test frames, no TTA (it doubles every stitched pass).
 */
export function unetPreset(profile: Profile): SegmentationConfig {
  const FRAME = 256 * 1600;
  return {
    run: "05_unet_segmentation",
    encoder: pick(profile, { smoke: "resnet18", quick: "resnet18", full: "resnet34" }),
    decoderChannels: pick(profile, { smoke: [64, 32, 16, 16, 8], quick: [128, 64, 32, 16, 16], full: [256, 128, 64, 32, 16] }),
    channels: 1,
    // 0.5 (128×800 frames) measured worse on quick (test 0.845 vs all-empty 0.844: thin scratches lost).
    inputScale: 1,
    tile: pick(profile, { smoke: 64, quick: 128, full: 256 }),
    cropMode: "defect",
    defectProb: pick(profile, { smoke: 0.4, quick: 0.4, full: 0.6 }),
    tilesPerEpoch: pick(profile, { smoke: 16, quick: 192, full: undefined }),
    augment: "flips",
    valImages: pick(profile, { smoke: 2, quick: 24, full: undefined }),
    epochValImages: pick(profile, { smoke: 2, quick: 8, full: undefined }),
    testImages: pick(profile, { smoke: 2, quick: 32, full: undefined }),
    epochs: pick(profile, { smoke: 2, quick: 2, full: 40 }),
    batchSize: 8,
    optimizer: { name: "adamw", lr: pick(profile, { smoke: 1e-3, quick: 2e-3, full: 1e-4 }), weightDecay: 1e-4 },
    scheduler: profile === "full" ? undefined : { type: "cosine", minLr: 1e-5 },
    loss: "bce-dice",
    monitor: pick(profile, { smoke: "val_dice", quick: "val_dice", full: "val_kaggle" }),
    patience: pick(profile, { smoke: 0, quick: 0, full: 8 }),
    tta: { horizontal: profile === "full", vertical: profile === "full" },
    search: {
      thresholds: pick(profile, { smoke: [0.3, 0.5], quick: [0.3, 0.5, 0.7], full: [0.3, 0.4, 0.5, 0.6, 0.7] }),
      minAreas: pick(profile, { smoke: [0, 500, FRAME + 1], quick: [0, 300, 1000, 3000, FRAME + 1], full: [0, 200, 600, 1500, 3000, FRAME + 1] }),
    },
    minComponentSize: pick(profile, { smoke: 0, quick: 20, full: 20 }),
    connectivity: 8,
    examples: 4,
  };
}
