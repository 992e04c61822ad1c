/**
 * Notebook 02's checks of the RLE codec on a whole dataset: every row decoded and re-encoded,
 * a worked example small enough to verify by hand, and a Kaggle submission written and
 * validated by decoding it back.
 */
import * as fs from "fs";
import * as path from "path";
import { Dataset } from "../data/types";
import { canonicalRle, decodeRle, encodeRle, RleScratch } from "../data/rle";
import { parseSeverstalCsv, writeSeverstalCsv } from "../data/severstal-csv";
import { severstalRowsFromSamples } from "../data/severstal";
import { writeFileAtomic } from "../util/atomic-write";
import { createProgress } from "../util/progress";

export interface RoundTrip {
  rows: number;
  identical: number;
  /** Rows whose re-encoding differs from the canonical form of the input (should be none). */
  mismatches: { imageId: string; classId: number }[];
  /** Rows whose text was not canonical (e.g. adjacent runs not merged) but decode to the same mask. */
  nonCanonical: number;
  pixels: number;
  seconds: number;
}

/** Decodes and re-encodes every RLE of the dataset; exact text equality after canonicalisation. */
export function rleRoundTrip(ds: Dataset): RoundTrip {
  const t0 = performance.now();
  const out: RoundTrip = { rows: 0, identical: 0, mismatches: [], nonCanonical: 0, pixels: 0, seconds: 0 };
  const progress = createProgress({ total: ds.samples.length, label: "RLE round trip" });
  let buffer: Uint8Array | undefined;
  const scratch = new RleScratch();
  for (const s of ds.samples) {
    (s.rle ?? []).forEach((rle, c) => {
      if (!rle) return;
      out.rows++;
      if (!buffer || buffer.length !== s.height * s.width) buffer = new Uint8Array(s.height * s.width);
      const mask = decodeRle(rle, s.height, s.width, { out: buffer, scratch });
      let px = 0;
      for (let i = 0; i < mask.length; i++) px += mask[i];
      out.pixels += px;
      const again = encodeRle(mask, s.height, s.width, scratch);
      const canon = canonicalRle(rle, s.height, s.width, scratch);
      if (canon !== rle.trim()) out.nonCanonical++;
      if (again === canon) out.identical++;
      else out.mismatches.push({ imageId: s.id, classId: c + 1 });
    });
    progress.tick();
  }
  progress.done();
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

/** A 4×3 worked example: mask pixels, their 1-based column-major positions, and the RLE. */
export function workedExample(): { height: number; width: number; mask: number[][]; positions: number[][]; rle: string } {
  const height = 4;
  const width = 3;
  const mask = [
    [0, 0, 1],
    [1, 0, 1],
    [1, 0, 0],
    [0, 1, 0],
  ];
  const flat = mask.flat();
  const positions = mask.map((row, y) => row.map((_, x) => x * height + y + 1));
  return { height, width, mask, positions, rle: encodeRle(flat, height, width) };
}

export interface SubmissionCheck {
  file: string;
  rows: number;
  images: number;
  /** Masks that decode back pixel-identical from the written file. */
  identicalMasks: number;
}

/**
 * Writes a Kaggle-format submission (ImageId,ClassId,EncodedPixels) for `samples` from their
 * masks — here the ground truth stands in for predictions — then reads it back with the strict
 * parser and compares every decoded mask to the source.
 */
export function writeAndCheckSubmission(samples: Dataset["samples"], file: string): SubmissionCheck {
  const rows = severstalRowsFromSamples(samples, { includeEmpty: true });
  const csv = writeSeverstalCsv(rows, "long", { includeEmpty: true });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, csv);
  const parsed = parseSeverstalCsv(fs.readFileSync(file, "utf8"), file, { mode: "strict" });
  const byKey = new Map(parsed.rows.map((r) => [`${r.imageId}#${r.classId}`, r.rle]));
  let identical = 0;
  for (const s of samples) {
    (s.rle ?? []).forEach((rle, c) => {
      const back = byKey.get(`${s.id}#${c + 1}`) ?? "";
      const a = decodeRle(rle, s.height, s.width);
      const b = decodeRle(back, s.height, s.width);
      if (a.length === b.length && a.every((v, i) => v === b[i])) identical++;
    });
  }
  return { file, rows: parsed.rows.length, images: samples.length, identicalMasks: identical };
}
