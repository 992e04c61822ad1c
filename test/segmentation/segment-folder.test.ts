import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { writeImagePng } from "../../src/lib/data/image-io";
import { decodeRle } from "../../src/lib/data/rle";
import { parseSeverstalCsv } from "../../src/lib/data/severstal-csv";
import { segmentFolder } from "../../src/lib/segmentation/segment-folder";
import { createRng } from "../../src/lib/util/rng";

let dir: string;
let out: string;
const H = 32;
const W = 64;
const images = new Map<string, Uint8Array>();

before(async () => {
  await tf.setBackend("cpu");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "steel-folder-"));
  out = fs.mkdtempSync(path.join(os.tmpdir(), "steel-folder-out-"));
  for (const name of ["a.png", "c.png"]) {
    const rng = createRng(name, "folder");
    const bits = Uint8Array.from({ length: H * W }, () => (rng.next() < 0.3 ? 1 : 0));
    images.set(name, bits);
    await writeImagePng(path.join(dir, name), { data: Float32Array.from(bits), height: H, width: W, channels: 1 });
  }
  fs.writeFileSync(path.join(dir, "b.png"), "this is not a PNG");
  await writeImagePng(path.join(dir, "d.png"), { data: new Float32Array(16 * W), height: 16, width: W, channels: 1 });
  fs.writeFileSync(path.join(dir, "notes.txt"), "not an image, not counted");
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
});

test("a folder with a corrupt and a wrong-size image: both named and counted, the other rows written and verified", async () => {
  // Predictor: the image repeated on 4 channels, so the mask of every class is the image > 0.5.
  const predictor = (x: tf.Tensor4D) => tf.tile(x, [1, 1, 1, 4]) as tf.Tensor4D;
  const file = path.join(out, "submission.csv");
  const r = await segmentFolder(predictor, dir, { height: H, width: W, tileHeight: 32, tileWidth: 32, submissionFile: file });
  assert.equal(r.found, 4);
  assert.equal(r.predicted, 2);
  assert.deepEqual(r.failed.map((f) => path.basename(f.file)), ["b.png", "d.png"]);
  assert.match(r.failed[1].reason, /16×64, expected 32×64/);
  assert.ok(r.failed[0].reason.length > 0);
  assert.equal(r.submission?.rows, 8);
  const rows = parseSeverstalCsv(fs.readFileSync(file, "utf8"), file, { height: H, width: W }).rows;
  for (const row of rows) assert.deepEqual(decodeRle(row.rle, H, W), images.get(row.imageId), `${row.imageId} ${row.classId}`);
  const summary = JSON.parse(fs.readFileSync(r.summaryFile, "utf8"));
  assert.equal(summary.failed.length, 2);
  assert.equal(summary.predicted, 2);
});
