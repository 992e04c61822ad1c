import { test, before, afterEach } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { FitOptions, FitResult, fit } from "../../src/lib/train/trainer";
import { canonicalWeights } from "../../src/lib/train/checkpoint";
import { earlyStopping } from "../../src/lib/train/callbacks/early-stopping";
import { historyLogger } from "../../src/lib/train/callbacks/history-writer";
import { LAST_DIR, lastCheckpoint } from "../../src/lib/train/callbacks/last-checkpoint";
import { configHash, decideResume } from "../../src/lib/train/resume";
import { Callback } from "../../src/lib/train/types";
import { InterruptedError, clearInterrupt, requestInterrupt } from "../../src/lib/util/interrupt";
import { tinyData, tinyModel } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});
afterEach(() => clearInterrupt());

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "steel-resume-"));

test("configHash: canonical JSON (sorted keys, no spaces) hashed with sha256, as Python computes it", () => {
  const a = { model: "simplecnn", optimizer: { name: "adamw", lr: 0.001, weightDecay: 0.01 }, epochs: 6, sizes: [200, 200], note: "défaut" };
  const b = { sizes: [200, 200], note: "défaut", epochs: 6, optimizer: { weightDecay: 0.01, lr: 0.001, name: "adamw" }, model: "simplecnn" };
  assert.equal(configHash(a), configHash(b));
  assert.notEqual(configHash(a), configHash({ ...a, epochs: 7 }));
  assert.notEqual(configHash(a), configHash({ ...a, sizes: [200, 100] }));
  const py = execFileSync("/usr/bin/python3", [
    "-c",
    "import sys,json,hashlib; o=json.loads(sys.argv[1]); print(hashlib.sha256(json.dumps(o,sort_keys=True,separators=(',',':'),ensure_ascii=False).encode()).hexdigest())",
    JSON.stringify(a),
  ]).toString().trim();
  assert.equal(configHash(a), py);
});

const base = (o: Partial<FitOptions> = {}): FitOptions => ({
  epochs: 6,
  batchSize: 8,
  seed: 11,
  progress: false,
  microBatchSize: 4,
  optimizer: { name: "adamw", lr: 0.02, weightDecay: 0.05 },
  scheduler: { type: "cosine", minLr: 0.001, warmup: { steps: 3 } },
  ...o,
});

function weightBytes(model: tf.LayersModel): Buffer {
  return Buffer.concat(canonicalWeights(model).map((w) => Buffer.from((w.read().dataSync() as Float32Array).buffer)));
}

interface Run {
  dir: string;
  result: FitResult;
  model: tf.LayersModel;
}

test("kill-and-resume at library level: stop after epoch k, resume from last/, same weight bytes and history", async () => {
  const train = tinyData(1, 40);
  const val = tinyData(2, 16);
  const config = { model: "tiny-conv", epochs: 6, lr: 0.02 };
  const hash = configHash(config);
  const callbacksFor = (dir: string, extra: Callback[] = []) => [earlyStopping({ patience: 100, mode: "max" }), ...extra, historyLogger({ dir }), lastCheckpoint({ dir, configHash: hash })];
  const straight = async (): Promise<Run> => {
    const dir = tmp();
    const model = tinyModel(3, { conv: true });
    const result = await fit(model, { train, val }, base({ callbacks: callbacksFor(dir) }));
    return { dir, result, model };
  };
  const a = await straight();
  assert.equal(a.result.history.length, 6);

  // B: a "power cut" (an exception) after epoch 3 of 6 completed; C: an interrupt mid-epoch 5.
  const stops: { name: string; cb: Callback; expect: RegExp; afterEpoch: number }[] = [
    { name: "crash", cb: { onEpochBegin: (e) => { if (e === 3) throw new Error("simulated power cut"); } }, expect: /power cut/, afterEpoch: 2 },
    { name: "interrupt", cb: (() => { let ep = -1; return { onEpochBegin: (e: number) => void (ep = e), onBatchEnd: (b: number) => { if (ep === 4 && b === 1) requestInterrupt(); } }; })(), expect: /interrupted at epoch 5, batch 2/, afterEpoch: 3 },
  ];
  for (const s of stops) {
    const dir = tmp();
    assert.equal(decideResume(dir, hash).action, "fresh");
    const first = tinyModel(3, { conv: true });
    await assert.rejects(fit(first, { train, val }, base({ callbacks: callbacksFor(dir, [s.cb]) })), (e: Error) => s.expect.test(e.message) && (s.name !== "interrupt" || e instanceof InterruptedError));
    first.dispose();
    clearInterrupt();
    const d = decideResume(dir, hash);
    assert.equal(d.action, "resume", JSON.stringify(d));
    if (d.action !== "resume") continue;
    assert.equal(d.afterEpoch, s.afterEpoch);
    assert.match(d.message, new RegExp(`resuming .* after epoch ${s.afterEpoch + 1} of 6`));
    const resumed = tinyModel(99, { conv: true }); // another init: everything must come from last/
    const n0 = tf.memory().numTensors;
    const r = await fit(resumed, { train, val }, base({ resumeFrom: d.from, callbacks: callbacksFor(dir) }));
    assert.equal(tf.memory().numTensors, n0, `${s.name}: no tensors leak over a resumed fit`);
    assert.equal(r.resumedAfterEpoch, s.afterEpoch);
    assert.equal(r.epochsRun, 5 - s.afterEpoch);
    assert.deepEqual(r.history, a.result.history, `${s.name}: history`);
    assert.ok(weightBytes(resumed).equals(weightBytes(a.model)), `${s.name}: final weights differ from the uninterrupted run's`);
    for (const f of ["weights.bin", "optimizer.bin"]) {
      assert.ok(fs.readFileSync(path.join(dir, LAST_DIR, f)).equals(fs.readFileSync(path.join(a.dir, LAST_DIR, f))), `${s.name}: last/${f}`);
    }
    assert.equal(fs.readFileSync(path.join(dir, "history.csv"), "utf8"), fs.readFileSync(path.join(a.dir, "history.csv"), "utf8"));
    // Finished: resuming again runs nothing and says so.
    const again = decideResume(dir, hash);
    assert.ok(again.action === "resume" && /already finished \(6 of 6 epochs\)/.test(again.message), again.message);
    resumed.dispose();
  }
  a.model.dispose();
  tf.dispose([train.x, train.y, val.x, val.y]);
});

test("decideResume refuses another configuration, restarts on request, refuses a damaged last/", async () => {
  const train = tinyData(1, 16);
  const dir = tmp();
  const hash = configHash({ lr: 0.02 });
  const model = tinyModel(3);
  await fit(model, { train }, base({ epochs: 3, callbacks: [lastCheckpoint({ dir, configHash: hash })], scheduler: undefined, microBatchSize: undefined }));
  const other = decideResume(dir, configHash({ lr: 0.03 }));
  assert.equal(other.action, "refuse");
  assert.match(other.message, /was started with a different configuration \(configuration [0-9a-f]{12}, now [0-9a-f]{12}\); use --restart to start over, or the same settings to resume/);
  const restart = decideResume(dir, configHash({ lr: 0.03 }), { restart: true });
  assert.deepEqual([restart.action, restart.action === "fresh" && restart.restarted], ["fresh", true]);
  // A checkpoint saved without a hash (e.g. by an older version) is not silently resumed.
  const noHash = tmp();
  await fit(model, { train }, base({ epochs: 1, callbacks: [lastCheckpoint({ dir: noHash })], scheduler: undefined, microBatchSize: undefined }));
  assert.match(decideResume(noHash, hash).message, /no recorded configuration/);
  // Damaged: truncated checkpoint.json.
  const meta = path.join(dir, LAST_DIR, "checkpoint.json");
  fs.writeFileSync(meta, fs.readFileSync(meta, "utf8").slice(0, 100));
  const damaged = decideResume(dir, hash);
  assert.equal(damaged.action, "refuse");
  assert.ok(damaged.message.includes(meta) && /not valid JSON/.test(damaged.message) && /--restart/.test(damaged.message), damaged.message);
  model.dispose();
  tf.dispose([train.x, train.y]);
});

test("a run that stopped early is not trained further by a resume", async () => {
  const train = tinyData(1, 16);
  const dir = tmp();
  const hash = configHash({ stop: true });
  const cbs = () => [earlyStopping({ monitor: "loss", patience: 1, minDelta: 1e-6 }), lastCheckpoint({ dir, configHash: hash })];
  const o = base({ epochs: 8, optimizer: { name: "sgd", lr: 0 }, scheduler: undefined, microBatchSize: undefined });
  const model = tinyModel(3);
  const first = await fit(model, { train }, { ...o, callbacks: cbs() });
  assert.ok(first.stopped && first.history.length === 2, `stopped ${first.stopped} after ${first.history.length}`);
  const d = decideResume(dir, hash);
  assert.ok(d.action === "resume" && /already finished \(2 of 8 epochs, stopped early\)/.test(d.message), d.message);
  const again = await fit(model, { train }, { ...o, resumeFrom: d.action === "resume" ? d.from : "", callbacks: cbs() });
  assert.deepEqual([again.epochsRun, again.stopped, again.history.length], [0, true, 2]);
  model.dispose();
  tf.dispose([train.x, train.y]);
});
