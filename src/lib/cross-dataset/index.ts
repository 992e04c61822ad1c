export * from "./class-map";
export * from "./box-crop";
