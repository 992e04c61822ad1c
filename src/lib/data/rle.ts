/**
 * Kaggle Severstal run-length encoding (RLE) codec.
 *
 * Format: space-separated pairs `start length`; `start` is a 1-indexed pixel position counted
 * column-major (top to bottom, then left to right), so position p (0-based) is
 * row = p % H, col = floor(p / H). A run may continue past the bottom of one column into the
 * top of the next. Masks here are row-major `Uint8Array`s of H*W (index y*W + x), 1 = defect,
 * because that is what image tensors ([H, W, C]) use.
 *
 * Why hand-rolled: no maintained npm package decodes this column-major Kaggle format, and a
 * Severstal train.csv has 7,095 masks of 256x1600 whose decoding and re-encoding must stay well
 * under a second (bench/rle.bench.ts measures it next to a naive codec). Plain TypeScript:
 *  - parsing (rle-parse.ts): the string's bytes are scanned in one flat loop (no split/map/Number);
 *    only a bad string is re-read by the char-by-char scanner that words the error;
 *  - decode (rle-decode.ts): runs become column segments; large masks are built row by row (row y =
 *    row y-1 copied natively, plus the pixels that switch on/off at y), small ones by strided stores.
 *    decodeRle and decodeMasks (the loader's multi-class masks) share this one path;
 *  - encode (rle-encode.ts): never looks at pixels one by one: rows are read as Float64 words (8
 *    pixels per load), empty top/bottom rows are skipped with memcmp, and only words that differ
 *    from the row above are looked at byte by byte.
 *
 * Every function is pure: its working arrays live in an RleScratch (rle-scratch.ts) that the
 * caller passes to reuse across a hot loop, or that the call allocates for itself.
 */
import { fillRuns } from "./rle-decode";
import { encodeMaskRuns } from "./rle-encode";
import { formatRuns } from "./rle-format";
import { checkSize, RleError, scanRuns } from "./rle-parse";
import { RleScratch } from "./rle-scratch";

export { RleError, type RleReason } from "./rle-parse";
export { RleScratch } from "./rle-scratch";

/** Parsed runs: `starts` are 1-indexed column-major positions as in the string, `lengths` >= 1. */
export interface RleRuns {
  starts: Int32Array;
  lengths: Int32Array;
}

export interface DecodeOptions {
  /** Reuse this H*W buffer instead of allocating (it is cleared first). Hot loops should pass one. */
  out?: Uint8Array;
  /** Value written for defect pixels (default 1), e.g. the ClassId for a label map. */
  value?: number;
  /** Working arrays to reuse across calls (hot loops); a fresh one per call when absent. */
  scratch?: RleScratch;
}

/** Severstal image size. */
export const SEVERSTAL_HEIGHT = 256;
export const SEVERSTAL_WIDTH = 1600;

/** Validates `rle` for an H x W image and returns its runs; throws RleError (with a reason code). */
export function parseRleRuns(rle: string, height: number, width: number, scratch = new RleScratch()): RleRuns {
  checkSize(height, width);
  const n = scanRuns(scratch, rle, height, width);
  const starts = new Int32Array(n);
  for (let r = 0; r < n; r++) starts[r] = scratch.runStart[r] + 1;
  return { starts, lengths: scratch.runLen.slice(0, n) };
}

/** Throws RleError if `rle` is invalid for H x W; cheaper than parseRleRuns (no copies). */
export function validateRle(rle: string, height: number, width: number, scratch = new RleScratch()): void {
  checkSize(height, width);
  scanRuns(scratch, rle, height, width);
}

/** Number of defect pixels (= sum of run lengths; runs are validated non-overlapping, so = decoded count). */
export function rleArea(rle: string, height: number, width: number, scratch = new RleScratch()): number {
  checkSize(height, width);
  const n = scanRuns(scratch, rle, height, width);
  let a = 0;
  for (let r = 0; r < n; r++) a += scratch.runLen[r];
  return a;
}

/** The canonical form of a valid RLE: single spaces, touching runs merged ("1 2 3 4" → "1 6"). */
export function canonicalRle(rle: string, height: number, width: number, scratch = new RleScratch()): string {
  checkSize(height, width);
  const n = scanRuns(scratch, rle, height, width);
  return formatRuns(scratch, scratch.runStart, scratch.runLen, n);
}

/**
 * Decodes an RLE string into a row-major H*W mask (index y*W + x), 1 (or `opts.value`) = defect.
 * "" → all zeros. Throws RleError for invalid strings.
 */
export function decodeRle(rle: string, height: number, width: number, opts: DecodeOptions = {}): Uint8Array {
  checkSize(height, width);
  const total = height * width;
  const value = opts.value ?? 1;
  if (!Number.isInteger(value) || value < 1 || value > 255) throw new RangeError(`decodeRle: value must be an integer 1..255, got ${value}`);
  let out = opts.out;
  if (out && out.length !== total) throw new RangeError(`decodeRle: out has ${out.length} values, expected ${height}*${width} = ${total}`);
  const scratch = opts.scratch ?? new RleScratch();
  const n = scanRuns(scratch, rle, height, width);
  if (out) out.fill(0);
  else out = new Uint8Array(total);
  fillRuns(scratch, out, n, height, width, 1, 0, value);
  return out;
}

/**
 * Decodes one RLE per class into a channel-last H*W*C mask (index (y*W + x)*C + c), C = rles.length.
 * An RleError names the failing channel.
 */
export function decodeMasks(rles: readonly string[], height: number, width: number, scratch = new RleScratch()): Uint8Array {
  checkSize(height, width);
  const channels = rles.length;
  const out = new Uint8Array(height * width * channels);
  for (let c = 0; c < channels; c++) {
    let n: number;
    try {
      n = scanRuns(scratch, rles[c], height, width);
    } catch (e) {
      if (e instanceof RleError) throw new RleError(e.reason, `channel ${c}: ${e.message}`);
      throw e;
    }
    fillRuns(scratch, out, n, height, width, channels, c, 1);
  }
  return out;
}

/**
 * Encodes a row-major H*W mask (non-zero = defect) as canonical Severstal RLE: runs sorted,
 * touching runs merged, "" for an empty mask. Accepts any numeric array (Float32Array from a
 * thresholded prediction, number[], a 0/255 Uint8Array).
 */
export function encodeRle(mask: ArrayLike<number>, height: number, width: number, scratch = new RleScratch()): string {
  checkSize(height, width);
  const total = height * width;
  if (mask.length !== total) {
    throw new RangeError(`encodeRle: mask has ${mask.length} values, expected ${height}*${width} = ${total}`);
  }
  return encodeMaskRuns(scratch, mask, height, width);
}

/**
 * Encodes each channel of a channel-last H*W*C mask (index (y*W + x)*C + c) → C RLE strings.
 */
export function encodeMasks(mask: ArrayLike<number>, height: number, width: number, channels: number, scratch = new RleScratch()): string[] {
  checkSize(height, width);
  const total = height * width;
  if (!Number.isInteger(channels) || channels <= 0) throw new RangeError(`encodeMasks: channels must be a positive integer, got ${channels}`);
  if (mask.length !== total * channels) {
    throw new RangeError(`encodeMasks: mask has ${mask.length} values, expected ${height}*${width}*${channels} = ${total * channels}`);
  }
  if (channels === 1) return [encodeRle(mask, height, width, scratch)];
  if (scratch.channelBuf.length < total) scratch.channelBuf = new Uint8Array(total);
  const buf = scratch.channelBuf.subarray(0, total);
  const out: string[] = [];
  for (let c = 0; c < channels; c++) {
    for (let i = 0, j = c; i < total; i++, j += channels) buf[i] = mask[j] !== 0 ? 1 : 0;
    out.push(encodeRle(buf, height, width, scratch));
  }
  return out;
}
