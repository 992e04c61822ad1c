/**
 * In a notebook, one fit shows ONE progress display that updates in place (epoch in its label),
 * and a classification evaluation one more — not one display per epoch or per split. The tslab
 * display API is replaced by a recorder (require cache), so the real createProgress notebook
 * sink and the real fit/predictSource run.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fit } from "../../src/lib/train/trainer";
import { arrayBatches } from "../../src/lib/train/array-batches";
import { predictSource } from "../../src/lib/runner/predict";
import { createProgress } from "../../src/lib/util/progress";
import { tinyData, tinyModel } from "./helpers";

type Recorded = { html: string[] };
const displays: Recorded[] = [];
const g = globalThis as { __tslab__?: unknown };
const tslabPath = require.resolve("tslab");
let saved: NodeJS.Module | undefined;

before(async () => {
  await tf.setBackend("cpu");
  saved = require.cache[tslabPath];
  const fake = {
    newDisplay() {
      const d: Recorded = { html: [] };
      displays.push(d);
      return { html: (s: string) => d.html.push(s) };
    },
    display: { html() {}, markdown() {} },
  };
  require.cache[tslabPath] = { id: tslabPath, filename: tslabPath, loaded: true, exports: fake } as unknown as NodeJS.Module;
  g.__tslab__ = {};
});

after(() => {
  delete g.__tslab__;
  if (saved) require.cache[tslabPath] = saved;
  else delete require.cache[tslabPath];
});

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim();

test("a 5-epoch fit in a notebook uses one progress display, ending on the last epoch's final state", async () => {
  displays.length = 0;
  const { x, y } = tinyData(2, 24);
  const model = tinyModel(2);
  await fit(model, { train: { x, y } }, { epochs: 5, batchSize: 8, seed: 3, optimizer: { name: "adamw", lr: 0.01 }, label: "tiny" });
  assert.equal(displays.length, 1, `fit opened ${displays.length} displays`);
  const last = text(displays[0].html[displays[0].html.length - 1]);
  // 24 samples / batch 8 = 3 batches per epoch; the final draw shows epoch 5 complete.
  assert.match(last, /^tiny epoch 5\/5 3\/3 /);
  assert.ok(displays[0].html.some((h) => text(h).startsWith("tiny epoch 1/5")), "the first epoch was shown too");
  model.dispose();
  tf.dispose([x, y]);
});

test("val + test prediction share one evaluation display (restart per split)", async () => {
  displays.length = 0;
  const { x, y } = tinyData(4, 20);
  const model = tinyModel(4);
  const bar = createProgress({ total: 1, label: "eval: val" });
  const val = await predictSource(model, arrayBatches(x, y, 8, null), ["a", "b", "c"], "eval: val", bar);
  const testSplit = await predictSource(model, arrayBatches(x, y, 5, null), ["a", "b", "c"], "eval: test", bar);
  assert.equal(val.probs.length, 20);
  assert.equal(testSplit.probs.length, 20);
  assert.equal(displays.length, 1);
  assert.match(text(displays[0].html[displays[0].html.length - 1]), /^eval: test 4\/4 /);
  model.dispose();
  tf.dispose([x, y]);
});
