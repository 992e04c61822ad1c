/**
 * The pieces notebook 07 adds: the U-Net's bottleneck layer and its CAMs for a class summed over
 * the predicted mask (the mask checked against the model's own output thresholded here), the
 * batched evaluation giving the same numbers as the one-image metrics it replaced, and the
 * tables' "beats random" / "above chance" verdicts on hand-made reports.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createModel } from "../../src/lib/models/registry";
import { bottleneckLayer, segmentationCams } from "../../src/lib/explain/segmentation-cams";
import { evaluateCams, LabelledImage } from "../../src/lib/explain/evaluate";
import { deletionInsertion, randomDeletionInsertion } from "../../src/lib/explain/metrics/deletion-insertion";
import { roadRandom, roadScores } from "../../src/lib/explain/metrics/road";
import { modelScore } from "../../src/lib/explain/metrics/removal";
import { createCam } from "../../src/lib/explain/methods/index";
import { classLogit, classProbability } from "../../src/lib/explain/targets";
import { faithfulnessRows, localisationRows } from "../../src/lib/views/explain";
import { createRng } from "../../src/lib/util/rng";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("notebook 07 parts", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  test("U-Net: bottleneck = the smallest 4-D layer; CAMs over the predicted mask, no leak", async () => {
    const model = createModel("unet", { inputShape: [32, 32, 3], classes: 2, seed: 2, encoder: "resnet18", decoderChannels: [16, 8, 8, 8, 8] });
    const layer = bottleneckLayer(model);
    const area = (s: number[]) => s[1] * s[2];
    const fourD = model.layers.filter((l) => (l.outputShape as number[]).length === 4 && l.getClassName() !== "InputLayer");
    const smallest = Math.min(...fourD.map((l) => area(l.outputShape as number[])));
    assert.equal(area(model.getLayer(layer).outputShape as number[]), smallest);
    assert.ok(smallest < 32 * 32);
    const rng = createRng(4, "unet-images");
    const images = [0, 1].map(() => ({ data: Float32Array.from({ length: 32 * 32 * 3 }, () => rng.uniform(0, 1)), height: 32, width: 32, channels: 3 }));
    const before = tf.memory().numTensors;
    const { maps, masks } = await segmentationCams(model, images, [1, 0], ["gradcam", "eigencam"], layer);
    assert.equal(tf.memory().numTensors, before, "no tensor leak");
    // The predicted masks, from the model's output thresholded here (sigmoid head: p > 0.5).
    const y = (model.predict(tf.tensor4d(Float32Array.from([...images[0].data, ...images[1].data]), [2, 32, 32, 3])) as tf.Tensor).dataSync();
    [1, 0].forEach((c, i) => {
      const want = Array.from({ length: 1024 }, (_, p) => (y[(i * 1024 + p) * 2 + c] > 0.5 ? 1 : 0));
      assert.deepEqual(Array.from(masks[i]), want, `image ${i} class ${c}`);
    });
    assert.equal(maps.length, 2);
    for (const m of maps.flat()) {
      assert.equal(m.length, 1024);
      assert.ok(Math.min(...m) >= 0 && Math.max(...m) <= 1);
    }
    model.dispose();
  });

  test("batched evaluateCams = the one-image metrics it replaced", async () => {
    const model = createModel("simplecnn", { inputShape: [16, 16, 1], classes: 3, seed: 5, inputNormalization: "standardize", head: { hidden: 8, dropout: 0.3 } });
    const rng = createRng(6, "eval-images");
    const items: LabelledImage[] = [0, 1, 2].map((k) => ({ id: `im${k}`, label: k, image: { data: Float32Array.from({ length: 256 }, () => rng.uniform(0, 1)), height: 16, width: 16, channels: 1 } }));
    const opts = { steps: 5, randomRepeats: 2, seed: 3 };
    const r = await evaluateCams(model, items, ["a", "b", "c"], ["gradcam"], { ...opts, camBatch: 2, scoreBatch: 7 });
    // One image at a time, one forward pass per curve: the old path.
    const dels: number[] = [], rdels: number[] = [], ins: number[] = [], morf: number[] = [], rroad: number[] = [];
    for (const it of items) {
      const score = modelScore(model, classProbability(it.label));
      const t = createCam("gradcam", model).compute(tf.tensor4d(it.image.data, [1, 16, 16, 1]), classLogit(it.label));
      const map = t.dataSync();
      t.dispose();
      const di = await deletionInsertion(it.image, map, score, opts);
      const rdi = await randomDeletionInsertion(it.image, score, opts);
      const road = await roadScores(it.image, map, score, { seed: 3 });
      dels.push(di.deletion.auc);
      ins.push(di.insertion.auc);
      rdels.push(rdi.deletion.auc);
      morf.push(mean(road.morf));
      rroad.push(mean((await roadRandom(it.image, score, { seed: 3 })).random));
    }
    const all = r.gradcam.faithfulness.all;
    const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-5, `${what}: ${a} vs ${b}`);
    close(all.deletionAuc, mean(dels), "deletion");
    close(all.insertionAuc, mean(ins), "insertion");
    close(all.randomDeletionAuc, mean(rdels), "random deletion");
    close(all.roadMorf, mean(morf), "ROAD MoRF");
    close(all.roadRandom, mean(rroad), "ROAD random");
    close(r.gradcam.faithfulness.b.deletionAuc, dels[1], "class b");
    model.dispose();
  });

  test("table verdicts: beats random needs both curves, above chance compares the hit rate", () => {
    const f = (d: number, rd: number, i: number, ri: number) => ({ images: 1, deletionAuc: d, randomDeletionAuc: rd, insertionAuc: i, randomInsertionAuc: ri, roadMorf: 0, roadLerf: 0, roadRandom: 0 });
    const rows = faithfulnessRows({ m: { faithfulness: { all: f(0.2, 0.3, 0.6, 0.5), x: f(0.2, 0.3, 0.4, 0.5) }, localisation: { all: { images: 2, pointingHitRate: 0.5, energyShare: 0.3, chance: 0.1 }, y: { images: 1, pointingHitRate: 0, energyShare: 0.05, chance: 0.1 } } } });
    assert.deepEqual(rows.map((r) => r["beats random"]), ["yes", "no"]);
    const loc = localisationRows({ m: { faithfulness: {}, localisation: { all: { images: 2, pointingHitRate: 0.5, energyShare: 0.3, chance: 0.1 }, y: { images: 1, pointingHitRate: 0, energyShare: 0.05, chance: 0.1 } } } });
    assert.deepEqual(loc.map((r) => r["above chance"]), ["yes", "no"]);
  });
});
