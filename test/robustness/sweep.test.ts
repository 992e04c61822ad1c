import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { encodePng } from "../../src/lib/data/image-io";
import type { Dataset, Sample } from "../../src/lib/data/types";
import { classificationView } from "../../src/lib/data/views";
import { robustnessSweep } from "../../src/lib/robustness/index";

/** Images of uniform brightness: 0.3 (class "dark") and 0.7 (class "bright"), 4 of each. */
async function uniformDataset(): Promise<Dataset> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sweep-"));
  const samples: Sample[] = [];
  for (let i = 0; i < 8; i++) {
    const label = i % 2;
    const v = label ? 0.7 : 0.3;
    const file = path.join(dir, `img_${i}.png`);
    fs.writeFileSync(file, await encodePng({ data: new Float32Array(12 * 12).fill(v), height: 12, width: 12, channels: 1 }));
    samples.push({ id: `img_${i}`, path: file, dataset: "neu", label, labels: label ? [0, 1] : [1, 0], height: 12, width: 12 });
  }
  return { name: "neu", classNames: ["dark", "bright"], samples, skipped: [], source: "synthetic", root: dir };
}

/** Predicts "bright" iff the mean pixel > 0.5: GAP → dense with fixed weights. */
function thresholdModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.globalAveragePooling2d({ inputShape: [12, 12, 1] }));
  m.add(tf.layers.dense({ units: 2, activation: "softmax", weights: [tf.tensor2d([[-20, 20]]), tf.tensor1d([10, -10])] }));
  return m;
}

const u8 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255;

test("sweep: accuracy per severity equals the hand computation from the dim/bright formulas; ΔF1 and the verdict follow from the rows", async () => {
  const ds = await uniformDataset();
  const view = classificationView(ds, { mode: "single", imageSize: { height: 12, width: 12 }, channels: 1 });
  const model = thresholdModel();
  const before = tf.memory().numTensors;
  const [r] = await robustnessSweep({ model, view, indices: [0, 1, 2, 3, 4, 5, 6, 7], mode: "single", kinds: ["dim", "bright"], seed: 1, batchSize: 3, criticalClass: "bright" });
  assert.equal(tf.memory().numTensors, before, "tensor leak");
  assert.equal(r.clean.accuracy, 1);
  for (let s = 1; s <= 5; s++) {
    const g = 1 - 0.12 * s;
    const gamma = 1 + 0.08 * s;
    // dim: the dark images stay dark; a bright image stays "bright" iff g·0.7^γ > 0.5.
    const dimAcc = (4 + (u8(g * 0.7 ** gamma) > 0.5 ? 4 : 0)) / 8;
    // bright: the bright images stay bright; a dark one stays "dark" iff min(1, g'·0.3^(1/γ)) ≤ 0.5.
    const brightAcc = (4 + (u8((1 + 0.12 * s) * 0.3 ** (1 / gamma)) <= 0.5 ? 4 : 0)) / 8;
    const dim = r.rows.find((x) => x.kind === "dim" && x.severity === s)!;
    const bright = r.rows.find((x) => x.kind === "bright" && x.severity === s)!;
    assert.equal(dim.accuracy, dimAcc, `dim s${s}`);
    assert.equal(bright.accuracy, brightAcc, `bright s${s}`);
    const d = r.deltaF1.find((x) => x.severity === s)!;
    assert.equal(d.delta, Math.abs(dim.macroF1 - bright.macroF1));
  }
  assert.equal(r.clean.recall[0].className, "bright", "critical class first");
  assert.equal(r.verdict?.severity, 3);
  assert.equal(r.verdict?.pass, r.verdict!.delta <= 0.03);
  model.dispose();
});

test("sweep: same seed → identical scores (random perturbations too); TTA and CLAHE run and keep the clean score of an invariant model", async () => {
  const ds = await uniformDataset();
  const view = classificationView(ds, { mode: "single", imageSize: { height: 12, width: 12 }, channels: 1 });
  const model = thresholdModel();
  const a = await robustnessSweep({ model, view, indices: [0, 1, 2, 3, 4, 5], mode: "single", kinds: ["noise", "glare"], severities: [2, 5], seed: 3 });
  const b = await robustnessSweep({ model, view, indices: [0, 1, 2, 3, 4, 5], mode: "single", kinds: ["noise", "glare"], severities: [2, 5], seed: 3 });
  assert.deepEqual(a, b);
  const [plain, tta] = await robustnessSweep({ model, view, indices: [0, 1, 2, 3, 4, 5], mode: "single", kinds: ["dim"], severities: [1], seed: 3, mitigations: ["none", "tta"] });
  // A global-average model is flip-invariant: TTA leaves every score unchanged.
  assert.equal(tta.mitigation, "tta");
  assert.deepEqual({ ...tta, mitigation: "none" }, plain);
  // Capturing at a smaller size goes through the same path: uniform frames keep every score.
  const [small] = await robustnessSweep({ model, view, indices: [0, 1, 2, 3, 4, 5], mode: "single", kinds: ["dim"], severities: [1], seed: 3, captureSize: { height: 6, width: 6 } });
  assert.deepEqual(small, plain);
  await assert.rejects(() => robustnessSweep({ model, view, indices: [], mode: "single", seed: 1 }), /split is empty/);
  await assert.rejects(() => robustnessSweep({ model, view, indices: [0], mode: "single", seed: 1, severities: [6] }), /1\.\.5/);
  model.dispose();
});
