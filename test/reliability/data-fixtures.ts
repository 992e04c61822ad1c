/**
 * Small generated files for the bad-input corpus tests (test/reliability/data-*.test.ts): grey
 * images, NEU/GC10 VOC folders, Severstal folders, and the corruptions applied to copies of them.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { formatVocXml } from "../../src/lib/data/voc";
import { DataError } from "../../src/lib/data/types";

/** The tests' progress: none. */
export { silentProgress as quiet } from "../../src/lib/util/progress";

/** A fresh temp folder, removed when the process exits. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A grey image (a gradient, so JPEG/PNG have real entropy-coded data) in the format the extension names; `.jpg` with format "png" writes PNG bytes under a .jpg name. */
export async function writeImage(file: string, height: number, width: number, format: "jpeg" | "png" = "jpeg"): Promise<void> {
  const px = Buffer.alloc(height * width);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) px[y * width + x] = (x * 7 + y * 13) % 256;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const img = sharp(px, { raw: { width, height, channels: 1 } });
  await (format === "png" ? img.png() : img.jpeg({ quality: 90 })).toFile(file);
}

export type BoxSpec = [number, number, number, number];

export function writeVoc(file: string, o: { cls: string; boxes: BoxSpec[]; height: number; width: number; folder?: string }): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const objects = o.boxes.map(([xmin, ymin, xmax, ymax]) => ({ className: o.cls, xmin, ymin, xmax, ymax }));
  const stem = path.basename(file, ".xml");
  fs.writeFileSync(file, formatVocXml({ folder: o.folder ?? "x", filename: `${stem}.jpg`, width: o.width, height: o.height, depth: 1, objects }));
}

/** The good NEU-DET corpus: ids and their class; every image 24x32 with one box inside. */
export const NEU_GOOD = ["crazing_1", "crazing_2", "inclusion_1", "patches_1", "scratches_1", "scratches_2"];
export const NEU_H = 24;
export const NEU_W = 32;

export async function neuFolder(root: string, ids: readonly string[] = NEU_GOOD): Promise<string> {
  for (const id of ids) await neuSample(root, id);
  return root;
}

export async function neuSample(root: string, id: string, box: BoxSpec = [2, 3, 20, 22]): Promise<void> {
  await writeImage(path.join(root, "images", `${id}.jpg`), NEU_H, NEU_W);
  writeVoc(path.join(root, "annotations", `${id}.xml`), { cls: id.replace(/_\d+$/, ""), boxes: [box], height: NEU_H, width: NEU_W });
}

/** Keeps the first `fraction` of the file's bytes (a download cut short). */
export function truncateFile(file: string, fraction = 0.6): void {
  const b = fs.readFileSync(file);
  fs.writeFileSync(file, b.subarray(0, Math.floor(b.length * fraction)));
}

export async function rejectsWithDataError(p: Promise<unknown>): Promise<DataError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a DataError, nothing was thrown");
}

export function copyInto(src: string, dst: string): void {
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(src, dst);
}
