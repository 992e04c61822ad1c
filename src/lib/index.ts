/**
 * Steel Defect Lab — the notebook API every notebook imports:
 *   import * as lab from "./src/lib/index";
 * (the project kernel starts in the repository root; tslab resolves only explicit file paths).
 *
 * Flat at the top: what notebooks call cell by cell (workspace, datasets, experiments, displays).
 * Grouped below by role for everything else: lab.data, lab.models, lab.train, lab.metrics,
 * lab.runner, lab.util, lab.engine. CLIs import modules directly. See docs/architecture.md.
 */

// workspace and environment
export { initWorkspace } from "./runtime/workspace";
export type { Workspace } from "./runtime/workspace";
export { backendLabel, hasFastConvolutions } from "./runtime/backend";
export { environmentReport, formatEnvironmentReport } from "./runtime/environment";
export { matmulSpeed } from "./runtime/speed";
export { readRunMetrics, readAllRunMetrics } from "./runtime/run-record";
export type { RunMetrics } from "./runtime/run-record";

// datasets (the notebook flavour announces with a banner)
export { openDataset } from "./views/datasets";
export type { Dataset, DatasetName, Sample } from "./data/types";

// experiments: presets, training runs, inference, analyses
export { simpleCnnPreset, resnet50Preset, neuPreset } from "./experiments/presets";
export { runClassification, loadClassifier, classificationMetricsJson } from "./experiments/classification";
export type { ClassificationConfig, ClassificationResult, TrainedConfig, AugmentPreset } from "./experiments/classification";
export { evaluateCheckpoint, predictFolder, predictionsCsv } from "./experiments/inference";
export { safetyFirst } from "./experiments/operating";
export type { SafetyFirstResult } from "./experiments/operating";
export { severstalEda, severstalDefects, severstalOverlays, classBoxStats, classExamplesPng, aggregate, rleBoundingBox } from "./experiments/eda";
export { rleRoundTrip, workedExample, writeAndCheckSubmission } from "./experiments/rle-check";
export { findPretrainedWeights } from "./models/keras-h5";
export type { Predictions, ClassificationScores } from "./metrics/classification-scores";

// displays (notebook views; plain text in a terminal)
export { showMarkdown, showHtml, showTable, showPng, showBanner } from "./report/display";
export { showFigure } from "./report/plotly";
export type { Figure } from "./report/plotly";
export { barChart, lineChart, learningCurves, histogram, confusionHeatmap, rocChart, prChart } from "./report/charts";
export { showEnvironment } from "./views/environment";
export { showDataPlan } from "./views/environment";
export { dataPlan } from "./experiments/data-plan";
export { showSeverstalEda, showClassDatasetEda } from "./views/eda";
export { showClassificationResult, showLearningCurves, showScores, showMistakes } from "./views/classification";
export { showSafetyFirst } from "./views/safety-first";

// grouped by role
export * as data from "./api/data";
export * as models from "./api/models";
export * as train from "./api/train";
export * as metrics from "./api/metrics";
export * as runner from "./runner/index";
export * as util from "./api/util";
export * as engine from "./engine/index";

// tracks (grouped). segmentation/, explain/, hpo/ and cross-dataset/ are reached from their
// commands until their notebooks (05, 06, 07, 09) land.
export * as robustness from "./robustness/index";
export { robustnessExperiment } from "./robustness/experiment";

// segmentation (notebook 05)
export { unetPreset } from "./experiments/presets";
export { runSegmentation, loadSegmenter, evaluateSegmenter, classifierGate } from "./experiments/segmentation";
export type { SegmentationConfig, SegmentationResult, LoadedSegmenter } from "./experiments/segmentation";
export { showSegmentationResult, showSegmentationCurves, showSegmentationScores, showPostprocessTable, showSegmentationExamples } from "./views/segmentation";
export * as segmentation from "./segmentation/index";
export { showPerturbationModels, showPerturbationGallery, showRobustness } from "./views/robustness";
export * as hpo from "./hpo/index";
export { hpoExperiment } from "./hpo/experiment";
export { showHpoStudy, showHpoComparison } from "./views/hpo";
export * as explain from "./explain/index";
export { camExperiment } from "./explain/experiment";
export type { CamExperiment } from "./explain/experiment";
export { showCamExperiment, showRunExplanation } from "./views/explain";
export * as crossDataset from "./cross-dataset/index";
export { crossDatasetExperiment } from "./cross-dataset/experiment";
export { showCrossDatasetSource, showZeroShot, showShiftDiagnostics, showMitigations } from "./views/cross-dataset";
