import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { projectPaths } from "../../src/lib/config/paths";
import { createRng } from "../../src/lib/util/rng";
import { DataError, type Dataset, type Sample } from "../../src/lib/data/types";
import { classificationView, resizeMaskNearest, segmentationView } from "../../src/lib/data/views";
import { gc10InclusionLabel, GC10_CLASSES } from "../../src/lib/data/gc10";
import { horizontalFlip, compose } from "../../src/lib/data/augment/index";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "views-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes an H x W grey PNG whose pixel (y, x) is fn(y, x) (0..255); returns its path. */
async function png(name: string, h: number, w: number, fn: (y: number, x: number) => number): Promise<string> {
  const data = Buffer.alloc(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = fn(y, x);
  const file = path.join(tmp, name);
  await sharp(data, { raw: { width: w, height: h, channels: 1 } }).png().toFile(file);
  return file;
}

function ds(name: Dataset["name"], classNames: string[], samples: Sample[]): Dataset {
  return { name, classNames, samples, skipped: [], source: "synthetic", root: tmp };
}

test("classification views: single one-hot, multi presence, binary positive; x decoded from the file", async () => {
  const file = await png("a.png", 4, 6, (y, x) => 10 * y + x);
  const neu = ds("neu", ["a", "b", "c"], [0, 2, 1].map((label, i) => ({
    id: `s${i}`, path: file, dataset: "neu" as const, label, labels: [0, 1, 2].map((k) => (k === label ? 1 : 0)), height: 4, width: 6,
  })));
  const single = classificationView(neu, { mode: "single" });
  assert.deepEqual(single.classNames, ["a", "b", "c"]);
  assert.deepEqual(single.inputShape, [4, 6, 1]);
  const item = await single.read(1);
  assert.deepEqual(Array.from(item.y), [0, 0, 1]);
  assert.deepEqual(item.yShape, [3]);
  assert.equal(item.x.channels, 1);
  assert.ok(Math.abs(item.x.data[2 * 6 + 5] - 25 / 255) < 1e-6);
  const three = await single.read(0, { channels: 3, size: { height: 2, width: 3 } });
  assert.equal(three.x.data.length, 2 * 3 * 3);

  // Severstal-like: OK + 4 defect classes, presence vector of 4.
  const sev = ds("severstal", ["ok", "1", "2", "3", "4"], [
    { id: "x.jpg", path: file, dataset: "severstal", label: 0, labels: [0, 0, 0, 0], height: 4, width: 6 },
    { id: "y.jpg", path: file, dataset: "severstal", label: 2, labels: [0, 1, 0, 1], height: 4, width: 6 },
  ]);
  const sevSingle = classificationView(sev, { mode: "single" });
  assert.deepEqual(Array.from((await sevSingle.read(1)).y), [0, 0, 1, 0, 0]);
  const multi = classificationView(sev, { mode: "multi" });
  assert.deepEqual(multi.classNames, ["1", "2", "3", "4"]);
  assert.deepEqual(Array.from((await multi.read(1)).y), [0, 1, 0, 1]);
  const bin = classificationView(sev, { mode: "binary", positive: "4" });
  assert.deepEqual(bin.classNames, ["no_4", "4"]);
  assert.deepEqual([bin.labelOf(0), bin.labelOf(1)], [0, 1]);
  assert.deepEqual(Array.from((await bin.read(1)).y), [0, 1]);
  assert.throws(() => classificationView(sev, { mode: "binary", positive: "9" }), /positive class "9"/);

  const bad = ds("neu", ["a"], [{ ...neu.samples[0], label: 3, labels: [1] }]);
  assert.throws(() => classificationView(bad, { mode: "single" }), (e: unknown) => e instanceof DataError && /s0 has label 3/.test(e.message));
});

test("binary GC10 inclusion agrees with gc10InclusionLabel (boxes first, else folder label)", () => {
  const inc = GC10_CLASSES.indexOf("inclusion");
  const oneHot = (k: number) => GC10_CLASSES.map((_, i) => (i === k ? 1 : 0));
  const box = (c: string) => ({ className: c, xmin: 1, ymin: 1, xmax: 5, ymax: 5 });
  const samples: Sample[] = [
    { id: "a", path: "", dataset: "gc10", label: inc, labels: oneHot(inc), height: 1000, width: 2048 },
    { id: "b", path: "", dataset: "gc10", label: 0, labels: oneHot(0), height: 1000, width: 2048, boxes: [box("punching_hole"), box("inclusion")] },
    { id: "c", path: "", dataset: "gc10", label: inc, labels: oneHot(inc), height: 1000, width: 2048, boxes: [box("oil_spot")] },
    { id: "d", path: "", dataset: "gc10", label: 3, labels: oneHot(3), height: 1000, width: 2048 },
  ];
  const view = classificationView(ds("gc10", [...GC10_CLASSES], samples), { mode: "binary", positive: "inclusion" });
  assert.deepEqual(view.classNames, ["no_inclusion", "inclusion"]);
  samples.forEach((s, i) => assert.equal(view.labelOf(i), gc10InclusionLabel(s), s.id));
});

test("segmentation view decodes RLE into [H, W, 4] aligned with the image, crops and resizes it", async () => {
  // 8 x 10 image; class 2 (channel 1) is the rectangle rows 2..4, cols 3..5, drawn bright in the image.
  const H = 8;
  const W = 10;
  const inRect = (y: number, x: number) => y >= 2 && y <= 4 && x >= 3 && x <= 5;
  const file = await png("seg.png", H, W, (y, x) => (inRect(y, x) ? 250 : 20));
  // Column-major, 1-indexed starts: column c, rows 2..4 start at c*H + 2 + 1.
  const rle = [3, 4, 5].map((c) => `${c * H + 3} 3`).join(" ");
  const sample: Sample = { id: "m.jpg", path: file, dataset: "severstal", label: 2, labels: [0, 1, 0, 0], rle: ["", rle, "", ""], height: H, width: W };
  const data = ds("severstal", ["ok", "1", "2", "3", "4"], [sample]);
  const view = segmentationView(data);
  assert.deepEqual(view.classNames, ["1", "2", "3", "4"]);
  const item = await view.read(0);
  assert.deepEqual(item.yShape, [H, W, 4]);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 4; c++) assert.equal(item.y[(y * W + x) * 4 + c], c === 1 && inRect(y, x) ? 1 : 0, `(${y},${x},${c})`);
      assert.equal(item.x.data[y * W + x] > 0.5, inRect(y, x));
    }
  }
  // Geometric augmentation moves the mask with the image: bright pixels == mask pixels after a flip.
  const flipped = await view.read(0, { augment: compose([horizontalFlip()]), rng: createRng(1) });
  for (let p = 0; p < H * W; p++) assert.equal(flipped.y[p * 4 + 1] === 1, flipped.x.data[p] > 0.5);

  // Defect-biased 4x4 crops always contain part of the defect and keep alignment.
  const cropView = segmentationView(data, { crop: { height: 4, width: 4, mode: "defect", defectProb: 1 } });
  assert.deepEqual(cropView.inputShape, [4, 4, 1]);
  for (let seed = 0; seed < 10; seed++) {
    const c = await cropView.read(0, { rng: createRng(seed, "crop") });
    assert.deepEqual(c.yShape, [4, 4, 4]);
    assert.ok(c.y.some((v) => v === 1));
    for (let p = 0; p < 16; p++) assert.equal(c.y[p * 4 + 1] === 1, c.x.data[p] > 0.5);
  }

  // Decoding at another size resizes the mask (nearest) to the image's size.
  const small = await view.read(0, { size: { height: 4, width: 5 } });
  assert.deepEqual(small.yShape, [4, 5, 4]);
  const ref = resizeMaskNearest(Uint8Array.from(item.y), H, W, 4, 4, 5);
  assert.deepEqual(Array.from(small.y), Array.from(ref));

  // Defect labels without RLE must fail loudly, not become an empty mask.
  const noRle = ds("severstal", ["ok", "1", "2", "3", "4"], [{ ...sample, rle: undefined }]);
  await assert.rejects(() => segmentationView(noRle).read(0), (e: unknown) => e instanceof DataError && /no RLE masks/.test(e.message));
  const okNoRle = ds("severstal", ["ok", "1", "2", "3", "4"], [{ ...sample, label: 0, labels: [0, 0, 0, 0], rle: undefined }]);
  assert.ok((await segmentationView(okNoRle).read(0)).y.every((v) => v === 0));
});

test("resizeMaskNearest: 2x downsample picks the pixel at each output centre", () => {
  // 2x4 single channel → 1x2: centre (0.5+0)*2 = 1 → row 1; cols 1 and 3.
  const m = Uint8Array.from([0, 1, 0, 0, 0, 0, 1, 1]);
  assert.deepEqual(Array.from(resizeMaskNearest(m, 2, 4, 1, 1, 2)), [0, 1]);
});

test("missing image file → DataError naming the path", async () => {
  const missing = path.join(tmp, "nope.png");
  const view = classificationView(ds("neu", ["a"], [{ id: "n", path: missing, dataset: "neu", label: 0, labels: [1], height: 2, width: 2 }]), { mode: "single" });
  await assert.rejects(() => view.read(0), (e: unknown) => e instanceof DataError && e.file === missing);
});

const shared = projectPaths().sharedData;
const sevDir = path.join(shared, "severstal-samples");

test("real Severstal sample: mask channels match its labels and the RLE run lengths", { skip: !fs.existsSync(path.join(sevDir, "train.csv")) && "shared Severstal samples absent" }, async () => {
  const rows = fs.readFileSync(path.join(sevDir, "train.csv"), "utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(","));
  const id = "002fc4e19.jpg";
  const rle = ["", "", "", ""];
  for (const [img, cls, enc] of rows) if (img === id) rle[Number(cls) - 1] = enc;
  const runTotal = rle.map((r) => r.split(" ").filter(Boolean).reduce((a, t, i) => (i % 2 === 1 ? a + Number(t) : a), 0));
  const sample: Sample = {
    id, path: path.join(sevDir, "train_images", id), dataset: "severstal", label: 1, labels: rle.map((r) => (r ? 1 : 0)), rle, height: 256, width: 1600,
  };
  const view = segmentationView(ds("severstal", ["ok", "1", "2", "3", "4"], [sample]));
  const item = await view.read(0);
  assert.deepEqual(item.yShape, [256, 1600, 4]);
  assert.deepEqual([item.x.height, item.x.width, item.x.channels], [256, 1600, 1]);
  const perChannel = [0, 0, 0, 0];
  for (let i = 0; i < item.y.length; i++) perChannel[i % 4] += item.y[i];
  assert.deepEqual(perChannel, runTotal);
  assert.ok(perChannel[0] > 0 && perChannel[1] > 0 && perChannel[2] === 0 && perChannel[3] === 0);
});

test("real NEU images decode to 200x200 grey through a classification view", { skip: !fs.existsSync(path.join(shared, "neu-det", "images")) && "shared NEU absent" }, async () => {
  const dir = path.join(shared, "neu-det", "images");
  const files = ["crazing_1.jpg", "scratches_1.jpg"].filter((f) => fs.existsSync(path.join(dir, f)));
  const samples: Sample[] = files.map((f, i) => ({ id: f, path: path.join(dir, f), dataset: "neu", label: i, labels: [i === 0 ? 1 : 0, i === 1 ? 1 : 0], height: 200, width: 200 }));
  const view = classificationView(ds("neu", ["crazing", "scratches"], samples), { mode: "single" });
  for (let i = 0; i < samples.length; i++) {
    const item = await view.read(i);
    assert.deepEqual([item.x.height, item.x.width, item.x.channels], [200, 200, 1]);
    assert.ok(item.x.data.every((v) => v >= 0 && v <= 1));
  }
});
