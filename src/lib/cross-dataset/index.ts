export * from "./class-map";
export * from "./box-crop";
export * from "./wilson";
