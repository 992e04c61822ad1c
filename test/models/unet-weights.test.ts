import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { projectPaths } from "../../src/lib/config/paths";
import { createModel } from "../../src/lib/models/registry";
import { loadUnetEncoderWeights } from "../../src/lib/models/unet-weights";
import { layersOf, writeKerasH5 } from "./h5-fixture";

let dir: string;
before(async () => {
  await tf.setBackend("cpu");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "steel-unet-h5-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const unet = (seed: number, channels = 3) =>
  createModel("unet", { inputShape: [32, 32, channels], classes: 4, seed, encoder: "resnet18", decoderChannels: [8, 8, 8, 8, 4] });

test("a classifier's Keras .h5 loads into the U-Net encoder only; the decoder keeps its own weights", async () => {
  const classifier = createModel("resnet18", { inputShape: [32, 32, 3], classes: 5, seed: 11 });
  const file = path.join(dir, "resnet18.h5");
  await writeKerasH5(file, layersOf(classifier));
  const model = unet(3);
  const fresh = unet(3);
  const r = await loadUnetEncoderWeights(model, file);
  assert.equal(r.used, true);
  const encoderLayers = classifier.layers.filter((l) => l.weights.length > 0 && !l.name.startsWith("head_")).map((l) => l.name);
  assert.deepEqual([...r.report!.loaded].sort(), [...encoderLayers].sort());
  for (const name of encoderLayers) {
    const a = model.getLayer(name).getWeights();
    const b = classifier.getLayer(name).getWeights();
    a.forEach((w, i) => assert.deepEqual(w.dataSync(), b[i].dataSync(), name));
  }
  const dec = (m: tf.LayersModel) => m.getLayer("decoder_block1_conv1").getWeights()[0].dataSync();
  assert.deepEqual(dec(model), dec(fresh), "decoder untouched");
  await assert.rejects(loadUnetEncoderWeights(unet(3, 1), file), /need 3-channel input/);
  await assert.rejects(loadUnetEncoderWeights(classifier, file), /not built by createModel\("unet"\)/);
  [classifier, model, fresh].forEach((m) => m.dispose());
});

test("without a file the note says the encoder trains from scratch", async () => {
  const model = unet(3);
  const r = await loadUnetEncoderWeights(model, undefined, projectPaths(dir));
  assert.equal(r.used, false);
  assert.match(r.note, /resnet18 encoder trained FROM SCRATCH/);
  model.dispose();
});
