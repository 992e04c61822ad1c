export * from "./class-map";
