/**
 * Steel Defect Lab — the one library every notebook imports:
 *   import * as lab from "./src/lib/index";
 * (the project kernel starts in the repository root; tslab resolves only explicit file paths).
 */
export * from "./config/paths";
export * from "./config/run-config";
export * from "./util/rng";
export * from "./util/atomic-write";
export * from "./util/progress";
export * from "./util/notebook";
export * from "./runtime/seed";
export * from "./runtime/backend";
export * from "./runtime/tools";
export * from "./runtime/environment";
export * from "./runtime/workspace";
export * from "./report/html";
export * from "./report/display";
export * from "./report/plotly";
export * from "./report/run-record";
export * from "./data/types";
export * from "./runtime/speed";
export * from "./report/charts";
export * from "./report/static-charts";
// data
export * from "./data/rle";
export * from "./data/severstal-csv";
export * from "./data/severstal";
export * from "./data/image-io";
export * from "./data/tiles";
export * from "./data/voc";
export * from "./data/neu";
export * from "./data/gc10";
export * from "./data/sources";
export * from "./data/augment/index";
export * from "./data/splits";
export * from "./data/sampler";
export * from "./data/views";
export * from "./data/loader";
// models
export * from "./models/registry";
export * from "./models/types";
export * from "./models/freeze";
export * from "./models/summary";
export * from "./models/keras-h5";
// training, losses, metrics
export * from "./train/trainer";
export * from "./train/two-stage";
export * from "./train/step";
export * from "./train/checkpoint";
export * from "./train/schedulers";
export * from "./train/optimizers/factory";
export * from "./train/callbacks/best-checkpoint";
export * from "./train/callbacks/early-stopping";
export * from "./train/callbacks/history-writer";
export * from "./train/callbacks/listener";
export * from "./losses/registry";
export * from "./metrics/confusion";
export * from "./metrics/classification";
export * from "./metrics/curves";
export * from "./metrics/report";
export * from "./metrics/segmentation";
export * from "./metrics/operating-point";
// experiments (what notebooks call)
export * from "./experiments/datasets";
export * from "./experiments/evaluation";
export * from "./experiments/classification";
export * from "./experiments/show-classification";
export * from "./experiments/eda";
export * from "./experiments/rle-check";
export * from "./experiments/presets";
export * from "./experiments/operating";
export * from "./experiments/inference";
