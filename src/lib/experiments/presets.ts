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
 * NEU surface defects from scratch (6 balanced classes, 200×200 grey): the SimpleCNN with a wider
 * head at 96×96 (quick), dihedral augmentation (textures have no preferred orientation), 70/15/15
 * stratified split. Used by the NEU accuracy experiment (`make experiment-neu`).
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
