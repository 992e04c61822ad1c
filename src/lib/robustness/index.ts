/** Robustness: capture perturbations by severity (and, built on them, the evaluation sweeps). */
export * from "./types";
export * from "./registry";
export * from "./augmentation";
export { poisson } from "../data/capture/perturbations/noise";
export * from "./perturb-folder";
export * from "./capture";
export * from "./mitigations";
export * from "./sweep";
export * from "./figures";
export * from "./run";
export * from "./gallery";
