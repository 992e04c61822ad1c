import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { loadNeu, NEU_CLASSES, neuClassIndex, neuClassOfFile } from "../../src/lib/data/neu";
import { formatVocXml } from "../../src/lib/data/voc";
import { DataError } from "../../src/lib/data/types";
import { projectPaths } from "../../src/lib/config/paths";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "neu-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

async function jpg(file: string, h = 8, w = 8): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width: w, height: h, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toFile(file);
}

/** 8-bit grey BMP, bottom-up (what NEU-CLS ships). */
function bmp(file: string, h = 6, w = 5): void {
  const stride = Math.ceil(w / 4) * 4;
  const offset = 54 + 1024;
  const b = Buffer.alloc(offset + stride * h);
  b.write("BM", 0, "latin1");
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(offset, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(8, 28);
  for (let i = 0; i < 256; i++) b.fill(i, 54 + 4 * i, 57 + 4 * i);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, b);
}

function xml(file: string, cls: string, boxes: number[][], size = 8): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const objects = boxes.map(([xmin, ymin, xmax, ymax]) => ({ className: cls, xmin, ymin, xmax, ymax }));
  fs.writeFileSync(file, formatVocXml({ folder: "x", filename: path.basename(file, ".xml"), width: size, height: size, depth: 1, objects }));
}

test("class names, abbreviations and file names resolve to the 6 classes in order", () => {
  assert.deepEqual(NEU_CLASSES, ["crazing", "inclusion", "patches", "pitted_surface", "rolled-in_scale", "scratches"]);
  assert.deepEqual(["Cr", "In", "Pa", "PS", "RS", "Sc"].map(neuClassIndex), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(["rolled-in_scale", "rolled_in_scale", "Pitted_Surface", "scratch"].map(neuClassIndex), [4, 4, 3, 5]);
  assert.equal(neuClassIndex("rust"), undefined);
  assert.deepEqual(neuClassOfFile("/x/images/rolled-in_scale_12.jpg"), { label: 4 });
  assert.deepEqual(neuClassOfFile("/x/patches/IMG0003.bmp"), { label: 2 });
  assert.match(neuClassOfFile("/x/patches/crazing_3.jpg").reason ?? "", /file name says crazing but folder "patches"/);
  assert.match(neuClassOfFile("/x/misc/photo.jpg").reason ?? "", /cannot tell the NEU class/);
});

test("NEU-DET layout (IMAGES/ + ANNOTATIONS/): boxes attached, unknown files counted, sorted by id", async () => {
  const root = path.join(tmp, "det");
  await jpg(path.join(root, "IMAGES", "scratches_2.jpg"));
  await jpg(path.join(root, "IMAGES", "crazing_10.jpg"));
  await jpg(path.join(root, "IMAGES", "crazing_9.jpg"));
  await jpg(path.join(root, "IMAGES", "holiday.jpg"));
  fs.writeFileSync(path.join(root, "IMAGES", "README.txt"), "not an image, ignored");
  xml(path.join(root, "ANNOTATIONS", "crazing_9.xml"), "crazing", [[1, 2, 7, 8]]);
  xml(path.join(root, "ANNOTATIONS", "scratches_2.xml"), "scratches", [[1, 1, 2, 8], [3, 1, 4, 8]]);
  xml(path.join(root, "ANNOTATIONS", "patches_1.xml"), "patches", [[1, 1, 2, 2]]);
  const ds = await loadNeu(root, { source: "synthetic" });
  assert.equal(ds.name, "neu");
  assert.equal(ds.source, "synthetic");
  assert.deepEqual(ds.samples.map((s) => s.id), ["crazing_10", "crazing_9", "scratches_2"]);
  assert.deepEqual(ds.samples.map((s) => s.label), [0, 0, 5]);
  assert.deepEqual(ds.samples[2].labels, [0, 0, 0, 0, 0, 1]);
  assert.deepEqual(ds.samples[1].boxes, [{ className: "crazing", xmin: 1, ymin: 2, xmax: 7, ymax: 8 }]);
  assert.equal(ds.samples[2].boxes?.length, 2);
  assert.equal(ds.samples[0].boxes, undefined, "no XML → no boxes");
  assert.deepEqual([ds.samples[0].height, ds.samples[0].width], [8, 8], "size from the image header when there is no XML");
  assert.ok(path.isAbsolute(ds.samples[0].path));
  const reasons = ds.skipped.map((s) => `${s.id}: ${s.reason}`).sort();
  assert.equal(reasons.length, 2);
  assert.match(reasons[0], /^holiday: cannot tell/);
  assert.match(reasons[1], /^patches_1: annotation without a matching image/);
});

test("folder-per-class layout with NEU-CLS .bmp files, and flat abbreviated names", async () => {
  const root = path.join(tmp, "cls");
  bmp(path.join(root, "inclusion", "a.bmp"));
  bmp(path.join(root, "Pa", "b.bmp"));
  bmp(path.join(root, "flat", "PS_1.bmp"));
  bmp(path.join(root, "flat", "Sc_7.bmp"));
  const ds = await loadNeu(root);
  assert.deepEqual(
    ds.samples.map((s) => [s.id, NEU_CLASSES[s.label], s.height, s.width]),
    [
      ["PS_1", "pitted_surface", 6, 5],
      ["Sc_7", "scratches", 6, 5],
      ["a", "inclusion", 6, 5],
      ["b", "patches", 6, 5],
    ],
  );
  assert.deepEqual(ds.skipped, []);
  assert.equal(ds.source, "real");
});

test("duplicate ids are skipped and reported; malformed XML is a DataError (strict) or a Skip (lenient)", async () => {
  const root = path.join(tmp, "dup");
  await jpg(path.join(root, "train", "images", "inclusion_1.jpg"));
  await jpg(path.join(root, "validation", "images", "inclusion_1.jpg"));
  fs.mkdirSync(path.join(root, "train", "annotations"), { recursive: true });
  fs.writeFileSync(path.join(root, "train", "annotations", "inclusion_1.xml"), "<annotation><object><name>inclusion</name></object></annotation>");
  await assert.rejects(loadNeu(root), (e: unknown) => e instanceof DataError && /inclusion_1\.xml: object 1 \(inclusion\) has no <bndbox>/.test(e.message));
  const ds = await loadNeu(root, { mode: "lenient" });
  assert.equal(ds.samples.length, 1);
  assert.equal(ds.samples[0].boxes, undefined);
  assert.equal(ds.skipped.length, 2);
  assert.ok(ds.skipped.some((s) => /duplicate image id inclusion_1/.test(s.reason)));
  assert.ok(ds.skipped.some((s) => /annotation ignored/.test(s.reason)));
  await assert.rejects(loadNeu(path.join(tmp, "missing")), (e: unknown) => e instanceof DataError && /not a directory/.test(e.message));
});

test("real NEU-DET: 1200 images, 200 per class, every one with boxes and 200×200", async (t) => {
  const root = path.join(projectPaths().sharedData, "neu-det");
  if (!fs.existsSync(root)) return t.skip("shared NEU-DET absent");
  const ds = await loadNeu(root);
  assert.equal(ds.samples.length, 1200);
  assert.deepEqual(ds.skipped, []);
  const perClass = NEU_CLASSES.map((_, i) => ds.samples.filter((s) => s.label === i).length);
  assert.deepEqual(perClass, [200, 200, 200, 200, 200, 200]);
  for (const s of ds.samples) {
    assert.ok(s.boxes && s.boxes.length > 0, `${s.id} has boxes`);
    // NEU-DET also boxes other classes in an image (e.g. crazing_104 has a "patches" box), but
    // never leaves out its own class.
    assert.ok(s.boxes.some((b) => b.className === NEU_CLASSES[s.label]), `${s.id}: a box of its own class`);
    assert.ok(s.boxes.every((b) => NEU_CLASSES.includes(b.className)), `${s.id}: known box classes`);
    assert.deepEqual([s.height, s.width], [200, 200]);
    assert.ok(s.id.startsWith(NEU_CLASSES[s.label] + "_"));
  }
  // Box total = the number of <object> elements, counted by plain string search.
  const objects = fs
    .readdirSync(path.join(root, "annotations"))
    .reduce((n, f) => n + fs.readFileSync(path.join(root, "annotations", f), "utf8").split("<object>").length - 1, 0);
  assert.equal(ds.samples.reduce((n, s) => n + (s.boxes?.length ?? 0), 0), objects);
  const ids = ds.samples.map((s) => s.id);
  assert.deepEqual(ids, [...ids].sort());
});
