/** `lab.train.*`: the trainer, checkpoints, schedulers, optimizers, callbacks, losses. */
export * from "../train/trainer";
export * from "../train/two-stage";
export * from "../train/step";
export * from "../train/checkpoint";
export * from "../train/schedulers";
export * from "../train/optimizers/factory";
export * from "../train/callbacks/best-checkpoint";
export * from "../train/callbacks/early-stopping";
export * from "../train/callbacks/history-writer";
export * from "../train/callbacks/last-checkpoint";
export * from "../train/callbacks/listener";
export * from "../losses/registry";
