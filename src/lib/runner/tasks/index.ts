/** The tasks the runner knows, and which task a registry model belongs to. */
export * from "./classification";
export * from "./classification-config";
export * from "./segmentation";
export * from "./segmentation-config";

export type TaskKind = "classification" | "segmentation";

/** Models whose output is a per-pixel mask (models/registry.ts: unet); every other model classifies. */
const SEGMENTATION_MODELS = new Set(["unet"]);

export function taskKindOf(model: string): TaskKind {
  return SEGMENTATION_MODELS.has(model) ? "segmentation" : "classification";
}

/** Task kinds with a task implementation in src/lib/runner/tasks (segmentation: notebook 05's, to come). */
export const IMPLEMENTED_TASKS: readonly TaskKind[] = ["classification", "segmentation"];
