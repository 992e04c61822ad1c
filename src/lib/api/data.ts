/** `lab.data.*`: datasets, RLE, images, tiles, splits, samplers, views, batch loading, augmentation. */
export * from "../data/types";
export * from "../data/rle";
export * from "../data/severstal-csv";
export * from "../data/severstal";
export * from "../data/image-io";
export * from "../data/tiles";
export * from "../data/voc";
export * from "../data/neu";
export * from "../data/gc10";
export * from "../data/sources";
export * from "../data/augment/index";
export * from "../data/splits";
export * from "../data/sampler";
export * from "../data/views";
export * from "../data/loader";
export { loadDatasetAt, skipSummaryLine } from "../experiments/datasets";
