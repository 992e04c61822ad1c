/** `lab.metrics.*`: confusion statistics, F1, curves, the classification report, segmentation scores, operating points. */
export * from "../metrics/confusion";
export * from "../metrics/classification";
export * from "../metrics/curves";
export * from "../metrics/classification-report";
export * from "../metrics/classification-scores";
export * from "../metrics/segmentation";
export * from "../metrics/operating-point";
