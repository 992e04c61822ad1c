/**
 * The seeded dropout's stream position is training state: a model rebuilt from the seed and moved
 * to the saved position (what a resume does) draws the same masks as the model that kept going.
 * This was the cause of a resumed `train` diverging from an uninterrupted one (cli-resume.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { dropoutStreams, seededDropout } from "../../src/lib/models/layers";

function model(): tf.LayersModel {
  const input = tf.input({ shape: [64] });
  const out = seededDropout(11, "drop", 0.5).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** The mask of one training call (1 where kept). */
function mask(m: tf.LayersModel): number[] {
  return tf.tidy(() => Array.from((m.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor).greater(0).dataSync()));
}

test("seek(n) on a rebuilt model gives the masks of call n+1, n+2 of the original; without it the masks repeat from call 1", async () => {
  await tf.setBackend("cpu");
  const a = model();
  const masks = [mask(a), mask(a), mask(a), mask(a)];
  assert.notDeepEqual(masks[0], masks[1], "the stream advances between calls");
  const stream = dropoutStreams(a).get("drop");
  assert.equal(stream?.calls, 4);

  const resumed = model();
  dropoutStreams(resumed).get("drop")!.seek(2);
  assert.deepEqual([mask(resumed), mask(resumed)], masks.slice(2));
  assert.equal(dropoutStreams(resumed).get("drop")!.calls, 4);

  const notSought = model();
  assert.deepEqual(mask(notSought), masks[0]);
  // Inference calls do not advance the stream.
  notSought.predict(tf.ones([1, 64]));
  assert.equal(dropoutStreams(notSought).get("drop")!.calls, 1);
});
