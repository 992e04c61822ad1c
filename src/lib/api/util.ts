/** `lab.util.*`: seeded random streams, atomic writes, progress bars, config and paths. */
export * from "../util/rng";
export * from "../util/atomic-write";
export * from "../util/progress";
export * from "../util/notebook";
export * from "../config/paths";
export * from "../config/run-config";
export * from "../runtime/seed";
