/** Test fixture: a classifier run folder (config.json + best/) whose softmax over OK + 4 Severstal classes is the same for every image. */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { saveModel } from "../../src/lib/train/checkpoint";

export async function constantClassifier(dir: string, probs: number[]): Promise<void> {
  const input = tf.input({ shape: [16, 32, 1] });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 5, activation: "softmax", kernelInitializer: "zeros", biasInitializer: "zeros" });
  const model = tf.model({ inputs: input, outputs: dense.apply(pooled) as tf.SymbolicTensor });
  const [k] = dense.getWeights();
  const bias = tf.tensor1d(probs.map(Math.log));
  dense.setWeights([k, bias]);
  bias.dispose();
  await saveModel(model, path.join(dir, "best"));
  model.dispose();
  const config = { run: path.basename(dir), mode: "single", model: "constant", classNames: ["OK", "class_1", "class_2", "class_3", "class_4"], imageSize: { height: 16, width: 32 }, channels: 1, dataset: "severstal" };
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
}
