import { test, before, afterEach } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { FitOptions, fit } from "../../src/lib/train/trainer";
import { readCheckpoint } from "../../src/lib/train/checkpoint";
import { historyLogger } from "../../src/lib/train/callbacks/history-writer";
import { LAST_DIR, lastCheckpoint } from "../../src/lib/train/callbacks/last-checkpoint";
import { TrainerMeta } from "../../src/lib/train/trainer-meta";
import { Callback } from "../../src/lib/train/types";
import { InterruptedError, clearInterrupt, requestInterrupt } from "../../src/lib/util/interrupt";
import { tinyData, tinyModel, weightsOf } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});
afterEach(() => clearInterrupt());

const opts = (o: Partial<FitOptions> = {}): FitOptions => ({ epochs: 3, batchSize: 8, seed: 5, progress: false, optimizer: { name: "adamw", lr: 0.02 }, ...o });

/** Calls `at(epoch, batch)` after every batch. */
function onBatch(at: (epoch: number, batch: number) => void): Callback {
  let epoch = -1;
  return {
    onEpochBegin: (e) => void (epoch = e),
    onBatchEnd: (b) => at(epoch, b),
  };
}

test("an interrupt at batch k stops fit at once: InterruptedError, weights kept, last/ = last completed epoch", async () => {
  const train = tinyData(1, 40); // 5 batches per epoch
  const val = tinyData(2, 8);
  // Reference: the weights right after epoch 1 (0-based), batch 2, in an uninterrupted run.
  let reference: Float32Array[] = [];
  const ref = tinyModel(3);
  const snapshot = () => ref.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  await fit(ref, { train, val }, opts({ callbacks: [onBatch((e, b) => void (e === 1 && b === 2 && (reference = snapshot())))] }));
  assert.ok(reference.length > 0);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), "steel-int-"));
  const model = tinyModel(3);
  const n0 = tf.memory().numTensors;
  const seen: string[] = [];
  const err = await fit(model, { train, val }, opts({
    callbacks: [onBatch((e, b) => {
      seen.push(`${e}:${b}`);
      if (e === 1 && b === 2) requestInterrupt();
    }), historyLogger({ dir: root }), lastCheckpoint({ dir: root })],
  })).then(
    () => assert.fail("fit finished despite the interrupt"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof InterruptedError, String(err));
  assert.equal(err.message, "interrupted at epoch 2, batch 3 (fit)");
  assert.equal(err.epoch, 1);
  assert.equal(err.batch, 2);
  assert.equal(seen[seen.length - 1], "1:2", "no batch after the interrupted one");
  assert.equal(tf.memory().numTensors, n0, "no tensors leak on the interrupt path");
  // The model keeps the weights it had at the interrupt (not rolled back, not a later state).
  const now = await weightsOf(model);
  now.forEach((w, i) => assert.deepEqual(w, reference[i]));
  // last/ and the history are those of epoch 0, the last one completed.
  const ckpt = readCheckpoint<TrainerMeta>(path.join(root, LAST_DIR));
  assert.equal(ckpt.file.meta.epoch, 0);
  assert.equal(ckpt.file.meta.history.length, 1);
  assert.equal(fs.readFileSync(path.join(root, "history.csv"), "utf8").trim().split("\n").length, 2);
  assert.deepEqual(fs.readdirSync(root).sort(), ["history.csv", "history.json", LAST_DIR]);
  [ref, model].forEach((m) => m.dispose());
  tf.dispose([train.x, train.y, val.x, val.y]);
});

test("an interrupt requested before fit starts is cleared: fit runs to the end", async () => {
  const train = tinyData(1, 16);
  const model = tinyModel(3);
  requestInterrupt();
  const r = await fit(model, { train }, opts({ epochs: 2 }));
  assert.equal(r.history.length, 2);
  model.dispose();
  tf.dispose([train.x, train.y]);
});

test("a real SIGINT during a fit on in-memory data stops it at the next batch (the handler runs mid-fit)", async () => {
  // As in the kernel: the signal handler sets the flag; the fit must let the event loop run it.
  const onSigint = () => requestInterrupt();
  process.on("SIGINT", onSigint);
  const train = tinyData(1, 40); // 5 batches per epoch; 200 epochs would take seconds
  const model = tinyModel(3);
  let signalled: number | undefined;
  const batches: string[] = [];
  try {
    const err = await fit(model, { train }, opts({
      epochs: 200,
      callbacks: [onBatch((e, b) => {
        batches.push(`${e}:${b}`);
        if (e === 1 && b === 0) {
          signalled = batches.length;
          process.kill(process.pid, "SIGINT");
        }
      })],
    })).then(
      () => assert.fail("fit ran all 200 epochs: the SIGINT handler never ran during the fit"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof InterruptedError, String(err));
    // Signal delivery is asynchronous; the loop yields at least every 20 ms, i.e. within a few batches.
    assert.ok(batches.length - (signalled as number) <= 25, `${batches.length - (signalled as number)} batches ran after the SIGINT`);
    assert.match(err.message, /^interrupted at epoch \d+, batch \d+ \(fit\)$/);
  } finally {
    process.off("SIGINT", onSigint);
    model.dispose();
    tf.dispose([train.x, train.y]);
  }
});
