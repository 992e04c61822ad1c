/** The page's resize must give sharp's bytes (the same preprocessing → the same probabilities). */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { vipsResizeLinear, RawImage } from "../../src/lib/export/vips-resize";
import { createRng } from "../../src/lib/util/rng";

async function sharpResize(img: RawImage, h: number, w: number): Promise<Uint8Array> {
  const raw = { width: img.width, height: img.height, channels: img.channels as 1 | 3 };
  let pipe = sharp(Buffer.from(img.data), { raw }).resize(w, h, { fit: "fill", kernel: "linear" });
  if (img.channels === 1) pipe = pipe.toColourspace("b-w");
  return new Uint8Array(await pipe.raw().toBuffer());
}

function mismatches(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

function noise(h: number, w: number, c: number, seed: number): RawImage {
  const rng = createRng(seed, "resize");
  const data = new Uint8Array(h * w * c);
  // Smooth gradient + noise: exercises rounding at every level.
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.floor(((i % (w * c)) / (w * c)) * 200 + rng.next() * 55));
  return { data, height: h, width: w, channels: c };
}

const SIZES: [number, number, number, number][] = [
  [200, 200, 96, 96], // NEU at the quick profile
  [200, 200, 64, 64], // box shrink + residual
  [200, 200, 37, 150], // odd factors per axis
  [256, 1600, 32, 192], // Severstal at the smoke profile
  [256, 1600, 48, 288],
  [57, 91, 20, 33],
];

test("vipsResizeLinear is byte-identical to sharp's linear fill resize (reductions, 1 and 3 channels)", async () => {
  let k = 0;
  for (const [h, w, oh, ow] of SIZES) {
    for (const c of [1, 3]) {
      const img = noise(h, w, c, k++);
      const mine = vipsResizeLinear(img, oh, ow);
      assert.deepEqual([mine.height, mine.width, mine.channels], [oh, ow, c]);
      assert.equal(mismatches(mine.data, await sharpResize(img, oh, ow)), 0, `${h}x${w}x${c} → ${oh}x${ow}`);
    }
  }
});

test("vipsResizeLinear matches sharp on real NEU and Severstal images (when ../shared/data is present)", async (t) => {
  const root = path.join(__dirname, "../../../shared/data");
  const files = [path.join(root, "neu-det/images/crazing_73.jpg"), path.join(root, "severstal-samples/train_images/000789191.jpg")].filter((f) => fs.existsSync(f));
  if (files.length === 0) return t.skip("no ../shared/data");
  for (const f of files) {
    const dec = await sharp(fs.readFileSync(f)).raw().toBuffer({ resolveWithObject: true });
    const img = { data: new Uint8Array(dec.data), height: dec.info.height, width: dec.info.width, channels: dec.info.channels };
    for (const [oh, ow] of [[96, 96], [32, 192], [100, 60]]) assert.equal(mismatches(vipsResizeLinear(img, oh, ow).data, await sharpResize(img, oh, ow)), 0, `${f} → ${oh}x${ow}`);
  }
});

test("vipsResizeLinear keeps the size when asked for the same size, and refuses bad data", () => {
  const img = noise(10, 12, 1, 9);
  assert.equal(vipsResizeLinear(img, 10, 12), img);
  assert.throws(() => vipsResizeLinear({ ...img, width: 13 }, 5, 5), /data length/);
});
