/**
 * submission.csv in Kaggle form, verified after writing.
 *   "kaggle": `ImageId,EncodedPixels,ClassId` (the competition's sample_submission order)
 *   "wide":   `ImageId_ClassId,EncodedPixels` (the original form)
 * One row per image and class (4 per image), EncodedPixels "" for no defect. Rows are written by
 * csv-stringify, atomically; the file is then read back with the strict Severstal parser and every
 * mask decoded and compared with the predicted one — any difference is an error naming the row.
 *
 * Masks: [H, W, C] channel-last Uint8Array (non-zero = defect), C = 4 classes (ClassId = c + 1).
 */
import * as fs from "fs";
import { stringify } from "csv-stringify/sync";
import { decodeRle, encodeMasks } from "../data/rle";
import { parseSeverstalCsv, SEVERSTAL_NUM_CLASSES } from "../data/severstal-csv";
import { writeFileAtomic } from "../util/atomic-write";

export type SubmissionForm = "kaggle" | "wide";

export interface PredictedMasks {
  imageId: string;
  /** [H, W, 4] 0/1. */
  mask: Uint8Array;
}

export interface SubmissionOptions {
  form?: SubmissionForm;
  height?: number;
  width?: number;
}

export interface SubmissionReport {
  file: string;
  form: SubmissionForm;
  images: number;
  rows: number;
  /** Rows with a non-empty mask, per class (index = ClassId − 1). */
  nonEmptyPerClass: number[];
  /** True after the read-back check passed (it throws otherwise). */
  verified: boolean;
}

/** Encodes every image's masks; throws for duplicate / malformed ImageIds or wrong mask sizes. */
export function submissionRecords(preds: readonly PredictedMasks[], height: number, width: number): { imageId: string; classId: number; rle: string }[] {
  const C = SEVERSTAL_NUM_CLASSES;
  const seen = new Set<string>();
  const out: { imageId: string; classId: number; rle: string }[] = [];
  for (const p of preds) {
    if (!p.imageId || /[,"\r\n]/.test(p.imageId)) throw new Error(`submission: bad ImageId "${p.imageId}" (empty, or holds a comma, quote or newline)`);
    if (seen.has(p.imageId)) throw new Error(`submission: ImageId ${p.imageId} appears twice`);
    seen.add(p.imageId);
    if (p.mask.length !== height * width * C) {
      throw new Error(`submission: ${p.imageId}: mask has ${p.mask.length} values, expected ${height}×${width}×${C}`);
    }
    encodeMasks(p.mask, height, width, C).forEach((rle, c) => out.push({ imageId: p.imageId, classId: c + 1, rle }));
  }
  return out;
}

/** Writes submission.csv, reads it back strictly and checks every decoded mask. */
export function writeSubmission(file: string, preds: readonly PredictedMasks[], opts: SubmissionOptions = {}): SubmissionReport {
  const form = opts.form ?? "kaggle";
  const height = opts.height ?? 256;
  const width = opts.width ?? 1600;
  if (form !== "kaggle" && form !== "wide") throw new Error(`writeSubmission: form must be "kaggle" or "wide", got "${form}"`);
  const records = submissionRecords(preds, height, width);
  const text =
    form === "kaggle"
      ? stringify(records.map((r) => [r.imageId, r.rle, r.classId]), { header: true, columns: ["ImageId", "EncodedPixels", "ClassId"] })
      : stringify(records.map((r) => [`${r.imageId}_${r.classId}`, r.rle]), { header: true, columns: ["ImageId_ClassId", "EncodedPixels"] });
  writeFileAtomic(file, text);
  verifySubmission(file, preds, height, width);
  const nonEmptyPerClass = new Array<number>(SEVERSTAL_NUM_CLASSES).fill(0);
  for (const r of records) if (r.rle !== "") nonEmptyPerClass[r.classId - 1]++;
  return { file, form, images: preds.length, rows: records.length, nonEmptyPerClass, verified: true };
}

/** Reads `file` with the strict parser; every (image, class) row must decode to the predicted mask. */
export function verifySubmission(file: string, preds: readonly PredictedMasks[], height: number, width: number): void {
  const C = SEVERSTAL_NUM_CLASSES;
  const parsed = parseSeverstalCsv(fs.readFileSync(file, "utf8"), file, { mode: "strict", height, width });
  const byId = new Map(preds.map((p) => [p.imageId, p.mask]));
  if (parsed.rows.length !== preds.length * C) {
    throw new Error(`${file}: read back ${parsed.rows.length} rows, expected ${preds.length} images × ${C} classes = ${preds.length * C}`);
  }
  const buf = new Uint8Array(height * width);
  for (const row of parsed.rows) {
    const mask = byId.get(row.imageId);
    if (!mask) throw new Error(`${file}:${row.line}: ImageId ${row.imageId} was not predicted`);
    decodeRle(row.rle, height, width, { out: buf });
    const c = row.classId - 1;
    for (let i = 0, j = c; i < buf.length; i++, j += C) {
      if (buf[i] !== (mask[j] ? 1 : 0)) {
        const y = Math.floor(i / width);
        throw new Error(`${file}:${row.line}: ${row.imageId} ClassId ${row.classId} decodes differently from the prediction at pixel (${y}, ${i % width})`);
      }
    }
  }
}
