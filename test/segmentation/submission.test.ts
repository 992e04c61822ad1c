import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectPaths } from "../../src/lib/config/paths";
import { decodeMasks } from "../../src/lib/data/rle";
import { parseSeverstalCsv } from "../../src/lib/data/severstal-csv";
import { verifySubmission, writeSubmission, type PredictedMasks } from "../../src/lib/segmentation/submission";

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "steel-sub-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const H = 256;
const W = 1600;

/** Image 0: class 1 a block at rows 10..19, cols 100..104 (column-major runs of 10); class 3 one pixel. Image 1: empty. */
function preds(): PredictedMasks[] {
  const a = new Uint8Array(H * W * 4);
  for (let y = 10; y < 20; y++) for (let x = 100; x < 105; x++) a[(y * W + x) * 4 + 0] = 1;
  a[(255 * W + 1599) * 4 + 2] = 1;
  return [
    { imageId: "b.jpg", mask: new Uint8Array(H * W * 4) },
    { imageId: "a.jpg", mask: a },
  ];
}

test("Kaggle form: ImageId,EncodedPixels,ClassId, 4 rows per image, empty EncodedPixels for no defect, hand-checked RLE", () => {
  const file = path.join(dir, "submission.csv");
  const r = writeSubmission(file, preds());
  assert.equal(r.rows, 8);
  assert.deepEqual(r.nonEmptyPerClass, [1, 0, 1, 0]);
  const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
  assert.equal(lines[0], "ImageId,EncodedPixels,ClassId");
  assert.equal(lines.length, 9);
  // Column x = 100 starts at 1-based position 100·256 + 10 + 1 = 25611; 5 columns of 10 rows.
  assert.equal(lines.find((l) => l.startsWith("a.jpg,") && l.endsWith(",1")), "a.jpg,25611 10 25867 10 26123 10 26379 10 26635 10,1");
  // Last pixel of the image: position 256·1600 = 409600.
  assert.equal(lines.find((l) => l.startsWith("a.jpg,") && l.endsWith(",3")), "a.jpg,409600 1,3");
  assert.equal(lines.filter((l) => l.startsWith("b.jpg,,")).length, 4);
});

test("older wide form ImageId_ClassId,EncodedPixels reads back to the same masks", () => {
  const file = path.join(dir, "wide.csv");
  writeSubmission(file, preds(), { form: "wide" });
  const text = fs.readFileSync(file, "utf8");
  assert.ok(text.startsWith("ImageId_ClassId,EncodedPixels\n"));
  assert.ok(text.includes("\nb.jpg_4,\n"));
  const parsed = parseSeverstalCsv(text, file);
  assert.equal(parsed.form, "wide");
  assert.equal(parsed.rows.length, 8);
});

test("a mismatch between the file and the prediction is an error naming the row; bad inputs are refused", () => {
  const file = path.join(dir, "check.csv");
  const p = preds();
  writeSubmission(file, p);
  p[1].mask[(10 * W + 100) * 4] = 0;
  assert.throws(() => verifySubmission(file, p, H, W), /check\.csv:\d+: a\.jpg ClassId 1 decodes differently .* pixel \(10, 100\)/);
  assert.throws(() => writeSubmission(file, [p[0], p[0]]), /b\.jpg appears twice/);
  assert.throws(() => writeSubmission(file, [{ imageId: "x.jpg", mask: new Uint8Array(10) }]), /x\.jpg: mask has 10 values/);
});

test("real Severstal masks survive the round trip (skipped without the shared samples)", (t) => {
  const csv = path.join(projectPaths().sharedData, "severstal-samples", "train.csv");
  if (!fs.existsSync(csv)) return t.skip("no shared severstal-samples");
  const rows = parseSeverstalCsv(fs.readFileSync(csv, "utf8"), csv).rows;
  const ids = [...new Set(rows.map((r) => r.imageId))];
  const real = ids.map((id) => {
    const rles = ["", "", "", ""];
    for (const r of rows) if (r.imageId === id) rles[r.classId - 1] = r.rle;
    return { imageId: id, mask: decodeMasks(rles, H, W), rles };
  });
  const file = path.join(dir, "real.csv");
  writeSubmission(file, real);
  const back = parseSeverstalCsv(fs.readFileSync(file, "utf8"), file).rows;
  for (const r of back) assert.equal(r.rle, real.find((x) => x.imageId === r.imageId)!.rles[r.classId - 1], `${r.imageId} class ${r.classId}`);
});
