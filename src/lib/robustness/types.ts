/** Moved down to data/capture/ (training-time augmentation in the runner uses it); re-exported here for the robustness module. */
export * from "../data/capture/types";
