import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  generateSeverstalSynthetic,
  planSeverstal,
  renderSeverstalImage,
  severstalCounts,
  SEVERSTAL_REAL_STATS,
} from "../../src/lib/data/synthetic/severstal-synth";
import { generateNeuSynthetic, renderNeuImage } from "../../src/lib/data/synthetic/neu-synth";
import { generateGc10Synthetic } from "../../src/lib/data/synthetic/gc10-synth";
import { SYNTHETIC_SIZES } from "../../src/lib/data/synthetic/common";
import { loadNeu, NEU_CLASSES } from "../../src/lib/data/neu";
import { GC10_CLASSES, GC10_PINYIN, loadGc10 } from "../../src/lib/data/gc10";
import { parseVocXml } from "../../src/lib/data/voc";
import { readImage, readImageSize } from "../../src/lib/data/image-io";
import { silentProgress } from "../../src/lib/util/progress";
import { loadSeverstal } from "../../src/lib/data/severstal";

const H = 256;
const W = 1600;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** Reference Kaggle RLE decoder (1-indexed starts, column-major), written independently of rle.ts. */
function refDecode(rle: string, height: number, width: number): Uint8Array {
  const m = new Uint8Array(height * width);
  const t = rle.trim().split(/\s+/).filter(Boolean).map(Number);
  for (let i = 0; i < t.length; i += 2) {
    for (let k = 0; k < t[i + 1]; k++) {
      const p = t[i] - 1 + k;
      m[(p % height) * width + Math.floor(p / height)] = 1;
    }
  }
  return m;
}

function readCsv(file: string): { id: string; cls: number; rle: string }[] {
  const lines = fs.readFileSync(file, "utf8").trim().split("\n");
  assert.equal(lines[0], "ImageId,ClassId,EncodedPixels");
  return lines.slice(1).map((l) => {
    const [id, cls, rle] = l.split(",");
    return { id, cls: Number(cls), rle };
  });
}

test("Severstal plan: the smoke profile has every class ≥ 4 times and the real defect-free share", () => {
  const plan = planSeverstal(42, SYNTHETIC_SIZES.smoke.severstal);
  // Hand-computed quotas for 48 images: defect-free round(48·5902/12568) = 23; two-class
  // round(48·427/12568) = 2; rows = 25 + 2 = 27; classes 1, 2, 4 at the floor of 4; class 3 = 15.
  assert.deepEqual(severstalCounts(plan), { images: 48, defectFree: 23, multiClassImages: 2, rowsPerClass: [4, 4, 15, 4] });
  for (const e of plan) {
    assert.match(e.id, /^[0-9a-f]{9}$/);
    assert.equal(new Set(e.classes).size, e.classes.length, "distinct classes per image");
    assert.deepEqual(e.classes, [...e.classes].sort());
  }
  assert.equal(new Set(plan.map((e) => e.id)).size, 48);
  assert.deepEqual(plan, planSeverstal(42, 48), "same seed, same plan");
  assert.notDeepEqual(plan, planSeverstal(43, 48));
});

test("Severstal plan at the real size reproduces the real train-set counts (within the 2 three-class images)", () => {
  const c = severstalCounts(planSeverstal(1, SEVERSTAL_REAL_STATS.images, 0));
  assert.equal(c.defectFree, 5902);
  assert.equal(c.multiClassImages, 427);
  const rows = c.rowsPerClass as number[];
  const real = SEVERSTAL_REAL_STATS.rowsPerClass;
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(rows[k] - real[k]) <= 2, `class ${k + 1}: ${rows[k]} vs ${real[k]}`);
  // Quick profile: class 3 most common, class 2 rarest, ~47 % defect-free.
  const q = severstalCounts(planSeverstal(42, SYNTHETIC_SIZES.quick.severstal));
  const qr = q.rowsPerClass as number[];
  assert.equal(q.defectFree, 470);
  assert.ok(qr[2] > qr[0] && qr[0] > qr[3] && qr[3] > qr[1]);
});

test("masks are exactly the painted pixels: image − defect-free rendering ≠ 0 exactly on the union of masks", () => {
  const plan = planSeverstal(7, 48);
  for (const cls of [1, 2, 3, 4]) {
    const entry = plan.find((e) => e.classes.includes(cls))!;
    const r = renderSeverstalImage(7, entry);
    const bg = renderSeverstalImage(7, { id: entry.id, classes: [] });
    let union = 0;
    for (let p = 0; p < H * W; p++) {
      const inMask = r.masks.some((m) => m[p] === 1);
      assert.equal(r.grey[p] !== bg.grey[p], inMask, `pixel ${p} of ${entry.id}`);
      if (inMask) union++;
    }
    assert.ok(union > 0);
    for (let c = 1; c <= 4; c++) {
      const area = r.masks[c - 1].reduce((a, v) => a + v, 0);
      assert.equal(area > 0, entry.classes.includes(c), `class ${c} mask present iff planned`);
      assert.equal(area, r.areas[c - 1]);
    }
  }
});

test("Severstal generator: deterministic bytes, RLE in train.csv decodes to the generator's masks, images 256×1600 RGB", async () => {
  const a = path.join(tmp, "sev-a");
  const b = path.join(tmp, "sev-b");
  const c = path.join(tmp, "sev-c");
  const opts = { images: 10, minPerClass: 1, progress: silentProgress };
  const manifest = await generateSeverstalSynthetic(a, { seed: 5, ...opts });
  await generateSeverstalSynthetic(b, { seed: 5, ...opts });
  await generateSeverstalSynthetic(c, { seed: 6, ...opts });
  assert.deepEqual(fs.readFileSync(path.join(a, "train.csv")), fs.readFileSync(path.join(b, "train.csv")));
  assert.notDeepEqual(fs.readFileSync(path.join(a, "train.csv")), fs.readFileSync(path.join(c, "train.csv")));
  const images = fs.readdirSync(path.join(a, "train_images")).sort();
  assert.equal(images.length, 10);
  for (const f of images.slice(0, 3)) {
    assert.deepEqual(fs.readFileSync(path.join(a, "train_images", f)), fs.readFileSync(path.join(b, "train_images", f)), f);
  }
  assert.notDeepEqual(images, fs.readdirSync(path.join(c, "train_images")).sort());

  const rows = readCsv(path.join(a, "train.csv"));
  assert.deepEqual([...new Set(rows.map((r) => r.cls))].sort(), [1, 2, 3, 4], "every class present");
  assert.deepEqual(manifest.counts.rowsPerClass, [1, 2, 3, 4].map((k) => rows.filter((r) => r.cls === k).length));
  const plan = planSeverstal(5, 10, 1);
  for (const e of plan) {
    const r = renderSeverstalImage(5, e);
    const mine = rows.filter((x) => x.id === `${e.id}.jpg`);
    assert.deepEqual(mine.map((x) => x.cls), e.classes);
    for (const x of mine) assert.deepEqual(refDecode(x.rle, H, W), r.masks[x.cls - 1], `${e.id} class ${x.cls}`);
  }
  const img = await readImage(path.join(a, "train_images", images[0]));
  assert.deepEqual([img.height, img.width, img.channels], [H, W, 3]);
  assert.ok(fs.readFileSync(path.join(a, "train_images", images[0])).subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])), "JPEG bytes");
});

test("the Severstal loader reads the synthetic set: every image, its classes and its RLE", async () => {
  const dir = path.join(tmp, "sev-load");
  await generateSeverstalSynthetic(dir, { seed: 11, images: 12, minPerClass: 1, progress: silentProgress });
  const ds = await loadSeverstal(dir, { source: "synthetic" });
  assert.equal(ds.samples.length, 12);
  assert.deepEqual(ds.skipped, []);
  for (const e of planSeverstal(11, 12, 1)) {
    const s = ds.samples.find((x) => x.id === `${e.id}.jpg`);
    assert.ok(s, `${e.id}.jpg loaded`);
    assert.deepEqual(s.labels, [1, 2, 3, 4].map((k) => (e.classes.includes(k) ? 1 : 0)));
    const r = renderSeverstalImage(11, e);
    for (const k of e.classes) assert.deepEqual(refDecode(s.rle![k - 1], H, W), r.masks[k - 1]);
  }
});

test("NEU generator: NEU-DET layout read by loadNeu; boxes tightly enclose the painted objects; deterministic", async () => {
  const a = path.join(tmp, "neu-a");
  const b = path.join(tmp, "neu-b");
  await generateNeuSynthetic(a, { seed: 3, perClass: 2, progress: silentProgress });
  await generateNeuSynthetic(b, { seed: 3, perClass: 2, progress: silentProgress });
  const ds = await loadNeu(a, { source: "synthetic" });
  assert.equal(ds.samples.length, 12);
  assert.deepEqual(ds.skipped, []);
  assert.deepEqual(NEU_CLASSES.map((_, i) => ds.samples.filter((s) => s.label === i).length), [2, 2, 2, 2, 2, 2]);
  for (const s of ds.samples) {
    assert.deepEqual([s.height, s.width], [200, 200]);
    assert.ok(s.boxes && s.boxes.length > 0 && s.boxes.every((x) => x.className === NEU_CLASSES[s.label]));
    assert.deepEqual(fs.readFileSync(s.path), fs.readFileSync(path.join(b, "images", path.basename(s.path))), `${s.id} bytes`);
  }
  const img = await readImage(ds.samples[0].path);
  assert.deepEqual([img.height, img.width, img.channels], [200, 200, 3]);
  const ann = parseVocXml(fs.readFileSync(path.join(a, "annotations", "patches_1.xml"), "utf8"), "patches_1.xml");
  assert.equal(ann.folder, "pa");
  assert.equal(ann.filename, "patches_1.jpg");
  // Every mask pixel lies in some box, and every box edge touches the mask (tight boxes).
  for (let label = 0; label < 6; label++) {
    const r = renderNeuImage(3, label, 1);
    const inBox = (x: number, y: number) => r.boxes.some((bx) => x + 1 >= bx.xmin && x + 1 <= bx.xmax && y + 1 >= bx.ymin && y + 1 <= bx.ymax);
    for (let p = 0; p < 200 * 200; p++) if (r.mask[p]) assert.ok(inBox(p % 200, Math.floor(p / 200)), `${NEU_CLASSES[label]}: pixel ${p} boxed`);
    for (const bx of r.boxes) {
      let top = false;
      for (let x = bx.xmin - 1; x < bx.xmax; x++) top ||= r.mask[(bx.ymin - 1) * 200 + x] === 1;
      let left = false;
      for (let y = bx.ymin - 1; y < bx.ymax; y++) left ||= r.mask[y * 200 + bx.xmin - 1] === 1;
      assert.ok(top && left, `${NEU_CLASSES[label]} box touches its object`);
    }
  }
});

test("GC10 generator: class folders of 2048×1000 grey JPGs + lable/ XML with pinyin names, read by loadGc10", async () => {
  const dir = path.join(tmp, "gc10");
  const manifest = await generateGc10Synthetic(dir, { seed: 9, perClass: 1, progress: silentProgress });
  assert.equal(manifest.counts.images, 10);
  const ds = await loadGc10(dir, { source: "synthetic" });
  assert.equal(ds.samples.length, 10);
  assert.deepEqual(ds.skipped, []);
  assert.deepEqual(ds.samples.map((s) => s.label).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const s of ds.samples) {
    assert.match(s.id, /^img_0[12]_\d+_\d{5}$/);
    assert.ok(s.boxes?.some((b) => b.className === GC10_CLASSES[s.label]), `${s.id} has a box of its class`);
    assert.equal(path.basename(path.dirname(s.path)), String(s.label + 1));
    const xml = parseVocXml(fs.readFileSync(path.join(dir, "lable", `${s.id}.xml`), "utf8"), s.id);
    assert.equal(xml.folder, String(s.label + 1));
    assert.ok(xml.objects.every((o) => GC10_PINYIN.includes(o.className)), "pinyin names in the XML");
  }
  assert.deepEqual(await readImageSize(ds.samples[0].path), { height: 1000, width: 2048, channels: 1 });
});
