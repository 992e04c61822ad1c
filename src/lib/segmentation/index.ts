/**
 * The segmentation track's building blocks (smp style: small modules composed by the task
 * plug-in and the `segment` command): training tiles, stitched inference with flip TTA,
 * per-class post-processing and its search, and a verified submission.csv.
 * Model, losses and metrics live in models/ (createModel("unet")), losses/ and metrics/segmentation.
 */
export { segmentationTileSource, type TileSourceOptions } from "./train-source";
export { predictStitched, predictTilesTta, type FlipTta, type StitchedPredictOptions, type TilePredictor } from "./predict";
export { connectedComponents, removeSmallComponents, type Components, type Connectivity } from "./components";
export {
  DEFAULT_CLASS_POSTPROCESS,
  postprocessChannel,
  postprocessMasks,
  resolvePostprocess,
  type ClassPostprocess,
  type PostprocessInput,
} from "./postprocess";
export {
  postprocessEffects,
  scorePostprocess,
  searchPostprocess,
  type ClassSearchResult,
  type PostprocessSwitch,
  type SearchGrid,
  type SearchOptions,
  type SearchResult,
  type SwitchEffect,
  type SwitchEffectTable,
  type ValidationPrediction,
} from "./postprocess-search";
export { MaskCountCache, type MaskCounts } from "./mask-counts";
export { submissionRecords, verifySubmission, writeSubmission, type PredictedMasks, type SubmissionForm, type SubmissionOptions, type SubmissionReport } from "./submission";
export { segmentFolder, type FolderFailure, type SegmentFolderOptions, type SegmentFolderReport } from "./segment-folder";
export { predictSample, scoreStitched, validationPredictions, truthMasks, pooledDice, type StitchedEvalOptions } from "./evaluate";
