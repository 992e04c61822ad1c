/**
 * Loader benchmark: time per batch of the streaming loader (decode + resize + augment, with and
 * without the memory cache, with and without prefetch) next to the time of a train step of a
 * small model on the same batch shape, measured side by side in one run. The question it answers:
 * can the loader keep up with training on this machine, and does prefetch hide the decode time?
 *
 * Data: temporary 256x1600 grey JPEGs (Severstal-sized, seeded noise + streaks) written with sharp
 * into a temp dir and deleted afterwards. Backend: wasm, selected as the workspace does (with the
 * engine's training kernels and threads); if a conv train step still fails, the table falls back
 * to a train step whose trainable part is dense (frozen conv features + dense head, and a
 * dense-only model). Writes outputs/bench/loader.json.
 *
 * Run: `npm run bench loader` or `node --import tsx bench/loader.bench.ts [--images N] [--batch B]`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../src/lib/runtime/backend";
import { projectPaths } from "../src/lib/config/paths";
import { readRunConfig } from "../src/lib/config/run-config";
import { writeJsonAtomic } from "../src/lib/util/atomic-write";
import { createProgress } from "../src/lib/util/progress";
import { createRng } from "../src/lib/util/rng";
import type { Batch, Dataset, Sample } from "../src/lib/data/types";
import { classificationView } from "../src/lib/data/views";
import { createBatchSource, type BatchSourceOptions } from "../src/lib/data/loader";
import { brightnessContrast, compose, horizontalFlip, randomAffine, verticalFlip } from "../src/lib/data/augment/index";

const SRC_H = 256;
const SRC_W = 1600;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function writeImages(dir: string, n: number, seed: number): Promise<Sample[]> {
  const rng = createRng(seed, "bench/loader/images");
  const progress = createProgress({ total: n, label: "writing JPEGs" });
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const buf = Buffer.alloc(SRC_H * SRC_W);
    const base = rng.uniform(60, 140);
    const streak = rng.int(0, SRC_W);
    for (let y = 0; y < SRC_H; y++) {
      for (let x = 0; x < SRC_W; x++) {
        const v = base + 25 * Math.sin(x / 37) + rng.normal(0, 12) + (Math.abs(x - streak - y / 4) < 6 ? 60 : 0);
        buf[y * SRC_W + x] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
    const file = path.join(dir, `bench_${i}.jpg`);
    // Severstal files are RGB JPEGs with grey content.
    await sharp(buf, { raw: { width: SRC_W, height: SRC_H, channels: 1 } }).toColourspace("srgb").jpeg({ quality: 90 }).toFile(file);
    const label = i % 2;
    samples.push({ id: `bench_${i}.jpg`, path: file, dataset: "severstal", label, labels: [label, 0, 0, 0], height: SRC_H, width: SRC_W });
    progress.tick();
  }
  progress.done();
  return samples;
}

interface Row {
  name: string;
  msPerBatch: number;
  note: string;
}

/** ms per batch of draining `epochs` epochs (tensors created and disposed, no training). */
async function timeLoader(ds: Dataset, opts: BatchSourceOptions, epochs: number, warmEpochs = 0): Promise<number> {
  const view = classificationView(ds, { mode: "single" });
  const src = createBatchSource(view, ds.samples.map((_, i) => i), opts);
  for (let e = 0; e < warmEpochs; e++) for await (const b of src.batches(e)) tf.dispose([b.x, b.y]);
  const t0 = performance.now();
  let n = 0;
  for (let e = warmEpochs; e < warmEpochs + epochs; e++) {
    for await (const b of src.batches(e)) {
      tf.dispose([b.x, b.y]);
      n++;
    }
  }
  return (performance.now() - t0) / n;
}

function convFeatures(inputShape: number[], trainable: boolean): tf.layers.Layer[] {
  return [
    tf.layers.conv2d({ inputShape, filters: 8, kernelSize: 3, strides: 2, activation: "relu", trainable }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: "relu", trainable }),
    tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, activation: "relu", trainable }),
    tf.layers.globalAveragePooling2d({}),
  ];
}

function buildModels(inputShape: number[]) {
  tf.util.assert(inputShape.length === 3, () => "input [H, W, C]");
  const head = () => [tf.layers.dense({ units: 32, activation: "relu" }), tf.layers.dense({ units: 2, activation: "softmax" })];
  const conv = tf.sequential({ layers: [...convFeatures(inputShape, true), ...head()] });
  const frozen = tf.sequential({ layers: [...convFeatures(inputShape, false), ...head()] });
  const dense = tf.sequential({
    layers: [tf.layers.flatten({ inputShape }), tf.layers.dense({ units: 32, activation: "relu" }), tf.layers.dense({ units: 2, activation: "softmax" })],
  });
  for (const m of [conv, frozen, dense]) m.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  return { conv, frozen, dense };
}

/** Median ms of `reps` calls after one warm-up; undefined + reason if the step throws. */
async function timeStep(step: () => Promise<unknown>, reps: number): Promise<{ ms?: number; error?: string }> {
  try {
    await step();
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await step();
      times.push(performance.now() - t0);
    }
    return { ms: median(times) };
  } catch (err) {
    return { error: (err as Error).message.split("\n")[0] };
  }
}

/** ms per batch of a train loop that consumes the loader (decode overlapping training when prefetching). */
async function timeTrainLoop(ds: Dataset, opts: BatchSourceOptions, model: tf.LayersModel, epochs: number): Promise<number> {
  const view = classificationView(ds, { mode: "single" });
  const src = createBatchSource(view, ds.samples.map((_, i) => i), opts);
  const t0 = performance.now();
  let n = 0;
  for (let e = 0; e < epochs; e++) {
    for await (const b of src.batches(e)) {
      await model.trainOnBatch(b.x, b.y);
      tf.dispose([b.x, b.y]);
      n++;
    }
  }
  return (performance.now() - t0) / n;
}

async function main() {
  const cfg = readRunConfig();
  const nImages = arg("images", 32);
  const batchSize = arg("batch", 8);
  const epochs = arg("epochs", 2);
  const size = { height: arg("height", 128), width: arg("width", 800) };
  await selectBackend("wasm");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loader-bench-"));
  try {
    const samples = await writeImages(dir, nImages, cfg.seed);
    const ds: Dataset = { name: "severstal", classNames: ["no_defect", "defect"], samples, skipped: [], source: "synthetic", root: dir };
    const augment = compose([horizontalFlip(), verticalFlip(), randomAffine({ maxAngle: 5 }), brightnessContrast()], 0.5);
    const base: BatchSourceOptions = { batchSize, seed: cfg.seed, imageSize: size, channels: 1 };
    const rows: Row[] = [];
    const configs: Array<[string, BatchSourceOptions, number, string]> = [
      ["decode 256x1600, prefetch 0", { batchSize, seed: cfg.seed, channels: 1, prefetch: 0 }, 0, "no resize, no augment"],
      [`decode+resize ${size.height}x${size.width}, prefetch 0`, { ...base, prefetch: 0 }, 0, "no augment"],
      [`decode+resize+augment, prefetch 0`, { ...base, augment, prefetch: 0 }, 0, "flips, affine, brightness p=0.5"],
      [`decode+resize+augment, prefetch 2`, { ...base, augment, prefetch: 2 }, 0, "decode overlaps augment of the previous batch"],
      [`cached+augment, prefetch 2`, { ...base, augment, prefetch: 2, cache: "memory" }, 1, "warm memory cache (epoch 0 fills it)"],
    ];
    const repeats = arg("repeats", 3);
    const progress = createProgress({ total: repeats * (configs.length + 2) + 4, label: "loader bench" });
    // Alternate the configurations over `repeats` rounds and keep the median: other processes on
    // a 2-core machine shift single measurements a lot.
    const loaderTimes: number[][] = configs.map(() => []);
    for (let r = 0; r < repeats; r++) {
      for (let c = 0; c < configs.length; c++) {
        const [, opts, warm] = configs[c];
        loaderTimes[c].push(await timeLoader(ds, opts, epochs, warm));
        progress.tick();
      }
    }
    configs.forEach(([name, , , note], c) => rows.push({ name, msPerBatch: median(loaderTimes[c]), note }));

    // Main-thread share: augmentation alone on already-decoded images (what prefetch cannot hide).
    const view = classificationView(ds, { mode: "single" });
    const decoded = await Promise.all(samples.slice(0, batchSize).map((_, i) => view.loadImage(i, size, 1)));
    const augTimes: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      decoded.forEach((image, i) => augment.apply({ image }, createRng(r, `aug/${i}`)));
      augTimes.push(performance.now() - t0);
    }
    rows.push({ name: "augment only (main thread)", msPerBatch: median(augTimes), note: "on decoded images, no I/O" });

    const inputShape = [size.height, size.width, 1];
    const models = buildModels(inputShape);
    const x = tf.randomUniform([batchSize, size.height, size.width, 1]) as tf.Tensor4D;
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: batchSize }, (_, i) => i % 2), "int32"), 2);
    const reps = 5;
    const steps: Array<[string, () => Promise<unknown>, string]> = [
      ["conv net train step", () => models.conv.trainOnBatch(x, y), "3 conv + dense head, all trainable"],
      ["conv net inference", async () => {
        const p = models.conv.predict(x) as tf.Tensor;
        await p.data();
        p.dispose();
      }, "forward only"],
      ["frozen conv + dense head train step", () => models.frozen.trainOnBatch(x, y), "forward conv, backward dense head"],
      ["dense-only train step", () => models.dense.trainOnBatch(x, y), `flatten ${size.height * size.width} → 32 → 2`],
    ];
    const stepRows: Array<Row & { error?: string }> = [];
    for (const [name, fn, note] of steps) {
      const r = await timeStep(fn, reps);
      stepRows.push({ name, msPerBatch: r.ms ?? NaN, note: r.error ? `FAILED: ${r.error}` : note, error: r.error });
      progress.tick();
    }
    tf.dispose([x, y]);

    // End to end: a training loop consuming the loader, prefetch 0 vs 2, with the cheapest model
    // that trains on this backend (the overlap is what matters).
    const trainable = stepRows.find((r) => r.name === "conv net train step" && !r.error)
      ? models.conv
      : stepRows.find((r) => r.name === "frozen conv + dense head train step" && !r.error)
        ? models.frozen
        : models.dense;
    const trainableName = trainable === models.conv ? "conv net" : trainable === models.frozen ? "frozen conv + dense head" : "dense-only";
    const loop0s: number[] = [];
    const loop2s: number[] = [];
    for (let r = 0; r < repeats; r++) {
      loop0s.push(await timeTrainLoop(ds, { ...base, augment, prefetch: 0 }, trainable, epochs));
      progress.tick();
      loop2s.push(await timeTrainLoop(ds, { ...base, augment, prefetch: 2 }, trainable, epochs));
      progress.tick();
    }
    const loop0 = median(loop0s);
    const loop2 = median(loop2s);
    progress.done();

    const trainRef = stepRows.find((r) => r.name === `${trainableName === "conv net" ? "conv net" : trainableName} train step`)?.msPerBatch ?? NaN;
    const loopRows: Row[] = [
      { name: `train loop (${trainableName}), prefetch 0`, msPerBatch: loop0, note: "decode + augment + train, serial" },
      { name: `train loop (${trainableName}), prefetch 2`, msPerBatch: loop2, note: `speed-up ×${(loop0 / loop2).toFixed(2)} from prefetch` },
    ];
    const all = [...rows, ...stepRows, ...loopRows];
    const width = Math.max(...all.map((r) => r.name.length));
    const load = os.loadavg()[0];
    console.log(`\nbackend ${tf.getBackend()}, ${nImages} JPEGs ${SRC_H}x${SRC_W}, batch ${batchSize}, decode size ${size.height}x${size.width}x1, ${epochs} epochs, median of ${repeats} rounds, sharp concurrency ${sharp.concurrency()}, load avg ${load.toFixed(1)} on ${os.cpus().length} cores`);
    console.log(`${"".padEnd(width)}  ms/batch  ×(${trainableName} train step)  note`);
    for (const r of all) {
      const ratio = Number.isFinite(r.msPerBatch) && Number.isFinite(trainRef) ? (r.msPerBatch / trainRef).toFixed(2) : "-";
      const ms = Number.isFinite(r.msPerBatch) ? r.msPerBatch.toFixed(1) : "-";
      console.log(`${r.name.padEnd(width)}  ${ms.padStart(8)}  ${ratio.padStart(8)}  ${r.note}`);
    }
    const out = path.join(projectPaths().bench, "loader.json");
    writeJsonAtomic(out, {
      backend: tf.getBackend(),
      images: nImages,
      sourceSize: [SRC_H, SRC_W],
      decodeSize: [size.height, size.width, 1],
      batchSize,
      epochs,
      seed: cfg.seed,
      repeats,
      loadAverage1m: load,
      cores: os.cpus().length,
      referenceTrainStep: { model: trainableName, msPerBatch: trainRef },
      loader: rows,
      steps: stepRows,
      trainLoop: loopRows,
      prefetchSpeedup: loop0 / loop2,
    });
    console.log(`\nwrote ${out}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
