/**
 * Bad image files are found by the pre-flight check, before any training: a clear strict error
 * naming the file (with the --lenient hint), or in lenient mode a counted skip, and every good
 * sample still there.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { preflight, LENIENT_HINT } from "../../src/lib/data/preflight";
import { formatSkipSummary } from "../../src/lib/data/skip-report";
import { projectPaths } from "../../src/lib/config/paths";
import { NEU_GOOD, copyInto, neuFolder, quiet, rejectsWithDataError, tempDir, truncateFile, writeImage, writeVoc, NEU_H, NEU_W } from "./data-fixtures";

const tmp = tempDir("data-images");

type Corruption = [what: string, id: string, file: string, code: string, make: (file: string) => Promise<void> | void];

/** Each writes one bad image `file` (relative to the root) next to the good corpus. */
const CORRUPTIONS: Corruption[] = [
  ["text file named .jpg", "crazing_3", "images/crazing_3.jpg", "unreadable-image", (f) => fs.writeFileSync(f, "this is not an image\n")],
  ["zero-byte image", "crazing_4", "images/crazing_4.jpg", "unreadable-image", (f) => fs.writeFileSync(f, "")],
  ["truncated JPEG", "inclusion_2", "images/inclusion_2.jpg", "truncated-image", async (f) => (await writeImage(f, NEU_H, NEU_W), truncateFile(f))],
  ["truncated PNG", "patches_2", "images/patches_2.png", "truncated-image", async (f) => (await writeImage(f, NEU_H, NEU_W, "png"), truncateFile(f))],
];

for (const [what, id, rel, code, make] of CORRUPTIONS) {
  test(`${what}: strict names the file, lenient skips and counts it as ${code}`, async () => {
    const root = await neuFolder(path.join(tmp, id));
    const file = path.join(root, rel);
    await make(file);
    writeVoc(path.join(root, "annotations", `${id}.xml`), { cls: id.replace(/_\d+$/, ""), boxes: [[1, 1, 5, 5]], height: NEU_H, width: NEU_W });

    const e = await rejectsWithDataError(preflight({ name: "neu", root }, { progress: quiet }));
    assert.equal(e.file, file);
    assert.equal(e.code, code);
    assert.ok(e.message.includes(file) && e.message.includes(LENIENT_HINT), e.message);

    const { dataset, report } = await preflight({ name: "neu", root }, { lenient: true, progress: quiet });
    assert.deepEqual(dataset.samples.map((s) => s.id), NEU_GOOD);
    assert.deepEqual(report.byReason, { [code]: 1 });
    assert.deepEqual(report.examples, { [code]: [path.basename(file)] });
    assert.equal(report.imagesUsed, NEU_GOOD.length);
    assert.deepEqual(report.skips.map((s) => [s.file, s.id, s.code]), [[file, id, code]]);
  });
}

test("an image without XML that cannot be read: lenient skip from the loader, strict error naming it", async () => {
  const root = await neuFolder(path.join(tmp, "noxml"));
  const file = path.join(root, "images", "scratches_9.jpg");
  fs.writeFileSync(file, "<html>not found</html>");
  const e = await rejectsWithDataError(preflight({ name: "neu", root }, { progress: quiet }));
  assert.equal(e.file, file);
  assert.ok(e.message.includes(LENIENT_HINT), e.message);
  const { dataset, report } = await preflight({ name: "neu", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), NEU_GOOD);
  assert.deepEqual(report.byReason, { "unreadable-image": 1 });
});

test("all corruptions together: one summary line with counts and file names", async () => {
  const root = await neuFolder(path.join(tmp, "all"));
  for (const [, id, rel, , make] of CORRUPTIONS) {
    await make(path.join(root, rel));
    writeVoc(path.join(root, "annotations", `${id}.xml`), { cls: id.replace(/_\d+$/, ""), boxes: [[1, 1, 5, 5]], height: NEU_H, width: NEU_W });
  }
  const e = await rejectsWithDataError(preflight({ name: "neu", root }, { progress: quiet }));
  assert.match(e.message, /\(4 problems in .*; this is the first\)/);
  assert.equal(e.file, path.join(root, "images/crazing_3.jpg"));
  const { dataset, report } = await preflight({ name: "neu", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), NEU_GOOD);
  assert.equal(
    formatSkipSummary(report),
    "6 images used; 4 skipped: 2 truncated (inclusion_2.jpg, patches_2.png), 2 unreadable (crazing_3.jpg, crazing_4.jpg)",
  );
  // JSON-ready: survives a round trip unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
});

test("empty data folders are a clear error naming the folder and what belongs there", async () => {
  const neu = path.join(tmp, "empty-neu");
  fs.mkdirSync(neu);
  const sev = path.join(tmp, "empty-sev");
  fs.mkdirSync(path.join(sev, "train_images"), { recursive: true });
  fs.writeFileSync(path.join(sev, "train.csv"), "ImageId,ClassId,EncodedPixels\n");
  for (const lenient of [false, true]) {
    const a = await rejectsWithDataError(preflight({ name: "neu", root: neu }, { lenient, progress: quiet }));
    assert.equal(a.file, neu);
    assert.match(a.message, /no neu images found; expected images named <class>_<n>\.jpg/);
    const b = await rejectsWithDataError(preflight({ name: "severstal", root: sev }, { lenient, progress: quiet }));
    assert.equal(b.file, sev);
    assert.match(b.message, /no severstal images found; expected train\.csv .* and train_images\/\*\.jpg/);
  }
});

test("lenient with nothing usable left is an error, not an empty run", async () => {
  const root = path.join(tmp, "all-bad");
  fs.mkdirSync(path.join(root, "images"), { recursive: true });
  fs.writeFileSync(path.join(root, "images", "crazing_1.jpg"), "");
  const e = await rejectsWithDataError(preflight({ name: "neu", root }, { lenient: true, progress: quiet }));
  assert.match(e.message, /all neu images were skipped.*0 images used; 1 skipped: 1 unreadable \(crazing_1\.jpg\)/);
});

const realNeu = path.join(projectPaths().sharedData, "neu-det");
test("real NEU-DET files, corrupted on the fly: good ones pass, the broken ones are named", { skip: !fs.existsSync(realNeu) && "shared NEU-DET data absent" }, async () => {
  const root = path.join(tmp, "real-neu");
  const ids = ["crazing_1", "inclusion_1", "patches_1", "pitted_surface_1", "rolled-in_scale_1", "scratches_1"];
  for (const id of ids) {
    copyInto(path.join(realNeu, "images", `${id}.jpg`), path.join(root, "images", `${id}.jpg`));
    copyInto(path.join(realNeu, "annotations", `${id}.xml`), path.join(root, "annotations", `${id}.xml`));
  }
  const clean = await preflight({ name: "neu", root }, { progress: quiet });
  assert.deepEqual(clean.dataset.samples.map((s) => [s.id, s.height, s.width]), ids.map((id) => [id, 200, 200]));
  assert.equal(formatSkipSummary(clean.report), "6 images used; 0 skipped");

  truncateFile(path.join(root, "images", "patches_1.jpg"), 0.5);
  fs.writeFileSync(path.join(root, "images", "scratches_1.jpg"), fs.readFileSync(path.join(root, "annotations", "scratches_1.xml")));
  const e = await rejectsWithDataError(preflight({ name: "neu", root }, { progress: quiet }));
  assert.equal(e.file, path.join(root, "images", "patches_1.jpg"));
  assert.equal(e.code, "truncated-image");
  const { dataset, report } = await preflight({ name: "neu", root }, { lenient: true, progress: quiet });
  assert.deepEqual(dataset.samples.map((s) => s.id), ["crazing_1", "inclusion_1", "pitted_surface_1", "rolled-in_scale_1"]);
  assert.deepEqual(report.byReason, { "truncated-image": 1, "unreadable-image": 1 });
});
