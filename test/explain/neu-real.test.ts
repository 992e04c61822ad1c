/**
 * On REAL NEU-DET (projectPaths().sharedData/neu-det; skipped when absent): the box masks agree
 * with the VOC areas written in the files (the 1-based inclusive convention), and CAMs of the
 * real JPEGs (model input 48², maps at the images' 200²) localise against them end to end (a random-init SimpleCNN: this checks the
 * plumbing, not the model — the trained-model numbers come from src/cli/explain-neu.ts).
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { projectPaths } from "../../src/lib/config/paths";
import { loadNeu } from "../../src/lib/data/neu";
import { readImage } from "../../src/lib/data/image-io";
import { Dataset } from "../../src/lib/data/types";
import { boxesMask, localise } from "../../src/lib/explain/metrics/localisation";
import { createModel } from "../../src/lib/models/registry";
import { createCam } from "../../src/lib/explain/methods";
import { classLogit } from "../../src/lib/explain/targets";

const root = path.join(projectPaths().sharedData, "neu-det");
const present = fs.existsSync(root);

describe("CAM localisation on real NEU-DET", { skip: !present && `no NEU data at ${root}` }, () => {
  let ds: Dataset;
  before(async () => {
    await tf.setBackend("cpu");
    ds = await loadNeu(root);
  });

  test("box masks cover exactly the VOC box areas (single-box images)", () => {
    const single = ds.samples.filter((s) => s.boxes?.length === 1).slice(0, 30);
    assert.ok(single.length > 0, "NEU-DET has single-box images");
    for (const s of single) {
      const b = s.boxes![0];
      const m = boxesMask(s.boxes!, s, s);
      const want = (b.xmax - b.xmin + 1) * (b.ymax - b.ymin + 1);
      assert.equal(m.reduce((a, v) => a + v, 0), want, `${s.id}: box ${JSON.stringify(b)}`);
    }
  });

  test("CAMs of real images (model at 48², maps at the images' 200²), scored against their boxes", async () => {
    const model = createModel("simplecnn", { inputShape: [48, 48, 1], classes: 6, seed: 1, inputNormalization: "standardize" });
    const samples = ds.samples.filter((s) => s.boxes && s.boxes.length > 0).slice(0, 2);
    const imgs = await Promise.all(samples.map((s) => readImage(s.path, { channels: 1, height: 48, width: 48 })));
    const x = tf.stack(imgs.map((im) => tf.tensor3d(im.data, [im.height, im.width, 1]))) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const cams = createCam("gradcam", model).compute(x, classLogit(samples.map((s) => s.label)), { size: [200, 200] });
    assert.deepEqual(cams.shape, [2, 200, 200]);
    const data = await cams.data();
    samples.forEach((s, i) => {
      const r = localise(data.subarray(i * 40000, (i + 1) * 40000), boxesMask(s.boxes!, s, { height: 200, width: 200 }), ds.classNames[s.label]);
      assert.ok(r.areaShare > 0 && r.areaShare <= 1 && r.energy >= 0 && r.energy <= 1 + 1e-9);
    });
    cams.dispose();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    model.dispose();
  });
});
