/**
 * The settings of each notebook's experiments per profile: `smoke` (CI, seconds), `quick` (the
 * default `make reproduce`, minutes on a 2-core CPU), `full` (the write-ups' settings, for a GPU).
 * Kept in one place so notebooks, the CLI and the README quote the same numbers.
 */
import { Profile } from "../config/run-config";
import { ClassificationConfig } from "./classification";

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
 * NEU surface defects from scratch (6 balanced classes, 200×200 grey), the recipe of docs/neu.md:
 * neu-net (five double-conv blocks) at 112² (quick), dihedral + scale-crop + gain/gamma
 * augmentation, label smoothing 0.1, AdamW with a one-cycle schedule. Split 45/5/50 stratified:
 * 600 test images so the accuracy has a useful confidence interval (±0.6 pt at 99 %), and a small
 * val split that only picks the checkpoint (by val loss — val accuracy on 60 images ties at 100 %).
 * Used by the NEU accuracy experiment (`make experiment-neu`) and the checkpoint notebook 09 reads.
 */
export function neuPreset(profile: Profile): ClassificationConfig {
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
