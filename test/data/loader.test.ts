import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { projectPaths } from "../../src/lib/config/paths";
import * as tf from "@tensorflow/tfjs";
import { DataError, type Batch, type Dataset, type Sample } from "../../src/lib/data/types";
import { classificationView, segmentationView } from "../../src/lib/data/views";
import { createBatchSource, type BatchSourceOptions } from "../../src/lib/data/loader";
import { createWeightedSampler } from "../../src/lib/data/sampler";
import { brightnessContrast, compose, horizontalFlip, randomAffine } from "../../src/lib/data/augment/index";

const H = 6;
const W = 8;
const N = 10;
let tmp = "";
let data: Dataset;

/** Sample i is a constant grey image of value 20 i (0..255) with a bright pixel at (0, 0), label i % 3. */
before(async () => {
  await tf.setBackend("cpu");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "loader-"));
  const samples: Sample[] = [];
  for (let i = 0; i < N; i++) {
    const buf = Buffer.alloc(H * W, 20 * i);
    buf[0] = 255;
    const file = path.join(tmp, `img${i}.png`);
    await sharp(buf, { raw: { width: W, height: H, channels: 1 } }).png().toFile(file);
    const label = i % 3;
    samples.push({ id: `img${i}`, path: file, dataset: "neu", label, labels: [0, 1, 2].map((k) => (k === label ? 1 : 0)), height: H, width: W });
  }
  data = { name: "neu", classNames: ["a", "b", "c"], samples, skipped: [], source: "synthetic", root: tmp };
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const all = () => data.samples.map((_, i) => i);

/** Consumes an epoch; returns ids, x/y arrays and shapes, disposing every tensor. */
async function drain(src: AsyncIterable<Batch>) {
  const out: { ids: string[]; x: number[][]; y: number[][]; xShape: number[]; yShape: number[] }[] = [];
  for await (const b of src) {
    out.push({ ids: b.ids, x: [Array.from(await b.x.data())], y: [Array.from(await b.y.data())], xShape: b.x.shape, yShape: b.y.shape });
    tf.dispose([b.x, b.y]);
  }
  return out;
}

test("every sample once per epoch; x and y belong to the id they are reported with; shapes", async () => {
  const src = createBatchSource(classificationView(data, { mode: "single" }), all(), { batchSize: 4, seed: 1 });
  assert.equal(src.size, N);
  assert.equal(src.batchesPerEpoch, 3);
  const batches = await drain(src.batches(0));
  assert.deepEqual(batches.map((b) => b.xShape), [[4, H, W, 1], [4, H, W, 1], [2, H, W, 1]]);
  assert.deepEqual(batches.map((b) => b.yShape), [[4, 3], [4, 3], [2, 3]]);
  const ids = batches.flatMap((b) => b.ids);
  assert.deepEqual([...ids].sort(), data.samples.map((s) => s.id).sort());
  for (const b of batches) {
    b.ids.forEach((id, k) => {
      const i = Number(id.slice(3));
      const px = b.x[0].slice(k * H * W, (k + 1) * H * W);
      assert.ok(Math.abs(px[1] - (20 * i) / 255) < 1e-6, `${id} pixel value`);
      assert.deepEqual(b.y[0].slice(k * 3, k * 3 + 3), [0, 1, 2].map((c) => (c === i % 3 ? 1 : 0)));
    });
  }
  const dropped = createBatchSource(classificationView(data, { mode: "single" }), all(), { batchSize: 4, seed: 1, dropLast: true });
  assert.equal(dropped.batchesPerEpoch, 2);
  assert.equal((await drain(dropped.batches(0))).flatMap((b) => b.ids).length, 8);
});

test("order is deterministic by seed and epoch (resume-safe), differs across epochs, fixed without shuffle", async () => {
  const view = classificationView(data, { mode: "single" });
  const opts: BatchSourceOptions = { batchSize: 3, seed: 7 };
  const a = createBatchSource(view, all(), opts);
  for (let e = 0; e < 3; e++) await drain(a.batches(e));
  const afterThree = (await drain(a.batches(3))).flatMap((b) => b.ids);
  const fresh = createBatchSource(view, all(), opts);
  assert.deepEqual((await drain(fresh.batches(3))).flatMap((b) => b.ids), afterThree);
  assert.notDeepEqual(fresh.order(4), fresh.order(3));
  assert.notDeepEqual(createBatchSource(view, all(), { ...opts, seed: 8 }).order(3), fresh.order(3));
  const plain = createBatchSource(view, [5, 2, 7], { batchSize: 2, seed: 7, shuffle: false });
  assert.deepEqual((await drain(plain.batches(9))).flatMap((b) => b.ids), ["img5", "img2", "img7"]);
});

test("prefetch depth and cache do not change results, augmentation included", async () => {
  const augment = compose([horizontalFlip(), randomAffine({ maxAngle: 20 }), brightnessContrast()], 0.7);
  const view = classificationView(data, { mode: "single" });
  const run = async (prefetch: number, cache: "memory" | "none") => {
    const src = createBatchSource(view, all(), { batchSize: 4, seed: 3, augment, prefetch, cache });
    return [await drain(src.batches(0)), await drain(src.batches(1))];
  };
  const ref = await run(0, "none");
  assert.deepEqual(await run(3, "none"), ref);
  assert.deepEqual(await run(1, "memory"), ref);
  // Augmentation really happened: same order without augmentation gives different pixels.
  const plain = await drain(createBatchSource(view, all(), { batchSize: 4, seed: 3 }).batches(0));
  assert.deepEqual(plain.map((b) => b.ids), ref[0].map((b) => b.ids));
  assert.notDeepEqual(plain.map((b) => b.x), ref[0].map((b) => b.x));
  // And the cache decodes each file once over two epochs.
  const cached = createBatchSource(view, all(), { batchSize: 4, seed: 3, cache: "memory" });
  await drain(cached.batches(0));
  await drain(cached.batches(1));
  assert.deepEqual(cached.stats(), { decoded: N, cacheHits: N, skippedReads: 0 });
});

test("tensors: numTensors is unchanged after consuming epochs, and after stopping early", async () => {
  const view = classificationView(data, { mode: "single" });
  const src = createBatchSource(view, all(), { batchSize: 3, seed: 2, prefetch: 2 });
  const before = tf.memory().numTensors;
  for (let e = 0; e < 3; e++) await drain(src.batches(e));
  assert.equal(tf.memory().numTensors, before);
  for await (const b of src.batches(5)) {
    tf.dispose([b.x, b.y]);
    break;
  }
  await new Promise((r) => setTimeout(r, 50)); // let the prefetched batches settle
  assert.equal(tf.memory().numTensors, before);
});

test("weighted sampler sets epoch size and order (positions into the index list)", async () => {
  const view = classificationView(data, { mode: "single" });
  const indices = [1, 4, 7];
  const sampler = createWeightedSampler({ weights: [0, 1, 0], numSamples: 5, seed: 1 });
  const src = createBatchSource(view, indices, { batchSize: 2, seed: 1, sampler });
  assert.equal(src.size, 5);
  assert.equal(src.batchesPerEpoch, 3);
  assert.deepEqual((await drain(src.batches(0))).flatMap((b) => b.ids), ["img4", "img4", "img4", "img4", "img4"]);
  const bad = createBatchSource(view, [1], { batchSize: 2, seed: 1, sampler });
  assert.throws(() => bad.order(0), /sampler drew position/);
});

test("corrupt file: strict throws a DataError naming the path; lenient skips and counts it once", async () => {
  const badFile = path.join(tmp, "corrupt.png");
  fs.writeFileSync(badFile, Buffer.from("not an image at all"));
  const samples = [...data.samples.slice(0, 5), { ...data.samples[0], id: "corrupt", path: badFile }];
  const bad: Dataset = { ...data, samples };
  const view = classificationView(bad, { mode: "single" });
  const idx = samples.map((_, i) => i);
  const strict = createBatchSource(view, idx, { batchSize: 4, seed: 1 });
  await assert.rejects(() => drain(strict.batches(0)), (e: unknown) => e instanceof DataError && e.file === badFile && e.message.includes(badFile));
  const lenient = createBatchSource(view, idx, { batchSize: 4, seed: 1, mode: "lenient" });
  const before = tf.memory().numTensors;
  const ids0 = (await drain(lenient.batches(0))).flatMap((b) => b.ids);
  const ids1 = (await drain(lenient.batches(1))).flatMap((b) => b.ids);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(ids0.length, 5);
  assert.equal(ids1.length, 5);
  assert.ok(!ids0.includes("corrupt"));
  assert.equal(lenient.skipped.length, 1);
  assert.equal(lenient.skipped[0].file, badFile);
  assert.equal(lenient.skipped[0].id, "corrupt");
  assert.equal(lenient.stats().skippedReads, 2);
});

test("segmentation batches are [N, H, W, 4] and mismatched sizes fail with both ids", async () => {
  const seg: Dataset = {
    name: "severstal",
    classNames: ["ok", "1", "2", "3", "4"],
    samples: data.samples.slice(0, 3).map((s, i) => ({ ...s, id: `${i}.jpg`, dataset: "severstal", label: 0, labels: [0, 0, 0, 0], rle: ["", `${i + 1} 2`, "", ""] })),
    skipped: [],
    source: "synthetic",
    root: tmp,
  };
  const src = createBatchSource(segmentationView(seg), [0, 1, 2], { batchSize: 2, seed: 1, shuffle: false });
  const batches = await drain(src.batches(0));
  assert.deepEqual(batches.map((b) => b.yShape), [[2, H, W, 4], [1, H, W, 4]]);
  // Sample 1 has class 2 at column-major pixels 2, 3 → (row 1, col 0) and (row 2, col 0).
  const y1 = batches[0].y[0].slice(H * W * 4);
  const on = y1.flatMap((v, i) => (v ? [i] : []));
  assert.deepEqual(on, [(1 * W + 0) * 4 + 1, (2 * W + 0) * 4 + 1]);
  const resized = createBatchSource(segmentationView(seg), [0, 1], { batchSize: 2, seed: 1, imageSize: { height: 3, width: 4 } });
  assert.deepEqual((await drain(resized.batches(0)))[0].xShape, [2, 3, 4, 1]);

  const other = path.join(tmp, "other.png");
  await sharp(Buffer.alloc(5 * 5, 9), { raw: { width: 5, height: 5, channels: 1 } }).png().toFile(other);
  const mixed: Dataset = { ...data, samples: [data.samples[0], { ...data.samples[1], id: "odd", path: other, height: 5, width: 5 }] };
  const m = createBatchSource(classificationView(mixed, { mode: "single" }), [0, 1], { batchSize: 2, seed: 1, shuffle: false });
  await assert.rejects(() => drain(m.batches(0)), /img0 is 6x8x1 .* but odd is 5x5x1/);
});

const neuDir = path.join(projectPaths().sharedData, "neu-det", "images");

test("real NEU images: resized 3-channel batches with grey content (R = G = B)", { skip: !fs.existsSync(neuDir) && "shared NEU absent" }, async () => {
  const files = fs.readdirSync(neuDir).filter((f) => f.endsWith(".jpg")).sort().slice(0, 6);
  const samples: Sample[] = files.map((f, i) => ({ id: f, path: path.join(neuDir, f), dataset: "neu", label: 0, labels: [1], height: 200, width: 200 }));
  const view = classificationView({ name: "neu", classNames: ["x"], samples, skipped: [], source: "real", root: neuDir }, { mode: "single" });
  const src = createBatchSource(view, samples.map((_, i) => i), { batchSize: 4, seed: 1, imageSize: { height: 64, width: 64 }, channels: 3, cache: "memory" });
  const batches = await drain(src.batches(0));
  assert.deepEqual(batches.map((b) => b.xShape), [[4, 64, 64, 3], [2, 64, 64, 3]]);
  for (const b of batches) {
    const x = b.x[0];
    for (let p = 0; p < x.length; p += 3) assert.ok(x[p] === x[p + 1] && x[p] === x[p + 2]);
  }
});
