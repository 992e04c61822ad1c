import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { arrayBatches } from "../../src/lib/train/array-batches";
import { createRng } from "../../src/lib/util/rng";

before(async () => {
  await tf.setBackend("cpu");
});

async function epochOrder(src: ReturnType<typeof arrayBatches>, epoch: number): Promise<number[]> {
  const out: number[] = [];
  for await (const b of src.batches(epoch)) {
    // y holds the sample index, so the batch contents (not just ids) are checked.
    const ys = Array.from(b.y.dataSync());
    assert.deepEqual(b.ids, ys.map(String));
    out.push(...ys);
    tf.dispose([b.x, b.y]);
  }
  return out;
}

test("arrayBatches reshuffles every epoch, as a function of (seed, epoch) only", async () => {
  const n = 20;
  const x = tf.zeros([n, 1, 1, 1]) as tf.Tensor4D;
  const y = tf.tensor1d(Array.from({ length: n }, (_, i) => i));
  const src = arrayBatches(x, y, 6, createRng(7, "train/shuffle"));
  assert.equal(src.batchesPerEpoch, 4);
  const orders: number[][] = [];
  for (let e = 0; e < 5; e++) orders.push(await epochOrder(src, e));
  const identity = Array.from({ length: n }, (_, i) => i);
  for (const o of orders) assert.deepEqual(o.slice().sort((a, b) => a - b), identity, "each epoch is a permutation");
  // Two orders of 20 items agree with probability 1/20!: any repeat means no per-epoch reshuffle.
  const distinct = new Set(orders.map((o) => o.join(",")));
  assert.equal(distinct.size, 5, "every epoch has its own order");
  assert.ok(orders.every((o) => o.join(",") !== identity.join(",")));
  // Same (seed, epoch) → same order, whatever ran before (exact resume): a fresh source, epoch 3 first.
  const again = arrayBatches(x, y, 6, createRng(7, "train/shuffle"));
  assert.deepEqual(await epochOrder(again, 3), orders[3]);
  // Another seed → another order.
  const other = arrayBatches(x, y, 6, createRng(8, "train/shuffle"));
  assert.notDeepEqual(await epochOrder(other, 3), orders[3]);
  // No rng (validation): fixed order every epoch.
  const fixed = arrayBatches(x, y, 6, null);
  assert.deepEqual(await epochOrder(fixed, 0), identity);
  assert.deepEqual(await epochOrder(fixed, 4), identity);
  tf.dispose([x, y]);
});
