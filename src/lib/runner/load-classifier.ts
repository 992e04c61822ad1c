/** Rebuilds a trained classifier from its run folder (config.json + best checkpoint). */
import * as fs from "fs";
import * as path from "path";
import type * as tf from "@tensorflow/tfjs";
import { CheckpointError, loadModel } from "../train/checkpoint";
import type { TrainedConfig } from "./tasks/classification-config";

export async function loadClassifier(runDir: string): Promise<{ model: tf.LayersModel; config: TrainedConfig }> {
  const configFile = path.join(runDir, "config.json");
  if (!fs.existsSync(configFile)) throw new Error(`${runDir} is not a training run folder (no config.json); train one with the 'train' command first`);
  let config: TrainedConfig;
  try {
    config = JSON.parse(fs.readFileSync(configFile, "utf8")) as TrainedConfig;
  } catch (e) {
    // Name the file: a bare SyntaxError "at position 500" says nothing about which one.
    throw new CheckpointError(configFile, `${configFile} is not valid JSON (${(e as Error).message}); the run folder is damaged — retrain it (train --restart)`);
  }
  const model = await loadModel(path.join(runDir, "best"));
  return { model, config };
}
