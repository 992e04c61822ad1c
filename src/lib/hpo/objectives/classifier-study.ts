/**
 * The "classifier" objective ready to optimise: the profile's base configuration (hpoClassifierPreset),
 * the search space's context (training-split size, whether ImageNet weights load, batch sizes of
 * the profile) and runClassification with the pruning callback. Value: best validation macro-F1.
 */
import type { Dataset } from "../../data/types";
import { DEFAULT_FRACTIONS } from "../../data/splits";
import { findPretrainedWeights } from "../../models/keras-h5";
import { hpoClassifierPreset, hpoBatchSizes } from "../../experiments/presets";
import type { ClassificationConfig } from "../../experiments/classification";
import type { Workspace } from "../../runtime/workspace";
import { ClassificationRunner, ClassifierSpaceContext, classifierObjective, currentClassificationRunner } from "./classifier";

export interface ClassifierStudy {
  base: ClassificationConfig;
  ctx: ClassifierSpaceContext;
  objective: ReturnType<typeof classifierObjective>;
}

export function classifierStudy(ws: Workspace, ds: Dataset, opts: { outDir?: string; runner?: ClassificationRunner } = {}): ClassifierStudy {
  const profile = ws.config.profile;
  const pretrained = profile === "full" && findPretrainedWeights(ws.paths) !== undefined;
  const preset = hpoClassifierPreset(profile, pretrained);
  const base: ClassificationConfig = { ...preset, outDir: opts.outDir ?? preset.outDir };
  const trainSize = Math.floor(ds.samples.length * (base.split ?? DEFAULT_FRACTIONS).train);
  const ctx: ClassifierSpaceContext = { trainSize, pretrained, batchSizes: hpoBatchSizes(profile) };
  return { base, ctx, objective: classifierObjective(ws, ds, base, { runner: opts.runner ?? currentClassificationRunner, ctx }) };
}
