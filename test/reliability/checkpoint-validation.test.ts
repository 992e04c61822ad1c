/**
 * Every way a checkpoint on disk can be broken gives one clear error naming the file — never a
 * bare SyntaxError, a raw ENOENT, a tfjs shape assertion, or a "resume" that silently does nothing.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { FitOptions, fit } from "../../src/lib/train/trainer";
import { CheckpointError, loadModel, readCheckpoint, saveCheckpoint } from "../../src/lib/train/checkpoint";
import { LAST_DIR, lastCheckpoint } from "../../src/lib/train/callbacks/last-checkpoint";
import { writeJsonAtomic } from "../../src/lib/util/atomic-write";
import { tinyData, tinyModel } from "../train/helpers";

before(async () => {
  await tf.setBackend("cpu");
});

const opts = (o: Partial<FitOptions> = {}): FitOptions => ({ epochs: 3, batchSize: 8, seed: 5, progress: false, optimizer: { name: "adamw", lr: 0.02 }, ...o });
let good = "";

/** A real last/ from fit (2 of 3 epochs done), copied fresh for each corruption. */
async function goodCheckpoint(): Promise<string> {
  if (good) return good;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "steel-ckv-"));
  const train = tinyData(1, 16);
  const model = tinyModel(3);
  await assert.rejects(
    fit(model, { train }, opts({ callbacks: [lastCheckpoint({ dir: root }), { onEpochBegin: (e) => { if (e === 2) throw new Error("stop here"); } }] })),
    /stop here/,
  );
  model.dispose();
  tf.dispose([train.x, train.y]);
  good = path.join(root, LAST_DIR);
  return good;
}

async function copyOf(): Promise<string> {
  const src = await goodCheckpoint();
  const dst = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "steel-ckv-")), LAST_DIR);
  fs.cpSync(src, dst, { recursive: true });
  return dst;
}

/** fit resuming from `dir` must fail with `pattern`, and the message must contain `file`. */
async function resumeFails(dir: string, file: string, pattern: RegExp): Promise<void> {
  const train = tinyData(1, 16);
  const model = tinyModel(3);
  await assert.rejects(fit(model, { train }, opts({ resumeFrom: dir })), (e: Error) => {
    assert.ok(e.message.includes(file), `message does not name ${file}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
  model.dispose();
  tf.dispose([train.x, train.y]);
}

const rewriteJson = (file: string, edit: (o: Record<string, any>) => void) => {
  const o = JSON.parse(fs.readFileSync(file, "utf8"));
  edit(o);
  fs.writeFileSync(file, JSON.stringify(o));
};

test("the good checkpoint loads and resumes (the baseline the corruptions are measured against)", async () => {
  const dir = await copyOf();
  const c = readCheckpoint<{ epoch: number }>(dir);
  assert.equal(c.file.meta.epoch, 1);
  const train = tinyData(1, 16);
  const r = await fit(tinyModel(3), { train }, opts({ resumeFrom: dir }));
  assert.equal(r.epochsRun, 1);
  tf.dispose([train.x, train.y]);
});

test("truncated JSON files: the error names checkpoint.json / model.json", async () => {
  for (const name of ["checkpoint.json", "model.json"]) {
    const dir = await copyOf();
    const file = path.join(dir, name);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").slice(0, 500));
    assert.throws(() => readCheckpoint(dir), (e: Error) => e instanceof CheckpointError && e.file === file && e.message.includes(`${file} is not valid JSON`) && /delete that folder/.test(e.message));
    await resumeFails(dir, file, /not valid JSON/);
  }
});

test("weights.bin missing, truncated, or altered: named, with byte counts or the hash", async () => {
  let dir = await copyOf();
  let w = path.join(dir, "weights.bin");
  fs.rmSync(w);
  assert.throws(() => readCheckpoint(dir), new RegExp(`${w.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is missing`));
  dir = await copyOf();
  w = path.join(dir, "weights.bin");
  const full = fs.readFileSync(w);
  fs.writeFileSync(w, full.subarray(0, full.length - 12));
  assert.throws(() => readCheckpoint(dir), (e: Error) => e.message.includes(`${w} has ${full.length - 12} bytes but`) && e.message.includes(`weights of ${full.length} bytes`));
  dir = await copyOf();
  w = path.join(dir, "weights.bin");
  const flipped = Buffer.from(full);
  flipped[7] ^= 0x01; // one bit: a finite, same-length, different file
  fs.writeFileSync(w, flipped);
  assert.throws(() => readCheckpoint(dir), (e: Error) => e.message.includes(`${w} does not match the sha256`));
  await resumeFails(dir, w, /sha256/);
  // optimizer.bin too.
  dir = await copyOf();
  const o = path.join(dir, "optimizer.bin");
  fs.writeFileSync(o, fs.readFileSync(o).subarray(0, 16));
  assert.throws(() => readCheckpoint(dir), (e: Error) => e.message.includes(`${o} has 16 bytes`));
});

test("checkpoint.json missing or with wrongly typed fields: resume refuses, naming the field", async () => {
  let dir = await copyOf();
  const meta = () => path.join(dir, "checkpoint.json");
  fs.rmSync(meta());
  await resumeFails(dir, meta(), /checkpoint\.json is missing/);
  const cases: [string, (o: Record<string, any>) => void, RegExp][] = [
    ["epoch abc", (o) => (o.meta.epoch = "abc"), /meta\.epoch must be a non-negative integer, got "abc"/],
    ["epoch -1", (o) => (o.meta.epoch = -1), /meta\.epoch must be a non-negative integer, got -1/],
    ["epoch past the end", (o) => (o.meta.epoch = 3), /meta\.epoch must be below epochs \(3\), got 3/],
    ["no seed", (o) => delete o.meta.seed, /meta\.seed must be an integer, got undefined/],
    ["seed 1.5", (o) => (o.meta.seed = 1.5), /meta\.seed must be an integer, got 1\.5/],
    ["history not an array", (o) => (o.meta.history = {}), /meta\.history must be an array/],
    ["history too short", (o) => o.meta.history.pop(), /meta\.history must be an array of 2 rows/],
    ["history row of strings", (o) => (o.meta.history[0].loss = "0.3"), /meta\.history\[0\] must be a row of numbers/],
    ["scheduler missing", (o) => delete o.meta.scheduler, /meta\.scheduler must be \{spec, state\} objects/],
    ["version", (o) => (o.version = "2"), /has version "2", expected an integer/],
  ];
  for (const [what, edit, pattern] of cases) {
    dir = await copyOf();
    rewriteJson(meta(), edit);
    await resumeFails(dir, meta(), pattern).catch((e) => assert.fail(`${what}: ${e.message}`));
  }
});

test("NaN/Inf weights are refused on save (the previous checkpoint stays) and on load", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "steel-ckv-"));
  const dir = path.join(root, "c");
  const model = tinyModel(4);
  await saveCheckpoint(dir, { model, meta: { n: 1 } });
  const kernel = model.layers[1].getWeights()[0];
  const bad = kernel.dataSync().slice();
  bad[3] = NaN;
  bad[5] = Infinity;
  model.layers[1].setWeights([tf.tensor(bad, kernel.shape), model.layers[1].getWeights()[1]]);
  const name = model.layers[1].weights[0].originalName;
  await assert.rejects(saveCheckpoint(dir, { model, meta: { n: 2 } }), (e: Error) => e.message.includes(`weight "${name}" (2 of ${bad.length} values are NaN/Inf)`) && /not saved/.test(e.message));
  assert.equal(readCheckpoint<{ n: number }>(dir).file.meta.n, 1, "the previous checkpoint is intact");
  assert.deepEqual(fs.readdirSync(root), ["c"], "no temp left by the refused save");
  // On load: NaN bytes written into weights.bin with a matching hash (so only the NaN check can catch it).
  const w = path.join(dir, "weights.bin");
  const bytes = fs.readFileSync(w);
  new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)[0] = NaN;
  fs.writeFileSync(w, bytes);
  rewriteJson(path.join(dir, "model.json"), (o) => (o.userDefinedMetadata.weightsSha256 = createHash("sha256").update(bytes).digest("hex")));
  const first = readCheckpointSpecs(dir)[0];
  assert.throws(() => readCheckpoint(dir), (e: Error) => e.message.includes(w) && e.message.includes(`"${first}" (1 of`) && /NaN\/Inf/.test(e.message));
  await assert.rejects(loadModel(dir), /NaN\/Inf/);
  model.dispose();
});

function readCheckpointSpecs(dir: string): string[] {
  return JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8")).weightsManifest[0].weights.map((s: { name: string }) => s.name);
}

test("stale temp folders and files of dead writers are removed at the next write to the same parent", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "steel-ckv-"));
  const dead = 2 ** 22 + 12345; // above the default pid_max: no such process
  const stale = [`last.tmp-${dead}-1-1`, `best.old-${dead}-1-2`, `metrics.json.tmp-${dead}-17`];
  const live = `last.tmp-${process.ppid}-1-3`; // another live process's in-flight write is kept
  fs.mkdirSync(path.join(root, "best"));
  for (const s of stale) fs.mkdirSync(path.join(root, s));
  fs.rmSync(path.join(root, stale[2]), { recursive: true });
  fs.writeFileSync(path.join(root, stale[2]), "half"); // dirs and files alike
  fs.mkdirSync(path.join(root, live));
  // An .old-* whose target is gone is the only copy: kept until a new version exists.
  fs.mkdirSync(path.join(root, `gone.old-${dead}-1-4`));
  const model = tinyModel(4);
  await saveCheckpoint(path.join(root, "last"), { model, meta: {} });
  assert.deepEqual(fs.readdirSync(root).sort(), ["best", "gone.old-" + dead + "-1-4", "last", live].sort());
  writeJsonAtomic(path.join(root, "metrics.json"), { ok: 1 });
  assert.ok(!fs.readdirSync(root).some((f) => f.startsWith("metrics.json.tmp")));
  model.dispose();
});
