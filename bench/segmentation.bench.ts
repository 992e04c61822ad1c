/**
 * Segmentation benchmark: the registry's U-Net (ResNet-34 encoder, 256², batch 8, 4 logit maps)
 * trained and run through the project's own paths, beside the PyTorch peer in the same run.
 *
 *   node --import tsx bench/segmentation.bench.ts [--quick]      (or: npm run bench segmentation)
 *
 * Rows (median images/s over the timed iterations after one warm-up):
 *   train 256² b8       trainStep (BCE + Dice on logits, Adam; micro-batches with gradient
 *                       accumulation where the batch does not fit the 4 GiB wasm heap)
 *   infer 256² b8       model.predict of 8 tiles + sigmoid
 *   stitched 256×1600   predictStitched of one full image (7 tiles of 256², one batch)
 * PyTorch: ../shared/bench/torch_peer.py --models unet_r34 (same architecture, random init).
 * The peer has no stitched mode: its column is its 256² inference rate / 7 tiles per image,
 * labelled "derived". Writes outputs/bench/segmentation.json.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { projectPaths } from "../src/lib/config/paths";
import { readImage } from "../src/lib/data/image-io";
import { tileOffsets } from "../src/lib/data/tiles";
import type { ImageData32 } from "../src/lib/data/types";
import { recommendedMicroBatch } from "../src/lib/engine/index";
import { createLoss } from "../src/lib/losses/registry";
import { createModel } from "../src/lib/models/registry";
import { backendLabel, selectBackend } from "../src/lib/runtime/backend";
import { predictStitched } from "../src/lib/segmentation/predict";
import { AdamW } from "../src/lib/train/optimizers/adamw";
import { trainStep } from "../src/lib/train/step";
import { writeJsonAtomic } from "../src/lib/util/atomic-write";
import { createProgress } from "../src/lib/util/progress";
import { runTorchPeer } from "./torch-peer";

const BATCH = 8;
const SIZE = 256;

type PeerRecord = { model?: string; mode?: string; img_per_s?: number; peer?: string };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeRuns(f: () => unknown, iters: number, tick: () => void): Promise<number[]> {
  await f(); // warm-up
  tick();
  const ts: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await f();
    ts.push((performance.now() - t0) / 1000);
    tick();
  }
  return ts;
}

/** The torch peer's unet_r34 records, or why there are none. */
const runPeer = (iters: number) => runTorchPeer<PeerRecord>(["--threads", "2", "--models", "unet_r34", "--iters", String(iters), "--warmup", "1", "--max-s", "90"]);

/** A real Severstal image when the shared samples exist (RGB, as the peer), else seeded noise. */
async function fullImage(): Promise<{ image: ImageData32; source: string }> {
  const dir = path.join(projectPaths().sharedData, "severstal-samples", "train_images");
  const first = fs.existsSync(dir) ? fs.readdirSync(dir).sort()[0] : undefined;
  if (first) return { image: await readImage(path.join(dir, first), { channels: 3 }), source: first };
  const data = tf.tidy(() => tf.randomUniform([256 * 1600 * 3], 0, 1, "float32", 5).dataSync() as Float32Array);
  return { image: { data, height: 256, width: 1600, channels: 3 }, source: "random" };
}

async function main(): Promise<void> {
  const iters = process.argv.includes("--quick") ? 2 : 3;
  const choice = await selectBackend();
  const backend = backendLabel(choice);
  const bar = createProgress({ total: 3 * (iters + 1) + 1, label: `segmentation bench (${backend})` });
  const model = createModel("unet", { inputShape: [SIZE, SIZE, 3], classes: 4, seed: 42, encoder: "resnet34", activation: "linear" });
  const x = tf.randomNormal([BATCH, SIZE, SIZE, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const y = tf.tidy(() => tf.randomUniform([BATCH, SIZE, SIZE, 4], 0, 1, "float32", 2).greater(0.5).toFloat());
  const loss = createLoss("bce-dice", { fromLogits: true });
  const opt = new AdamW(1e-4, 0);
  const micro = choice.tfBackend === "wasm" ? Math.min(BATCH, recommendedMicroBatch("unet", SIZE)) : BATCH;

  const train = await timeRuns(() => trainStep(model, opt, x, y, { loss, microBatchSize: micro }), iters, () => bar.tick());
  // After training (Adam's moment slots exist now): inference must not add tensors.
  const tensorsBefore = tf.memory().numTensors;
  const infer = await timeRuns(() => tf.tidy(() => tf.sigmoid(model.predict(x) as tf.Tensor).dataSync()), iters, () => bar.tick());
  const { image, source } = await fullImage();
  const sigmoidModel = (t: tf.Tensor4D) => tf.sigmoid(model.predict(t) as tf.Tensor) as tf.Tensor4D;
  const stitched = await timeRuns(() => predictStitched(sigmoidModel, image, { tileHeight: SIZE, tileWidth: SIZE, batchSize: BATCH }), iters, () => bar.tick());
  const leaked = tf.memory().numTensors - tensorsBefore;
  const peer = runPeer(iters);
  bar.done();

  const tilesPerImage = tileOffsets(256, SIZE).length * tileOffsets(1600, SIZE).length;
  const peerRate = (mode: string) => peer.records.find((r) => r.model === "unet_r34" && r.mode === mode)?.img_per_s;
  const peerInfer = peerRate("infer");
  const rows = [
    { row: `train ${SIZE}² b${BATCH}`, tfjs: BATCH / median(train), torch: peerRate("train"), torchNote: "measured" },
    { row: `infer ${SIZE}² b${BATCH}`, tfjs: BATCH / median(infer), torch: peerInfer, torchNote: "measured" },
    { row: "stitched 256×1600", tfjs: 1 / median(stitched), torch: peerInfer === undefined ? undefined : peerInfer / tilesPerImage, torchNote: `derived: 256² rate / ${tilesPerImage} tiles` },
  ];
  const fmt = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(2));
  console.log(`\nU-Net ResNet-34 (registry), backend ${backend}, micro-batch ${micro}, image ${source}`);
  console.log("row                   tfjs img/s   torch img/s   torch/tfjs");
  for (const r of rows) {
    const ratio = r.torch === undefined ? "-" : (r.torch / r.tfjs).toFixed(2);
    console.log(`${r.row.padEnd(22)}${fmt(r.tfjs).padStart(11)}   ${fmt(r.torch).padStart(11)}   ${ratio.padStart(10)}  ${r.torch === undefined ? "" : r.torchNote}`);
  }
  if (peer.error) console.log(`torch: ${peer.error}`);
  const out = path.join(projectPaths().bench, "segmentation.json");
  writeJsonAtomic(out, {
    backend,
    model: { name: "unet", encoder: "resnet34", inputSize: SIZE, batch: BATCH, microBatch: micro, params: model.countParams() },
    rows,
    seconds: { train, infer, stitched },
    stitchedImage: source,
    tilesPerImage,
    torchPeer: peer.records,
    torchError: peer.error,
    inferenceTensorLeak: leaked,
  });
  console.log(`wrote ${out}`);
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
