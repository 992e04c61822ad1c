import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { horizontalFlip } from "../../src/lib/data/augment/flip";
import { writeImagePng } from "../../src/lib/data/image-io";
import { encodeRle } from "../../src/lib/data/rle";
import { loadSeverstal } from "../../src/lib/data/severstal";
import { segmentationTileSource } from "../../src/lib/segmentation/train-source";

let root: string;
const H = 64;
const W = 256;

/** Each image is white exactly on its class-1 defect (a small box), so a crop's x must equal its y[..., 0]. */
before(async () => {
  await tf.setBackend("cpu");
  root = fs.mkdtempSync(path.join(os.tmpdir(), "steel-tiles-"));
  fs.mkdirSync(path.join(root, "train_images"));
  const lines = ["ImageId,ClassId,EncodedPixels"];
  for (let i = 0; i < 4; i++) {
    const m = new Uint8Array(H * W);
    const x0 = 20 + 50 * i;
    for (let y = 40; y < 46; y++) for (let x = x0; x < x0 + 5; x++) m[y * W + x] = 1;
    const id = `img${i}.png`;
    await writeImagePng(path.join(root, "train_images", id), { data: Float32Array.from(m), height: H, width: W, channels: 1 });
    lines.push(`${id},1,${encodeRle(m, H, W)}`);
  }
  fs.writeFileSync(path.join(root, "train.csv"), lines.join("\n") + "\n");
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

async function epoch(src: ReturnType<typeof segmentationTileSource>, e: number) {
  const out: { x: Float32Array; y: Float32Array; ids: string[]; xs: number[]; ys: number[] }[] = [];
  for await (const b of src.batches(e)) {
    out.push({ x: b.x.dataSync() as Float32Array, y: b.y.dataSync() as Float32Array, ids: b.ids, xs: b.x.shape, ys: b.y.shape });
    tf.dispose([b.x, b.y]);
  }
  return out;
}

test("defect-biased 32×32 crops: the masks follow crop and flip, defectProb 1 always shows the defect, same seed → same batches", async () => {
  const ds = await loadSeverstal(root, { height: H, width: W });
  const make = () => segmentationTileSource(ds, [0, 1, 2, 3], { batchSize: 2, seed: 5, tile: 32, defectProb: 1, augment: horizontalFlip() });
  const before = tf.memory().numTensors;
  const a = await epoch(make(), 0);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(a.length, 2);
  for (const b of a) {
    assert.deepEqual(b.xs, [2, 32, 32, 1]);
    assert.deepEqual(b.ys, [2, 32, 32, 4]);
    for (let n = 0; n < 2; n++) {
      let defect = 0;
      for (let p = 0; p < 32 * 32; p++) {
        const x = b.x[n * 1024 + p];
        const y = b.y[(n * 1024 + p) * 4];
        assert.equal(x, y, `${b.ids[n]} pixel ${p}: the mask moved with the image`);
        defect += y;
      }
      assert.ok(defect > 0, `${b.ids[n]}: a defect-biased crop with p = 1 contains the defect`);
    }
  }
  assert.deepEqual(await epoch(make(), 0), a, "same seed and epoch → identical crops");
  assert.throws(() => segmentationTileSource(ds, [0], { batchSize: 1, seed: 1, tile: 40 }), /multiple of 32/);
});
