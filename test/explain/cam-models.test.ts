/**
 * CAMs on the project's real models (small inputs): the graph split reproduces the model's own
 * output (ResNet's skip connections, the U-Net's decoder skips), logits recover the softmax, every
 * method returns [B, H, W] maps in [0, 1] with no tensor leak, the same numbers twice, and the
 * same numbers on cpu and wasm. Eigen-CAM's projection against numpy's SVD (/usr/bin/python3).
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { createModel } from "../../src/lib/models/registry";
import { createCam, CAM_METHODS } from "../../src/lib/explain/methods";
import { splitAtLayer } from "../../src/lib/explain/graph";
import { classLogit, classProbability, segmentationClass } from "../../src/lib/explain/targets";
import { augSmoothCam } from "../../src/lib/explain/smoothing";
import { firstComponentProjection } from "../../src/lib/explain/projection";
import { createRng } from "../../src/lib/util/rng";

function randomBatch(shape: [number, number, number, number], stream: string): tf.Tensor4D {
  const rng = createRng(3, stream);
  return tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.uniform(0, 1)), shape);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const simplecnn = () => createModel("simplecnn", { inputShape: [16, 16, 1], classes: 3, seed: 5, inputNormalization: "standardize", head: { hidden: 8, dropout: 0.3 } });

const results: Record<string, Record<string, Float32Array>> = {};

for (const backend of ["cpu", "wasm"]) {
  describe(`CAM on project models (${backend})`, () => {
    before(async () => {
      if (backend === "wasm") {
        await import("@tensorflow/tfjs-backend-wasm");
        const { registerWasmTrainingKernels } = await import("../../src/lib/engine/index");
        await tf.setBackend("wasm");
        registerWasmTrainingKernels();
      } else await tf.setBackend("cpu");
      await tf.ready();
      results[backend] = {};
    });

    test("graph split reproduces resnet18 at an inner block and logits recover the softmax", () => {
      const model = createModel("resnet18", { inputShape: [32, 32, 3], classes: 4, seed: 2 });
      const x = randomBatch([2, 32, 32, 3], "resnet");
      const before = tf.memory().numTensors;
      // An inner block output: later blocks add it to their own branch (skip connections).
      const layer = model.layers.filter((l) => l.getClassName() === "Activation" && (l.outputShape as number[]).length === 4)[3].name;
      const split = splitAtLayer(model, layer);
      const [viaSplit, direct, logits] = tf.tidy(() => {
        const A = split.activations(x);
        return [split.head(x, A), model.apply(x, { training: false }) as tf.Tensor, split.head(x, A, { logits: true })];
      });
      assert.equal(tf.memory().numTensors, before + 3);
      assert.ok(maxAbs(viaSplit.dataSync(), direct.dataSync()) < 1e-5);
      const soft = tf.softmax(logits);
      assert.ok(maxAbs(soft.dataSync(), direct.dataSync()) < 1e-5);
      tf.dispose([viaSplit, direct, logits, soft, x]);
      model.dispose();
    });

    test("U-Net: decoder-layer split reproduces the output; a segmentation target gives a map", () => {
      const model = createModel("unet", { inputShape: [32, 32, 3], classes: 2, seed: 2, encoder: "resnet18", decoderChannels: [16, 8, 8, 8, 8] });
      const x = randomBatch([1, 32, 32, 3], "unet");
      const conv4d = model.layers.filter((l) => l.getClassName() === "Conv2D" && (l.outputShape as number[]).length === 4);
      const layer = conv4d[Math.floor(conv4d.length * 0.6)].name;
      const split = splitAtLayer(model, layer);
      const [viaSplit, direct] = tf.tidy(() => [split.head(x, split.activations(x)), model.apply(x, { training: false }) as tf.Tensor]);
      assert.ok(maxAbs(viaSplit.dataSync(), direct.dataSync()) < 1e-5);
      const before = tf.memory().numTensors;
      const cam = createCam("gradcam", model, { layer }).compute(x, segmentationClass(1));
      assert.deepEqual(cam.shape, [1, 32, 32]);
      assert.equal(tf.memory().numTensors, before + 1);
      tf.dispose([viaSplit, direct, cam, x]);
      model.dispose();
    });

    for (const method of CAM_METHODS) {
      test(`${method}: batched maps in [0, 1], no leak, deterministic`, async () => {
        const model = simplecnn();
        const x = randomBatch([3, 16, 16, 1], "batch");
        const cam = createCam(method, model);
        const before = tf.memory().numTensors;
        const a = cam.compute(x, classLogit([0, 2, 1]));
        const b = cam.compute(x, classLogit([0, 2, 1]));
        assert.equal(tf.memory().numTensors, before + 2, "only the two results stay alive");
        assert.deepEqual(a.shape, [3, 16, 16]);
        const av = (await a.data()) as Float32Array;
        assert.deepEqual(Array.from(av), Array.from((await b.data()) as Float32Array));
        assert.ok(Math.min(...av) >= 0 && Math.max(...av) <= 1);
        results[backend][method] = av;
        tf.dispose([a, b, x]);
        model.dispose();
      });
    }

    test("augmentation and eigen smoothing: no leak, maps in [0, 1]; probability targets too", async () => {
      const model = simplecnn();
      const x = randomBatch([2, 16, 16, 1], "smooth");
      const cam = createCam("gradcam", model);
      const before = tf.memory().numTensors;
      const s = augSmoothCam(cam, x, classProbability([1, 2]), { eigenSmooth: true });
      assert.equal(tf.memory().numTensors, before + 1);
      const v = await s.data();
      assert.ok(Math.min(...v) >= 0 && Math.max(...v) <= 1 + 1e-6 && Math.max(...v) > 0.99);
      tf.dispose([s, x]);
      model.dispose();
    });

    if (backend === "wasm") {
      test("cpu and wasm agree on every method", () => {
        for (const m of CAM_METHODS) assert.ok(maxAbs(results.cpu[m], results.wasm[m]) < 2e-3, `${m}: cpu vs wasm ${maxAbs(results.cpu[m], results.wasm[m])}`);
      });
    }
  });
}

describe("Eigen projection vs numpy SVD", () => {
  const python = "/usr/bin/python3";
  test("first principal component matches numpy (up to the documented sign rule)", { skip: !fs.existsSync(python) && "no /usr/bin/python3" }, async () => {
    await tf.setBackend("cpu");
    for (const [h, w, k] of [[3, 4, 6], [4, 4, 3]]) {
      const rng = createRng(9, `eigen-${k}`);
      const data = Array.from({ length: h * w * k }, () => rng.uniform(0, 2));
      const t = tf.tensor4d(data, [1, h, w, k]);
      const p = firstComponentProjection(t);
      const got = Array.from(await p.data());
      tf.dispose([t, p]);
      const script = `import json,sys,numpy as np
a=np.array(json.load(sys.stdin),dtype=np.float64).reshape(${h * w},${k})
a=a-a.mean(axis=0)
u,s,vt=np.linalg.svd(a,full_matrices=True)
p=a@vt[0]
if (p*a.sum(axis=1)).sum()<0: p=-p
print(json.dumps(p.tolist()))`;
      const want = JSON.parse(execFileSync(python, ["-c", script], { input: JSON.stringify(data) }).toString()) as number[];
      assert.ok(maxAbs(got, want) < 1e-3 * Math.max(...want.map(Math.abs)), `h·w=${h * w} k=${k}: ${maxAbs(got, want)}`);
    }
  });
});
