/**
 * Bad Severstal input found before training: every bad train.csv row is a strict error naming the
 * file and row (right with CRLF and quoted fields too) or, lenient, a counted skip that leaves the
 * whole IMAGE out (never a defect-free label by accident); images must have the size their masks
 * are decoded at; a row for a missing image is named.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { preflight, LENIENT_HINT } from "../../src/lib/data/preflight";
import { formatSkipSummary } from "../../src/lib/data/skip-report";
import { projectPaths } from "../../src/lib/config/paths";
import { copyInto, quiet, rejectsWithDataError, tempDir, writeImage } from "./data-fixtures";

const tmp = tempDir("data-severstal");
/** Declared size of the small generated set: 8x16 (RLE pixels 1..128). */
const SMALL = { height: 8, width: 16 };
const HEADER = "ImageId,ClassId,EncodedPixels";
/** Lines 2..3: good rows; the bad row goes on line 4 for "bad.jpg", which also has a good class-1 row on line 5. */
const GOOD_ROWS = ["a.jpg,1,1 3", "b.jpg,2,5 2 20 3"];
const GOOD_IDS = ["a.jpg", "b.jpg", "c.jpg"];

async function folder(name: string, csv: string, images: string[], size = SMALL): Promise<string> {
  const root = path.join(tmp, name);
  for (const id of images) await writeImage(path.join(root, "train_images", id), size.height, size.width, "png");
  fs.writeFileSync(path.join(root, "train.csv"), csv);
  return root;
}

/** [what, the bad row, reason category in the report, reason code in the message]. */
const BAD_ROWS: [string, string, string, string][] = [
  ["RLE with an odd token count", "bad.jpg,3,1 2 3", "bad-rle-row", "odd-tokens"],
  ["RLE run past the image end", "bad.jpg,3,120 20", "bad-rle-row", "past-end"],
  ["overlapping runs", "bad.jpg,3,10 5 12 2", "bad-rle-row", "overlap"],
  ["unsorted runs", "bad.jpg,3,50 2 10 2", "bad-rle-row", "unsorted"],
  ["non-numeric RLE", "bad.jpg,3,1 two", "bad-rle-row", "not-a-number"],
  ["missing column", "bad.jpg,3", "bad-csv-row", "column-count"],
  ["unknown ClassId", "bad.jpg,7,1 2", "unknown-class", "unknown-class"],
];

for (const [what, row, category, code] of BAD_ROWS) {
  test(`Severstal ${what}: strict names train.csv row 4, lenient skips the image`, async () => {
    const csv = [HEADER, ...GOOD_ROWS, row, "bad.jpg,1,30 4", ""].join("\n");
    const root = await folder(code, csv, [...GOOD_IDS, "bad.jpg"]);
    const e = await rejectsWithDataError(preflight({ name: "severstal", root }, { imageSize: SMALL, progress: quiet }));
    assert.equal(e.file, path.join(root, "train.csv"));
    assert.equal(e.line, 4);
    assert.equal(e.id, "bad.jpg");
    assert.equal(e.code, code);
    assert.ok(e.message.includes(code) && e.message.includes(LENIENT_HINT), e.message);

    const { dataset, report } = await preflight({ name: "severstal", root }, { lenient: true, imageSize: SMALL, progress: quiet });
    // bad.jpg has a good class-1 row too: keeping it would give it a wrong (incomplete) mask.
    assert.deepEqual(dataset.samples.map((s) => [s.id, s.label, s.rle]), [
      ["a.jpg", 1, ["1 3", "", "", ""]],
      ["b.jpg", 2, ["", "5 2 20 3", "", ""]],
      ["c.jpg", 0, ["", "", "", ""]],
    ]);
    assert.deepEqual(report.byReason, { [category]: 1 });
    assert.deepEqual(report.examples, { [category]: ["train.csv:4"] });
    assert.equal(report.skips[0].line, 4);
  });
}

test("duplicate (ImageId, ClassId) rows: strict names the second row, lenient skips the image", async () => {
  const csv = [HEADER, ...GOOD_ROWS, "bad.jpg,1,7 2", "bad.jpg,1,30 4", ""].join("\n");
  const root = await folder("dup", csv, [...GOOD_IDS, "bad.jpg"]);
  const e = await rejectsWithDataError(preflight({ name: "severstal", root }, { imageSize: SMALL, progress: quiet }));
  assert.equal(e.line, 5);
  assert.match(e.message, /duplicate: second row for ClassId 1 \(first at line 4\)/);
  const { dataset, report } = await preflight({ name: "severstal", root }, { lenient: true, imageSize: SMALL, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), GOOD_IDS);
  assert.deepEqual(report.byReason, { duplicate: 1 });
});

test("a skipped row of an image with no other row does not make it defect-free", async () => {
  const csv = [HEADER, ...GOOD_ROWS, "bad.jpg,2,9 9 9", ""].join("\n");
  const root = await folder("only-bad", csv, [...GOOD_IDS, "bad.jpg"]);
  const { dataset } = await preflight({ name: "severstal", root }, { lenient: true, imageSize: SMALL, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), GOOD_IDS);
});

test("row numbers stay right with CRLF, quoted fields, a BOM and blank lines; the old wide form too", async () => {
  const csv = "\uFEFF" + [HEADER, '"a.jpg",1,"1 3"', "", '"b.jpg","2",5 2 20 3', '"bad.jpg",1,"1 2 3"', ""].join("\r\n");
  const root = await folder("crlf", csv, [...GOOD_IDS, "bad.jpg"]);
  const e = await rejectsWithDataError(preflight({ name: "severstal", root }, { imageSize: SMALL, progress: quiet }));
  assert.equal(e.line, 5);
  assert.match(e.message, /train\.csv:5: ImageId "bad\.jpg": odd-tokens/);
  const { dataset } = await preflight({ name: "severstal", root }, { lenient: true, imageSize: SMALL, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => [s.id, s.label]), [["a.jpg", 1], ["b.jpg", 2], ["c.jpg", 0]]);

  const wide = ["ImageId_ClassId,EncodedPixels", "a.jpg_1,1 3", "a.jpg_2,", "bad.jpg_1,", "bad.jpg_2,4 0", ""].join("\r\n");
  const w = await folder("wide", wide, ["a.jpg", "bad.jpg"]);
  const ew = await rejectsWithDataError(preflight({ name: "severstal", root: w }, { imageSize: SMALL, progress: quiet }));
  assert.equal(ew.line, 5);
  const lw = await preflight({ name: "severstal", root: w }, { lenient: true, imageSize: SMALL, progress: quiet });
  assert.deepEqual(lw.dataset.samples.map((s) => s.id), ["a.jpg"]);
});

test("a row for an image missing from train_images is named; the good images stay", async () => {
  const csv = [HEADER, ...GOOD_ROWS, "ghost.jpg,4,1 2", ""].join("\n");
  const root = await folder("ghost", csv, GOOD_IDS);
  const e = await rejectsWithDataError(preflight({ name: "severstal", root }, { imageSize: SMALL, progress: quiet }));
  assert.equal(e.line, 4);
  assert.equal(e.id, "ghost.jpg");
  assert.equal(e.code, "missing-image");
  assert.match(e.message, /missing-image: no file ghost\.jpg/);
  const { dataset, report } = await preflight({ name: "severstal", root }, { lenient: true, imageSize: SMALL, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), GOOD_IDS);
  assert.equal(formatSkipSummary(report), "3 images used; 1 skipped: 1 missing image (train.csv:4)");
});

test("a 100x100 image in a 256x1600 Severstal folder is refused, not resized with its mask squashed", async () => {
  const csv = [HEADER, "a.jpg,1,1 2756", "small.jpg,1,1 2756", ""].join("\n");
  const full = { height: 256, width: 1600 };
  const root = await folder("size", csv, ["a.jpg", "c.jpg"], full);
  await writeImage(path.join(root, "train_images", "small.jpg"), 100, 100);
  const e = await rejectsWithDataError(preflight({ name: "severstal", root }, { progress: quiet }));
  assert.equal(e.file, path.join(root, "train_images", "small.jpg"));
  assert.equal(e.code, "wrong-size");
  assert.match(e.message, /image is 100x100 \(JPEG\); its masks are decoded at 256x1600/);
  const { dataset, report } = await preflight({ name: "severstal", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => [s.id, s.height, s.width, s.rle![0]]), [
    ["a.jpg", 256, 1600, "1 2756"],
    ["c.jpg", 256, 1600, ""],
  ]);
  assert.deepEqual(report.byReason, { "wrong-size": 1 });
});

const real = path.join(projectPaths().sharedData, "severstal-samples");
test("real Severstal samples: clean copy passes; a shrunk image and a removed image are named", { skip: !fs.existsSync(real) && "shared Severstal samples absent" }, async () => {
  const root = path.join(tmp, "real");
  const ids = fs.readdirSync(path.join(real, "train_images")).sort();
  for (const id of ids) copyInto(path.join(real, "train_images", id), path.join(root, "train_images", id));
  copyInto(path.join(real, "train.csv"), path.join(root, "train.csv"));
  const clean = await preflight({ name: "severstal", root }, { progress: quiet });
  assert.equal(formatSkipSummary(clean.report), `${ids.length} images used; 0 skipped`);

  const shrunk = path.join(root, "train_images", "002fc4e19.jpg");
  const small = await sharp(fs.readFileSync(shrunk)).resize(100, 100).png().toBuffer();
  fs.writeFileSync(shrunk, small);
  fs.rmSync(path.join(root, "train_images", "0046839bd.jpg"));
  const e = await rejectsWithDataError(preflight({ name: "severstal", root }, { progress: quiet }));
  assert.equal(e.line, 4); // 0046839bd.jpg,3,... is row 4 of the real file
  assert.equal(e.id, "0046839bd.jpg");
  const { dataset, report } = await preflight({ name: "severstal", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), ids.filter((id) => id !== "002fc4e19.jpg" && id !== "0046839bd.jpg"));
  assert.deepEqual(report.byReason, { "missing-image": 1, "wrong-size": 1 });
});
