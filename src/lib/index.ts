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
