/** The experiment runner: stages, task plug-ins, predictions. */
export * from "./task";
export * from "./runner";
export * from "./predict";
export * from "./tasks/index";
