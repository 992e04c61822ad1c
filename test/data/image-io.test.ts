import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import {
  imageToTensor,
  maskOverlayPng,
  readImage,
  readImageSize,
  walkFiles,
  writeImagePng,
} from "../../src/lib/data/image-io";
import { DataError } from "../../src/lib/data/types";
import { projectPaths } from "../../src/lib/config/paths";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "image-io-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

async function writeRaw(file: string, data: number[], h: number, w: number, c: 1 | 3, fmt: "png" | "jpeg"): Promise<void> {
  let pipe = sharp(Buffer.from(data), { raw: { width: w, height: h, channels: c } });
  if (c === 1) pipe = pipe.toColourspace("b-w");
  await (fmt === "png" ? pipe.png() : pipe.jpeg({ quality: 95 })).toFile(file);
}

test("readImage decodes PNG pixels exactly, channel-last in [0, 1]", async () => {
  const f = path.join(tmp, "rgb.png");
  // 1×2 RGB: red, then (10, 20, 30).
  await writeRaw(f, [255, 0, 0, 10, 20, 30], 1, 2, 3, "png");
  const img = await readImage(f);
  assert.deepEqual([img.height, img.width, img.channels], [1, 2, 3]);
  assert.deepEqual(Array.from(img.data), [1, 0, 0, 10 / 255, 20 / 255, 30 / 255].map(Math.fround));
});

test("RGB → 1 channel is Rec.601 luminance; grey → 3 channels replicates", async () => {
  const f = path.join(tmp, "rgb2.png");
  await writeRaw(f, [255, 0, 0, 0, 255, 0, 0, 0, 255, 90, 90, 90], 1, 4, 3, "png");
  const grey = await readImage(f, { channels: 1 });
  // 0.299·255 = 76.2 → 76; 0.587·255 = 149.7 → 150; 0.114·255 = 29.07 → 29; grey content stays 90.
  assert.deepEqual(Array.from(grey.data), [76, 150, 29, 90].map((v) => Math.fround(v / 255)));
  const g = path.join(tmp, "grey.png");
  await writeRaw(g, [0, 128, 255], 1, 3, 1, "png");
  const own = await readImage(g);
  assert.equal(own.channels, 1);
  const rgb = await readImage(g, { channels: 3 });
  assert.deepEqual(Array.from(rgb.data), [0, 0, 0, 128, 128, 128, 255, 255, 255].map((v) => Math.fround(v / 255)));
});

test("decodes by content: PNG bytes under a .jpg name", async () => {
  const f = path.join(tmp, "really-png.jpg");
  await writeRaw(f, [7, 8, 9, 10], 2, 2, 1, "png");
  assert.equal(fs.readFileSync(f).subarray(1, 4).toString("latin1"), "PNG");
  const img = await readImage(f);
  assert.deepEqual(Array.from(img.data), [7, 8, 9, 10].map((v) => Math.fround(v / 255)));
});

test("resize to the requested size (fill); a constant image stays constant", async () => {
  const f = path.join(tmp, "const.png");
  await writeRaw(f, new Array(6 * 8).fill(100), 6, 8, 1, "png");
  const img = await readImage(f, { height: 3, width: 5, channels: 3 });
  assert.deepEqual([img.height, img.width, img.channels], [3, 5, 3]);
  for (const v of img.data) assert.equal(v, Math.fround(100 / 255));
  await assert.rejects(readImage(f, { height: 3 }), /both height and width/);
});

test("missing, empty, truncated and non-image files give a DataError naming the path", async () => {
  const missing = path.join(tmp, "nope.jpg");
  await assert.rejects(readImage(missing), (e: unknown) => e instanceof DataError && e.message.includes(missing) && /not found/.test(e.message));
  const empty = path.join(tmp, "empty.jpg");
  fs.writeFileSync(empty, "");
  await assert.rejects(readImage(empty), (e: unknown) => e instanceof DataError && /empty/.test(e.message));
  const full = path.join(tmp, "full.jpg");
  const noise = Array.from({ length: 64 * 64 }, (_, i) => (i * 37) % 251);
  await writeRaw(full, noise, 64, 64, 1, "jpeg");
  const bytes = fs.readFileSync(full);
  const cut = path.join(tmp, "cut.jpg");
  fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(readImage(cut), (e: unknown) => e instanceof DataError && e.message.includes(cut) && /JPEG/.test(e.message));
  const text = path.join(tmp, "text.jpg");
  fs.writeFileSync(text, "hello, not an image");
  await assert.rejects(readImage(text), (e: unknown) => e instanceof DataError && /not a recognised image/.test(e.message));
  await assert.rejects(readImageSize(text), DataError);
});

test("readImageSize reads the header", async () => {
  const f = path.join(tmp, "size.png");
  await writeRaw(f, new Array(5 * 7 * 3).fill(1), 5, 7, 3, "png");
  assert.deepEqual(await readImageSize(f), { height: 5, width: 7, channels: 3 });
});

test("imageToTensor keeps the layout and does not leak", async () => {
  await tf.setBackend("cpu");
  const before = tf.memory().numTensors;
  const img = { data: new Float32Array([0, 0.5, 1, 0.25, 0.75, 0.125]), height: 1, width: 2, channels: 3 };
  const t = imageToTensor(img);
  assert.deepEqual(t.shape, [1, 2, 3]);
  assert.deepEqual(Array.from(await t.data()), Array.from(img.data));
  t.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("writeImagePng round-trips through readImage (8-bit quantisation)", async () => {
  const f = path.join(tmp, "out", "w.png");
  const data = new Float32Array([0, 0.2, 0.5, 1, 1.3, -0.1]);
  await writeImagePng(f, { data, height: 2, width: 3, channels: 1 });
  const back = await readImage(f);
  const expect = [0, 51, 128, 255, 255, 0].map((v) => Math.fround(v / 255)); // 0.5·255 = 127.5 → 128, clamped ends
  assert.deepEqual(Array.from(back.data), expect);
  await writeImagePng(path.join(tmp, "u8.png"), { data: new Uint8Array([1, 2, 3, 4]), height: 2, width: 2, channels: 1 }, { height: 4, width: 4 });
  assert.deepEqual(await readImageSize(path.join(tmp, "u8.png")), { height: 4, width: 4, channels: 1 });
});

test("maskOverlayPng blends the class colour inside the mask and leaves the rest alone", async () => {
  const H = 5;
  const W = 5;
  const grey = new Float32Array(H * W).fill(100 / 255);
  const mask = new Uint8Array(H * W * 2);
  // Class channel 1: a 3×3 square at rows/cols 1..3; its centre (2, 2) is interior (not outline).
  for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) mask[(y * W + x) * 2 + 1] = 1;
  const colours: [number, number, number][] = [
    [255, 0, 0],
    [0, 200, 40],
  ];
  const png = await maskOverlayPng({ data: grey, height: H, width: W, channels: 1 }, mask, colours, { alpha: 0.5 });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  const px = (y: number, x: number) => Array.from(data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));
  assert.deepEqual(px(0, 0), [100, 100, 100]);
  assert.deepEqual(px(2, 2), [50, 150, 70]); // 100·0.5 + colour·0.5
  assert.deepEqual(px(1, 1), [0, 200, 40]); // outline drawn opaque
  await assert.rejects(maskOverlayPng({ data: grey, height: H, width: W, channels: 1 }, new Uint8Array(7)), /multiple of H\*W/);
});

test("walkFiles lists nested files sorted, skipping hidden entries", () => {
  const root = path.join(tmp, "walk");
  fs.mkdirSync(path.join(root, "b", "c"), { recursive: true });
  fs.mkdirSync(path.join(root, ".hidden"), { recursive: true });
  fs.writeFileSync(path.join(root, "b", "c", "z.jpg"), "");
  fs.writeFileSync(path.join(root, "a.jpg"), "");
  fs.writeFileSync(path.join(root, ".hidden", "x.jpg"), "");
  assert.deepEqual(walkFiles(root), [path.join(root, "a.jpg"), path.join(root, "b", "c", "z.jpg")]);
  assert.deepEqual(walkFiles(root, 0), [path.join(root, "a.jpg")]);
});

test("real Severstal samples (PNG bytes named .jpg) decode as 256×1600 grey-content RGB", async (t) => {
  const dir = path.join(projectPaths().sharedData, "severstal-samples", "train_images");
  if (!fs.existsSync(dir)) return t.skip("shared Severstal samples absent");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".jpg"));
  assert.ok(files.length > 0);
  const img = await readImage(path.join(dir, files[0]));
  assert.deepEqual([img.height, img.width, img.channels], [256, 1600, 3]);
  let maxSpread = 0;
  for (let p = 0; p < img.height * img.width; p += 97) {
    const r = img.data[3 * p];
    maxSpread = Math.max(maxSpread, Math.abs(r - img.data[3 * p + 1]), Math.abs(r - img.data[3 * p + 2]));
  }
  assert.equal(maxSpread, 0, "R = G = B in the Severstal samples");
  const grey = await readImage(path.join(dir, files[0]), { channels: 1 });
  for (let p = 0; p < grey.data.length; p += 101) assert.equal(grey.data[p], img.data[3 * p]);
});

/** A hand-built BMP (independent of the decoder): 8-bit palette or 24-bit, rows padded to 4 bytes. */
function makeBmp(pixels: number[][], bpp: 8 | 24, topDown = false, palette?: [number, number, number][]): Buffer {
  const height = pixels.length;
  const width = bpp === 8 ? pixels[0].length : pixels[0].length / 3;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const pal = bpp === 8 ? (palette ?? Array.from({ length: 256 }, (_, i) => [i, i, i] as [number, number, number])) : [];
  const offset = 54 + pal.length * 4;
  const b = Buffer.alloc(offset + stride * height);
  b.write("BM", 0, "latin1");
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(offset, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(topDown ? -height : height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(bpp, 28);
  b.writeUInt32LE(pal.length, 46);
  pal.forEach(([r, g, bl], i) => {
    b[54 + 4 * i] = bl;
    b[55 + 4 * i] = g;
    b[56 + 4 * i] = r;
  });
  pixels.forEach((row, y) => {
    const start = offset + (topDown ? y : height - 1 - y) * stride;
    if (bpp === 8) row.forEach((v, x) => (b[start + x] = v));
    else for (let x = 0; x < width; x++) {
      b[start + 3 * x] = row[3 * x + 2];
      b[start + 3 * x + 1] = row[3 * x + 1];
      b[start + 3 * x + 2] = row[3 * x];
    }
  });
  return b;
}

test("BMP (NEU-CLS format; sharp has no BMP loader) decodes: grey palette bottom-up and 24-bit top-down", async () => {
  const grey = path.join(tmp, "g.bmp");
  fs.writeFileSync(grey, makeBmp([[0, 10, 20], [30, 40, 250]], 8));
  const g = await readImage(grey);
  assert.deepEqual([g.height, g.width, g.channels], [2, 3, 1]);
  assert.deepEqual(Array.from(g.data), [0, 10, 20, 30, 40, 250].map((v) => Math.fround(v / 255)));
  assert.deepEqual(await readImageSize(grey), { height: 2, width: 3, channels: 1 });
  const rgb = path.join(tmp, "c.bmp");
  fs.writeFileSync(rgb, makeBmp([[255, 0, 0, 1, 2, 3], [4, 5, 6, 7, 8, 9]], 24, true));
  const c = await readImage(rgb);
  assert.deepEqual([c.height, c.width, c.channels], [2, 2, 3]);
  assert.deepEqual(Array.from(c.data), [255, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => Math.fround(v / 255)));
  const small = await readImage(grey, { height: 4, width: 6, channels: 3 });
  assert.deepEqual([small.height, small.width, small.channels], [4, 6, 3]);
  const cut = path.join(tmp, "cut.bmp");
  fs.writeFileSync(cut, makeBmp([[1, 2, 3], [4, 5, 6]], 8).subarray(0, 60 + 1024));
  await assert.rejects(readImage(cut), (e: unknown) => e instanceof DataError && /BMP/.test(e.message) && e.message.includes(cut));
});
