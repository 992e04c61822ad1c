/**
 * Micro-batch recommendations agree with the heap measurements they come from, and the heap
 * helper reports the real wasm memory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  fitHeap,
  HEAP_BUDGET_FRACTION,
  MEASURED_HEAP,
  recommendedMicroBatch,
  WASM_HEAP_MAX_BYTES,
  wasmHeapInfo,
} from "../../src/lib/engine/index";
import { setupWasm } from "./helpers";

const budgetMiB = (HEAP_BUDGET_FRACTION * WASM_HEAP_MAX_BYTES) / 2 ** 20;

test("the heap ceiling is emscripten's 4 GiB - 64 KiB", () => {
  assert.equal(WASM_HEAP_MAX_BYTES, 4 * 2 ** 30 - 64 * 2 ** 10);
});

test("at the measured input size the recommendation is consistent with the measurements", () => {
  for (const m of MEASURED_HEAP) {
    const rec = recommendedMicroBatch(m.model, m.inputSize);
    const within = m.points.filter(([, mib]) => mib <= budgetMiB).map(([b]) => b);
    const over = m.points.filter(([, mib]) => mib > budgetMiB).map(([b]) => b);
    if (m.firstFailure !== undefined) over.push(m.firstFailure);
    assert.ok(within.length > 0, `${m.model}: some measured batch fits the budget`);
    assert.ok(rec >= Math.max(...within), `${m.model}: recommended ${rec} < measured-safe ${Math.max(...within)}`);
    assert.ok(rec < Math.min(...over), `${m.model}: recommended ${rec}, but ${Math.min(...over)} was measured over budget`);
    // The linear fit behind it predicts the recommended batch within budget.
    const { baseMiB, perImageMiB } = fitHeap(m);
    assert.ok(baseMiB + perImageMiB * rec <= budgetMiB);
  }
});

test("recommendations shrink with the input size, accept aliases, and never go below 1", () => {
  for (const m of MEASURED_HEAP) {
    let prev = Infinity;
    for (const size of [64, 128, 224, 256, 384, 512, 1024]) {
      const r = recommendedMicroBatch(m.model, size);
      assert.ok(r >= 1 && r <= prev, `${m.model}@${size}: ${r} after ${prev}`);
      prev = r;
    }
  }
  assert.equal(recommendedMicroBatch("UNet_R34", 256), recommendedMicroBatch("unet", 256));
  assert.equal(recommendedMicroBatch("some-new-net", 224), recommendedMicroBatch("resnet50", 224));
  assert.throws(() => recommendedMicroBatch("resnet50", 0), /inputSize/);
});

test("wasmHeapInfo reports the live wasm memory, which grows with allocations", async () => {
  await setupWasm();
  await tf.setBackend("wasm");
  const before = wasmHeapInfo();
  assert.ok(before.heapBytes > 0 && before.heapBytes <= WASM_HEAP_MAX_BYTES);
  const big = tf.zeros([64 * 2 ** 20]); // 256 MiB
  const after = wasmHeapInfo();
  assert.ok(after.heapBytes >= before.heapBytes);
  assert.ok(after.heapBytes >= 256 * 2 ** 20, "the heap holds the 256 MiB tensor");
  assert.ok(after.tensorBytes - before.tensorBytes >= 256 * 2 ** 20);
  big.dispose();
});
