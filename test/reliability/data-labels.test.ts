/**
 * Bad NEU / GC10 labels found before training: unknown class names are refused or skipped (never
 * invented), malformed XML is named with its line, boxes are checked against the REAL image size
 * (refused or clipped), and an XML <size> that disagrees with the image is reported.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { preflight } from "../../src/lib/data/preflight";
import { loadGc10Labels } from "../../src/lib/data/gc10";
import { NEU_CLASSES } from "../../src/lib/data/neu";
import { projectPaths } from "../../src/lib/config/paths";
import { NEU_GOOD, NEU_H, NEU_W, copyInto, neuFolder, neuSample, quiet, rejectsWithDataError, tempDir, writeImage, writeVoc } from "./data-fixtures";

const tmp = tempDir("data-labels");
const xmlOf = (root: string, id: string) => path.join(root, "annotations", `${id}.xml`);

test("unknown NEU class name in the XML: strict refuses, lenient skips the image; never a new class", async () => {
  const root = await neuFolder(path.join(tmp, "unknown-name"));
  await neuSample(root, "crazing_7");
  writeVoc(xmlOf(root, "crazing_7"), { cls: "rust", boxes: [[1, 1, 4, 4]], height: NEU_H, width: NEU_W });
  const e = await rejectsWithDataError(preflight({ name: "neu", root }, { progress: quiet }));
  assert.equal(e.file, xmlOf(root, "crazing_7"));
  assert.equal(e.code, "unknown-class");
  assert.match(e.message, /unknown NEU class name "rust"/);
  const { dataset, report } = await preflight({ name: "neu", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), NEU_GOOD);
  assert.deepEqual(dataset.classNames, [...NEU_CLASSES]);
  assert.ok(dataset.samples.every((s) => s.boxes!.every((b) => NEU_CLASSES.includes(b.className))));
  assert.deepEqual(report.byReason, { "unknown-class": 1 });
});

test("unknown NEU class in the file name: refused (strict), counted (lenient)", async () => {
  const root = await neuFolder(path.join(tmp, "unknown-file"));
  await writeImage(path.join(root, "images", "rust_1.jpg"), NEU_H, NEU_W);
  const e = await rejectsWithDataError(preflight({ name: "neu", root }, { progress: quiet }));
  assert.equal(e.file, path.join(root, "images", "rust_1.jpg"));
  assert.match(e.message, /cannot tell the NEU class/);
  const { dataset, report } = await preflight({ name: "neu", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), NEU_GOOD);
  assert.deepEqual(report.examples, { "unknown-class": ["rust_1.jpg"] });
});

test("malformed XML: strict names the file and line, lenient skips the image (its boxes are unknown)", async () => {
  const root = await neuFolder(path.join(tmp, "malformed"));
  await neuSample(root, "patches_5");
  const text = fs.readFileSync(xmlOf(root, "patches_5"), "utf8");
  fs.writeFileSync(xmlOf(root, "patches_5"), text.replace("</xmax>", "</xmaks>"));
  const xmaxLine = text.split("\n").findIndex((l) => l.includes("<xmax>")) + 1;
  const e = await rejectsWithDataError(preflight({ name: "neu", root }, { progress: quiet }));
  assert.equal(e.file, xmlOf(root, "patches_5"));
  assert.equal(e.line, xmaxLine);
  assert.match(e.message, /malformed XML at line \d+/);
  const { dataset, report } = await preflight({ name: "neu", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), NEU_GOOD);
  assert.deepEqual(report.byReason, { "bad-annotation": 1 });
});

test("VOC box outside the real image: refused by default, clipped (and counted) on request", async () => {
  const root = await neuFolder(path.join(tmp, "outside"));
  await neuSample(root, "scratches_3", [5, 6, NEU_W + 8, 20]);
  const e = await rejectsWithDataError(preflight({ name: "neu", root }, { progress: quiet }));
  assert.equal(e.file, path.join(root, "images", "scratches_3.jpg"));
  assert.equal(e.code, "box-outside-image");
  assert.match(e.message, /box 1 \(scratches\) x 5\.\.40, y 6\.\.20 is outside the 32x24 image/);
  const refused = await preflight({ name: "neu", root }, { lenient: true, progress: quiet });
  assert.deepEqual(refused.dataset.samples.map((s) => s.id), NEU_GOOD);
  assert.deepEqual(refused.report.byReason, { "box-outside-image": 1 });

  const clipped = await preflight({ name: "neu", root }, { boxes: "clip", progress: quiet });
  assert.deepEqual(clipped.dataset.samples.map((s) => s.id), [...NEU_GOOD, "scratches_3"].sort());
  const s = clipped.dataset.samples.find((x) => x.id === "scratches_3")!;
  assert.deepEqual(s.boxes, [{ className: "scratches", xmin: 5, ymin: 6, xmax: NEU_W, ymax: 20 }]);
  assert.equal(clipped.report.boxesClipped, 1);
  assert.equal(clipped.report.skipped, 0);

  // A box with nothing inside the image cannot be clipped: refused either way.
  await neuSample(root, "scratches_4", [NEU_W + 2, 1, NEU_W + 9, 5]);
  const e2 = await rejectsWithDataError(preflight({ name: "neu", root }, { boxes: "clip", progress: quiet }));
  assert.match(e2.message, /scratches_4\.jpg.*nothing left to clip/);
});

test("XML <size> that disagrees with the image is reported, not trusted", async () => {
  const root = await neuFolder(path.join(tmp, "size"));
  await neuSample(root, "inclusion_4");
  writeVoc(xmlOf(root, "inclusion_4"), { cls: "inclusion", boxes: [[2, 2, 40, 40]], height: 200, width: 200 });
  const e = await rejectsWithDataError(preflight({ name: "neu", root }, { progress: quiet }));
  assert.equal(e.code, "size-mismatch");
  assert.match(e.message, /inclusion_4\.jpg: XML <size> says 200x200 \(WxH\) but the image is 32x24/);
  const { dataset, report } = await preflight({ name: "neu", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), NEU_GOOD);
  assert.deepEqual(report.byReason, { "size-mismatch": 1 });
  // Kept samples carry the real size.
  assert.ok(dataset.samples.every((s) => s.height === NEU_H && s.width === NEU_W));
});

test("GC10: a box named 'd' (a real GC10 label) is refused (strict) or skips its image (lenient)", async () => {
  const root = path.join(tmp, "gc10");
  const good = ["img_01_1_00001", "img_03_1_00002"];
  for (const [id, folder, name] of [[good[0], "1", "1_chongkong"], [good[1], "3", "3_yueyawan"], ["img_02_1_00003", "2", "d"]]) {
    await writeImage(path.join(root, folder, `${id}.jpg`), 20, 40);
    writeVoc(path.join(root, "lable", `${id}.xml`), { cls: name, boxes: [[1, 1, 10, 10]], height: 20, width: 40, folder });
  }
  const e = await rejectsWithDataError(preflight({ name: "gc10", root }, { progress: quiet }));
  assert.equal(e.file, path.join(root, "lable", "img_02_1_00003.xml"));
  assert.match(e.message, /unknown GC10 class name "d"/);
  const { dataset, report } = await preflight({ name: "gc10", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), good);
  assert.deepEqual(report.byReason, { "unknown-class": 1 });
});

const realGc10 = path.join(projectPaths().sharedData, "gc10-det-labels");
test("real GC10 label files, one corrupted on the fly: counted skip / error naming it", { skip: !fs.existsSync(realGc10) && "shared GC10 labels absent" }, () => {
  const dir = path.join(tmp, "real-gc10");
  const names = fs.readdirSync(realGc10).filter((f) => f.endsWith(".xml")).sort().slice(0, 5);
  for (const n of names) copyInto(path.join(realGc10, n), path.join(dir, n));
  const clean = loadGc10Labels(dir, { mode: "strict" });
  assert.equal(clean.annotations.length, 5);
  const bad = path.join(dir, names[2]);
  const text = fs.readFileSync(bad, "utf8");
  fs.writeFileSync(bad, text.slice(0, Math.floor(text.length / 2)));
  assert.throws(() => loadGc10Labels(dir, { mode: "strict" }), (e: Error & { file?: string }) => e.file === bad && /unclosed or truncated/.test(e.message));
  const lenient = loadGc10Labels(dir, { mode: "lenient" });
  assert.deepEqual(lenient.annotations.map((a) => a.id), clean.annotations.map((a) => a.id).filter((id) => id !== path.basename(bad, ".xml")));
  assert.deepEqual(lenient.skipped.map((s) => [s.file, s.code]), [[bad, "bad-annotation"]]);
});

const realNeu = path.join(projectPaths().sharedData, "neu-det");
test("real NEU-DET XML with a box pushed outside the image: refused", { skip: !fs.existsSync(realNeu) && "shared NEU-DET data absent" }, async () => {
  const root = path.join(tmp, "real-neu-box");
  for (const id of ["crazing_1", "patches_1"]) {
    copyInto(path.join(realNeu, "images", `${id}.jpg`), path.join(root, "images", `${id}.jpg`));
    copyInto(path.join(realNeu, "annotations", `${id}.xml`), xmlOf(root, id));
  }
  const x = xmlOf(root, "crazing_1");
  fs.writeFileSync(x, fs.readFileSync(x, "utf8").replace(/<xmax>\d+<\/xmax>/, "<xmax>260</xmax>"));
  const e = await rejectsWithDataError(preflight({ name: "neu", root }, { progress: quiet }));
  assert.equal(e.code, "box-outside-image");
  assert.match(e.message, /crazing_1\.jpg: box 1 \(crazing\) x 2\.\.260/);
  const { dataset } = await preflight({ name: "neu", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), ["patches_1"]);
});
