/** Augmentations: import from "./augment/index" (tslab resolves files, not directories). */
export * from "./types";
export * from "./flip";
export * from "./rot90";
export * from "./affine";
export * from "./crop";
export * from "./brightness-contrast";
export * from "./clahe";
export * from "./normalize";
export * from "./glare";
export * from "./compose";
export * from "./resized-crop";
export * from "./gain-gamma";
