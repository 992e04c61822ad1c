/**
 * Kaggle Severstal run-length encoding (RLE) codec.
 *
 * Format: space-separated pairs `start length`; `start` is a 1-indexed pixel position counted
 * column-major (top to bottom, then left to right), so position p (0-based) is
 * row = p % H, col = floor(p / H). A run may continue past the bottom of one column into the
 * top of the next. Masks here are row-major `Uint8Array`s of H*W (index y*W + x), 1 = defect,
 * because that is what image tensors ([H, W, C]) use.
 *
 * Why hand-rolled: a Severstal train.csv has 7,095 masks of 256x1600; decoding and re-encoding all
 * of them must stay well under a second (bench/rle.bench.ts measures it next to a naive codec).
 * Both directions run as wasm SIMD kernels (rle-kernels.ts, driven by rle-wasm.ts) when the engine
 * has them, else as JS; the two give identical results (the tests run both).
 *  - parsing: the string's bytes are scanned in one flat loop (no split/map/Number), in wasm or JS;
 *    only a bad string is re-read by the char-by-char scanner that words the error;
 *  - decode (wasm): the mask is built in wasm memory from per-column toggles turned into segments
 *    by XORing each row with the one above, only over the rows each 16-column strip has defects
 *    in; its rows with defects are copied out with one memcpy. JS: runs become column segments;
 *    large masks are built row by row (row y = row y-1 copied natively, plus the pixels that
 *    switch on/off at y), small ones by strided stores;
 *  - encode: never looks at pixels one by one. wasm: the mask is copied in with one memcpy, a scan
 *    compares each row with the one above 64 columns at a time and only rows where a run opens or
 *    closes get a closer look; the digits are written 8 at a time (SWAR). JS: rows are read as
 *    Float64 words (8 pixels per load), empty top/bottom rows are skipped with memcmp, and only
 *    words that differ from the row above are looked at byte by byte.
 *
 * Module-level scratch arrays (and the wasm memory) are grown lazily and reused between calls
 * (JS is single-threaded); nothing is allocated at import time.
 */
import { rleWasm } from "./rle-wasm";

/** Why an RLE string is invalid. */
export type RleReason = "odd-tokens" | "not-a-number" | "non-positive" | "past-end" | "unsorted" | "overlap";

/** Invalid RLE string; `reason` is a stable code, the message says which token/run and why. */
export class RleError extends Error {
  constructor(
    readonly reason: RleReason,
    message: string,
  ) {
    super(message);
    this.name = "RleError";
  }
}

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
}

/** Severstal image size. */
export const SEVERSTAL_HEIGHT = 256;
export const SEVERSTAL_WIDTH = 1600;

const MAX_PIXELS = 0x7fffffff;
const hasBuffer = typeof Buffer !== "undefined";
/** Node's buffer.isAscii (>= 18.15), looked up lazily-safe: undefined outside Node. */
const nodeIsAscii: ((input: Uint8Array) => boolean) | undefined = hasBuffer
  ? (require("buffer") as { isAscii?: (input: Uint8Array) => boolean }).isAscii
  : undefined;

// ---------------------------------------------------------------- scratch (grown lazily, reused)

/** Runs of the last scan: 0-based column-major start, length. */
let runStart = new Int32Array(0);
let runLen = new Int32Array(0);

function ensureRunCapacity(n: number): void {
  if (runStart.length >= n) return;
  const cap = Math.max(n, runStart.length * 2, 256);
  const s = new Int32Array(cap);
  const l = new Int32Array(cap);
  s.set(runStart);
  l.set(runLen);
  runStart = s;
  runLen = l;
}

function checkSize(height: number, width: number): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new RangeError(`RLE image size must be positive integers, got height=${height} width=${width}`);
  }
  if (height * width > MAX_PIXELS) {
    throw new RangeError(`RLE image ${height}x${width} has more than 2^31-1 pixels`);
  }
}

function isSep(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** UTF-8 bytes of the string being scanned (Node only). */
let scanBytes: Buffer | undefined;

/**
 * Parses and validates `rle` into the scratch run arrays; returns the number of runs.
 * Throws RleError with the first problem found, reading left to right.
 *
 * Fast path: the string is written as UTF-8 into a reused Buffer (a native copy for ASCII) and
 * scanned as bytes in one flat loop, ~2x faster than charCodeAt. Any non-ASCII character becomes
 * bytes >= 0x80 and is rejected like any other bad character. On any problem the exact scanner
 * re-reads the string to say precisely what is wrong.
 */
function scanRuns(rle: string, height: number, width: number): number {
  if (!hasBuffer) return scanRunsExact(rle, height, width);
  const cap = rle.length * 3;
  if (!scanBytes || scanBytes.length < cap) scanBytes = Buffer.allocUnsafe(Math.max(cap, 65536));
  const b = scanBytes;
  const n = b.write(rle, 0, cap, "utf8");
  const total = height * width;
  let v = 0;
  let inToken = false;
  let isStart = true; // the next completed token is a start
  let start = 0;
  let runs = 0;
  let prevEnd = 0; // 1-based exclusive end of the previous run
  for (let i = 0; i <= n; i++) {
    const c = i < n ? b[i] : 32;
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      v = v * 10 + d;
      inToken = true;
      continue;
    }
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return scanRunsExact(rle, height, width);
    if (!inToken) continue;
    inToken = false;
    if (v === 0) return scanRunsExact(rle, height, width);
    if (isStart) {
      start = v;
      isStart = false;
    } else {
      // Sorted and disjoint: start >= previous end (this also rules out "unsorted"); within the image.
      if (start < prevEnd || start + v - 1 > total) return scanRunsExact(rle, height, width);
      if (runs >= runStart.length) ensureRunCapacity(runs + 1);
      runStart[runs] = start - 1;
      runLen[runs] = v;
      runs++;
      prevEnd = start + v;
      isStart = true;
    }
    v = 0;
  }
  if (!isStart) return scanRunsExact(rle, height, width);
  return runs;
}

/** The reference scanner: char by char, throws an RleError naming the token or run at fault. */
function scanRunsExact(rle: string, height: number, width: number): number {
  const total = height * width;
  const n = rle.length;
  let i = 0;
  let tokens = 0;
  let runs = 0;
  let pendingStart = 0;
  let prevStart = 0; // 1-based
  let prevEnd = 0; // 1-based, exclusive
  for (;;) {
    while (i < n && isSep(rle.charCodeAt(i))) i++;
    if (i >= n) break;
    const tokStart = i;
    let c = rle.charCodeAt(i);
    const neg = c === 45; // '-'
    if (neg) i++;
    let v = 0;
    let digits = 0;
    while (i < n) {
      c = rle.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || (i < n && !isSep(c))) {
      let j = i;
      while (j < n && !isSep(rle.charCodeAt(j))) j++;
      throw new RleError(
        "not-a-number",
        `token ${tokens + 1} "${rle.slice(tokStart, j)}" is not an integer (RLE is "start length" pairs of positive integers)`,
      );
    }
    tokens++;
    const isStart = (tokens & 1) === 1;
    const runNo = (tokens + 1) >> 1;
    if (neg || v === 0) {
      throw new RleError(
        "non-positive",
        `run ${runNo}: ${isStart ? "start" : "length"} ${neg ? "-" : ""}${v} must be >= 1 (starts are 1-indexed)`,
      );
    }
    if (isStart) {
      pendingStart = v;
      continue;
    }
    const start = pendingStart;
    const end = start + v; // exclusive
    if (end - 1 > total) {
      throw new RleError(
        "past-end",
        `run ${runNo} (start ${start}, length ${v}) ends at pixel ${end - 1}, past the image end ${total} (${height}x${width}); wrong image size?`,
      );
    }
    if (runs > 0) {
      if (start < prevStart) {
        throw new RleError("unsorted", `run ${runNo} starts at ${start}, before the previous run's start ${prevStart}; runs must be sorted`);
      }
      if (start < prevEnd) {
        throw new RleError(
          "overlap",
          `run ${runNo} (start ${start}) overlaps the previous run (pixels ${prevStart}..${prevEnd - 1})`,
        );
      }
    }
    if (runs >= runStart.length) ensureRunCapacity(runs + 1);
    runStart[runs] = start - 1;
    runLen[runs] = v;
    runs++;
    prevStart = start;
    prevEnd = end;
  }
  if ((tokens & 1) === 1) {
    throw new RleError("odd-tokens", `odd number of tokens (${tokens}); RLE must be "start length" pairs`);
  }
  return runs;
}

/** Output bytes of formatRuns (ASCII digits and spaces). */
let textBuf = new Uint8Array(0);

/** "00".."99" as ASCII pairs: two digits per integer division when formatting. */
const TWO_DIGITS = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    t[2 * i] = 48 + Math.floor(i / 10);
    t[2 * i + 1] = 48 + (i % 10);
  }
  return t;
})();

/** Writes the decimal digits of `v` (0 <= v < 2^31) at `o`; returns the offset after them. */
function putInt(buf: Uint8Array, o: number, v: number): number {
  const end =
    o +
    (v >= 1e9 ? 10 : v >= 1e8 ? 9 : v >= 1e7 ? 8 : v >= 1e6 ? 7 : v >= 1e5 ? 6 : v >= 1e4 ? 5 : v >= 1e3 ? 4 : v >= 100 ? 3 : v >= 10 ? 2 : 1);
  let i = end;
  while (v >= 100) {
    const q = (v / 100) | 0;
    const r = (v - q * 100) << 1;
    buf[--i] = TWO_DIGITS[r + 1];
    buf[--i] = TWO_DIGITS[r];
    v = q;
  }
  if (v >= 10) {
    buf[--i] = TWO_DIGITS[(v << 1) + 1];
    buf[--i] = TWO_DIGITS[v << 1];
  } else {
    buf[--i] = 48 + v;
  }
  return end;
}

/**
 * Formats runs [0, n) of (0-based start, length), sorted, merging touching runs: the canonical
 * form. Digits are written into a byte buffer and decoded once (~3x faster than string += per run).
 */
function formatRuns(starts: Int32Array, lengths: Int32Array, n: number): string {
  if (n === 0) return "";
  // At most 2 numbers of <= 10 digits and 2 separators per run.
  const need = n * 22;
  if (textBuf.length < need) textBuf = new Uint8Array(Math.max(need, textBuf.length * 2, 4096));
  const buf = textBuf;
  let o = 0;
  let p = starts[0];
  let l = lengths[0];
  for (let r = 1; r <= n; r++) {
    if (r < n && starts[r] === p + l) {
      l += lengths[r];
      continue;
    }
    if (o > 0) buf[o++] = 32;
    o = putInt(buf, o, p + 1);
    buf[o++] = 32;
    o = putInt(buf, o, l);
    if (r < n) {
      p = starts[r];
      l = lengths[r];
    }
  }
  return decodeAscii(buf, o);
}

function decodeAscii(buf: Uint8Array, n: number): string {
  if (hasBuffer) return Buffer.from(buf.buffer, buf.byteOffset, n).toString("latin1");
  let s = "";
  for (let i = 0; i < n; i += 8192) s += String.fromCharCode.apply(null, Array.from(buf.subarray(i, Math.min(n, i + 8192))));
  return s;
}

/** Column segments of the last decode: column, first row, end row (exclusive); sorted by column. */
let segX = new Int32Array(0);
let segY0 = new Int32Array(0);
let segY1 = new Int32Array(0);
/** Row-bucketed toggle events for the row-copy decoder. */
let rowHead = new Int32Array(0);
let evX = new Int32Array(0);
let evOn = new Uint8Array(0);
let evNext = new Int32Array(0);

function growSegments(n: number): void {
  const cap = Math.max(n, segX.length * 2, 256);
  const x = new Int32Array(cap);
  const y0 = new Int32Array(cap);
  const y1 = new Int32Array(cap);
  x.set(segX);
  y0.set(segY0);
  y1.set(segY1);
  segX = x;
  segY0 = y0;
  segY1 = y1;
}

/**
 * Cuts the first `n` scratch runs into column segments (row = p % H, col = floor(p / H); a run
 * may span columns), merging touching segments of one column. Returns the segment count.
 */
function buildSegments(n: number, height: number): number {
  let ns = 0;
  for (let r = 0; r < n; r++) {
    const p = runStart[r];
    let len = runLen[r];
    let col = Math.floor(p / height);
    let row = p - col * height;
    while (len > 0) {
      const seg = len < height - row ? len : height - row;
      if (ns > 0 && segX[ns - 1] === col && segY1[ns - 1] === row) {
        segY1[ns - 1] = row + seg; // "1 2 3 4": touching runs in one column
      } else {
        if (ns >= segX.length) growSegments(ns + 1);
        segX[ns] = col;
        segY0[ns] = row;
        segY1[ns] = row + seg;
        ns++;
      }
      len -= seg;
      col++;
      row = 0;
    }
  }
  return ns;
}

/** Writes `value` down each segment into a channel-last H*W*C buffer (channel `c`): one strided store per pixel. */
function fillSegmentsStrided(out: Uint8Array, ns: number, width: number, channels: number, c: number, value: number): void {
  const rowStride = width * channels;
  for (let k = 0; k < ns; k++) {
    let idx = (segY0[k] * width + segX[k]) * channels + c;
    for (let y = segY0[k], y1 = segY1[k]; y < y1; y++) {
      out[idx] = value;
      idx += rowStride;
    }
  }
}

/**
 * Same result for a single-channel, zeroed H*W buffer, built row by row: row y is row y-1
 * (native copyWithin over the mask's column range) with the pixels whose state flips at y set or
 * cleared. Large masks (class 3/4 patches: tens of thousands of pixels over ~all 256 rows) cost
 * ~one native call per row instead of one JS store per pixel.
 */
function fillSegmentsByRows(out: Uint8Array, ns: number, height: number, width: number, value: number, yFirst: number, yEnd: number): void {
  if (rowHead.length < height) rowHead = new Int32Array(height);
  rowHead.fill(-1, 0, height);
  if (evX.length < 2 * ns) {
    const cap = Math.max(2 * ns, evX.length * 2, 512);
    evX = new Int32Array(cap);
    evOn = new Uint8Array(cap);
    evNext = new Int32Array(cap);
  }
  let ne = 0;
  for (let k = 0; k < ns; k++) {
    const x = segX[k];
    const y0 = segY0[k];
    evX[ne] = x;
    evOn[ne] = 1;
    evNext[ne] = rowHead[y0];
    rowHead[y0] = ne++;
    const y1 = segY1[k];
    if (y1 < height) {
      evX[ne] = x;
      evOn[ne] = 0;
      evNext[ne] = rowHead[y1];
      rowHead[y1] = ne++;
    }
  }
  const x0 = segX[0];
  const x1 = segX[ns - 1] + 1; // segments are sorted by column
  let active = 0;
  for (let y = yFirst; y < yEnd; y++) {
    const row = y * width;
    if (active > 0) out.copyWithin(row + x0, row - width + x0, row - width + x1);
    for (let e = rowHead[y]; e >= 0; e = evNext[e]) {
      if (evOn[e] === 1) {
        out[row + evX[e]] = value;
        active++;
      } else {
        out[row + evX[e]] = 0;
        active--;
      }
    }
  }
}

/** Writes `value` at the first `n` scratch runs into a zeroed channel-last H*W*C buffer (channel `c`). */
function fillRuns(out: Uint8Array, n: number, height: number, width: number, channels: number, c: number, value: number): void {
  if (n === 0) return;
  const ns = buildSegments(n, height);
  if (channels === 1) {
    let area = 0;
    let yFirst = height;
    let yEnd = 0;
    for (let k = 0; k < ns; k++) {
      area += segY1[k] - segY0[k];
      if (segY0[k] < yFirst) yFirst = segY0[k];
      if (segY1[k] > yEnd) yEnd = segY1[k];
    }
    // A native row copy costs about as much as ~48 JS stores (measured at 256x1600).
    if (area > 48 * (yEnd - yFirst)) {
      fillSegmentsByRows(out, ns, height, width, value, yFirst, yEnd);
      return;
    }
  }
  fillSegmentsStrided(out, ns, width, channels, c, value);
}

// ---------------------------------------------------------------- public: parse / decode

/** Validates `rle` for an H x W image and returns its runs; throws RleError (with a reason code). */
export function parseRleRuns(rle: string, height: number, width: number): RleRuns {
  checkSize(height, width);
  const n = scanRuns(rle, height, width);
  const starts = new Int32Array(n);
  for (let r = 0; r < n; r++) starts[r] = runStart[r] + 1;
  return { starts, lengths: runLen.slice(0, n) };
}

/** Throws RleError if `rle` is invalid for H x W; cheaper than parseRleRuns (no copies). */
export function validateRle(rle: string, height: number, width: number): void {
  checkSize(height, width);
  scanRuns(rle, height, width);
}

/** Number of defect pixels (= sum of run lengths; runs are validated non-overlapping, so = decoded count). */
export function rleArea(rle: string, height: number, width: number): number {
  checkSize(height, width);
  const n = scanRuns(rle, height, width);
  let a = 0;
  for (let r = 0; r < n; r++) a += runLen[r];
  return a;
}

/** The canonical form of a valid RLE: single spaces, touching runs merged ("1 2 3 4" → "1 6"). */
export function canonicalRle(rle: string, height: number, width: number): string {
  checkSize(height, width);
  const n = scanRuns(rle, height, width); // first: it may grow (replace) the scratch arrays
  return formatRuns(runStart, runLen, n);
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
  // wasm: parse and build in wasm memory, then copy out.
  const wasm = rleWasm(height, width);
  const nWasm = wasm ? wasm.parse(rle) : -1;
  if (wasm && nWasm >= 0) {
    const { mask, y0, y1 } = wasm.build(nWasm, value);
    // Only rows [y0, y1) hold defects: copy those, zero the rest (a fresh array already is).
    if (out && y0 < y1) {
      out.fill(0, 0, y0 * width);
      out.fill(0, y1 * width);
    } else if (out) {
      out.fill(0);
    } else {
      out = new Uint8Array(total);
    }
    if (y0 < y1) out.set(mask.subarray(y0 * width, y1 * width), y0 * width);
    return out;
  }
  // JS (also words the error of an invalid string).
  const n = scanRuns(rle, height, width);
  if (out) out.fill(0);
  else out = new Uint8Array(total);
  fillRuns(out, n, height, width, 1, 0, value);
  return out;
}

/**
 * Decodes one RLE per class into a channel-last H*W*C mask (index (y*W + x)*C + c), C = rles.length.
 * An RleError names the failing channel.
 */
export function decodeMasks(rles: readonly string[], height: number, width: number): Uint8Array {
  checkSize(height, width);
  const channels = rles.length;
  const out = new Uint8Array(height * width * channels);
  for (let c = 0; c < channels; c++) {
    let n: number;
    try {
      n = scanRuns(rles[c], height, width);
    } catch (e) {
      if (e instanceof RleError) throw new RleError(e.reason, `channel ${c}: ${e.message}`);
      throw e;
    }
    fillRuns(out, n, height, width, channels, c, 1);
  }
  return out;
}

// ---------------------------------------------------------------- encode

/** 0/1 copy of a mask that cannot be read in place (rows not 8-byte aligned, not a Uint8Array, or bytes >= 0x80). */
let padded = new Uint8Array(0);
/** Zeros to compare against (native memcmp). */
let zeros: Buffer | undefined;
/** Per-row bitmaps of non-zero 8-word blocks (ceil(blocks / 32) Int32 per row). */
let rowBits = new Int32Array(0);
/** Per-column state and per-column linked lists of closed runs (in row order). */
let openAt = new Int32Array(0);
let colHead = new Int32Array(0);
let colTail = new Int32Array(0);
let listY = new Int32Array(0);
let listLen = new Int32Array(0);
let listNext = new Int32Array(0);
let channelBuf = new Uint8Array(0);

function ensureColumns(width: number): void {
  if (openAt.length >= width) return;
  openAt = new Int32Array(width);
  colHead = new Int32Array(width);
  colTail = new Int32Array(width);
}

function growList(n: number): void {
  const cap = Math.max(n, listY.length * 2, 1024);
  const y = new Int32Array(cap);
  const l = new Int32Array(cap);
  const x = new Int32Array(cap);
  y.set(listY);
  l.set(listLen);
  x.set(listNext);
  listY = y;
  listLen = l;
  listNext = x;
}

/**
 * Byte-range questions about one mask. Under Node they go to native code (memcmp through one Buffer
 * view without per-call allocation, buffer.isAscii); elsewhere plain loops.
 */
class MaskBytes {
  private readonly buf: Buffer | undefined;
  constructor(readonly m: Uint8Array) {
    this.buf = hasBuffer ? Buffer.from(m.buffer, m.byteOffset, m.length) : undefined;
    if (this.buf && (!zeros || zeros.length < m.length)) zeros = Buffer.alloc(Math.max(m.length, 409600));
  }
  /** Whether bytes [from, to) are all zero. */
  zero(from: number, to: number): boolean {
    if (this.buf && zeros) return this.buf.compare(zeros, 0, to - from, from, to) === 0;
    for (let i = from; i < to; i++) if (this.m[i] !== 0) return false;
    return true;
  }
  /**
   * Whether bytes [from, to) are all < 0x80 (native SIMD check under Node). Then every Float64 word
   * of those bytes is finite and >= +0 (sign bit clear; an all-ones exponent would need byte 6 >= 0xF0),
   * so `!==` between words differs exactly when their bits do (no -0, no NaN) and a sum of words is 0
   * exactly when all are zero.
   */
  ascii(from: number, to: number): boolean {
    if (nodeIsAscii) return nodeIsAscii(this.m.subarray(from, to));
    for (let i = from; i < to; i++) if (this.m[i] >= 0x80) return false;
    return true;
  }
  /** First row in [lo, hi) holding a non-zero byte, or hi (rows of `stride` bytes). Binary search. */
  firstNonZeroRow(stride: number, lo: number, hi: number): number {
    if (this.zero(lo * stride, hi * stride)) return hi;
    // Invariant: rows [.., lo) are zero and some row in [lo, hi) is not.
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.zero(lo * stride, mid * stride)) lo = mid;
      else hi = mid;
    }
    return lo;
  }
  /** Last row in [lo, hi) holding a non-zero byte, given that row lo does. */
  lastNonZeroRow(stride: number, lo: number, hi: number): number {
    // Invariant: rows [hi, ..) are zero and row lo is not.
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.zero(mid * stride, hi * stride)) hi = mid;
      else lo = mid;
    }
    return lo;
  }
}

/** Copies `mask` as 0/1 into the padded scratch, rows of ceil(W/8)*8 bytes (zero padding), for the JS scan. */
function copyAsBinary(mask: ArrayLike<number>, height: number, width: number): Uint8Array {
  const stride = (width + 7) & ~7;
  const size = height * stride;
  if (padded.length < size) padded = new Uint8Array(size);
  const m8 = padded.subarray(0, size);
  m8.fill(0);
  for (let y = 0; y < height; y++) {
    const src = y * width;
    const dst = y * stride;
    // `!== 0`: any non-zero value (NaN included) is a defect; written as 1.
    for (let x = 0; x < width; x++) if (mask[src + x] !== 0) m8[dst + x] = 1;
  }
  return m8;
}

/**
 * Encodes a row-major H*W mask (non-zero = defect) as canonical Severstal RLE: runs sorted,
 * touching runs merged, "" for an empty mask. Accepts any numeric array (Float32Array from a
 * thresholded prediction, number[], a 0/255 Uint8Array).
 *
 * The mask is copied into wasm memory (one memcpy for a Uint8Array, else as 0/1), scanned and
 * formatted there (rle-kernels.ts); without wasm SIMD the JS scan below does the same job.
 */
export function encodeRle(mask: ArrayLike<number>, height: number, width: number): string {
  checkSize(height, width);
  const total = height * width;
  if (mask.length !== total) {
    throw new RangeError(`encodeRle: mask has ${mask.length} values, expected ${height}*${width} = ${total}`);
  }
  const wasm = rleWasm(height, width);
  if (!wasm) return encodeRleJs(mask, height, width);
  const input = wasm.scanInput();
  if (mask instanceof Uint8Array) input.set(mask);
  else copyAsBinaryTo(mask, input);
  const n = wasm.scan();
  return wasm.format(n) ?? formatRuns(wasm.scanStarts(), wasm.scanLengths(), n);
}

/** Writes `mask` as 0/1 into `dst` (`!== 0`: any non-zero value, NaN included, is a defect). */
function copyAsBinaryTo(mask: ArrayLike<number>, dst: Uint8Array): void {
  for (let i = 0, n = dst.length; i < n; i++) dst[i] = mask[i] !== 0 ? 1 : 0;
}

/**
 * The JS scan (no wasm SIMD, or an image too large for the wasm memory cap). An 8-byte-aligned
 * Uint8Array with width % 8 == 0 (Severstal's 1600) is read in place, anything else is first
 * copied as 0/1. Empty top/bottom rows are skipped with memcmp, then findRuns.
 */
function encodeRleJs(mask: ArrayLike<number>, height: number, width: number): string {
  const inPlace = mask instanceof Uint8Array && (width & 7) === 0 && (mask.byteOffset & 7) === 0;
  const stride = (width + 7) & ~7;
  let bytes = new MaskBytes(inPlace ? (mask as Uint8Array) : copyAsBinary(mask, height, width));
  // Only rows [y0, y1) hold defects: found with ~2 log2(H) memcmp calls, the rest is never scanned.
  const y0 = bytes.firstNonZeroRow(stride, 0, height);
  if (y0 === height) return "";
  const y1 = bytes.lastNonZeroRow(stride, y0, height) + 1;
  if (inPlace && !bytes.ascii(y0 * stride, y1 * stride)) {
    bytes = new MaskBytes(copyAsBinary(mask, height, width)); // e.g. a 0/255 mask: read a 0/1 copy
  }
  const n = findRuns(bytes.m, width, height, stride, y0, y1); // first: it may grow the scratch arrays
  return formatRuns(runStart, runLen, n);
}

/**
 * Finds the column-major runs of a row-major mask with 8-byte-aligned rows of `stride` bytes whose
 * non-zero rows all lie in [y0, y1) and whose bytes there are all < 0x80 (see MaskBytes.ascii);
 * leaves them (0-based starts, sorted) in the scratch run arrays and returns their count.
 *
 * A run in column x starts at row y where pixel (y, x) is set and (y-1, x) is not, and ends where
 * it flips back. Rows are read as Float64 words (8 pixels per load, the widest JS has) in blocks of
 * 8 words (64 pixels):
 *  1. one pass marks each row's non-zero blocks in a bitmap (a sum of non-negative words is 0 iff
 *     all are 0, so one branch per block);
 *  2. each pair of consecutive rows is compared only in blocks non-zero in either row, and only
 *     the words that differ are looked at byte by byte.
 * So a mask costs ~W/8 loads per row plus ~2 per word of defect blocks, not one look per pixel.
 */
function findRuns(m8: Uint8Array, width: number, height: number, stride: number, y0: number, y1: number): number {
  const words = new Float64Array(m8.buffer, m8.byteOffset, (height * stride) >> 3);
  const wpr = stride >> 3; // words per row
  const nBlocks = (wpr + 7) >> 3;
  const fullBlocks = wpr >> 3;
  const nChunks = (nBlocks + 31) >> 5; // 32 blocks per Int32 of the bitmap
  ensureColumns(width);
  colHead.fill(-1, 0, width);
  if (rowBits.length < height * nChunks) rowBits = new Int32Array(height * nChunks);

  for (let y = y0; y < y1; y++) {
    const base = y * wpr;
    for (let ch = 0; ch < nChunks; ch++) {
      let bits = 0;
      const end = Math.min(fullBlocks, (ch + 1) << 5);
      for (let blk = ch << 5; blk < end; blk++) {
        const a = base + (blk << 3);
        if (words[a] + words[a + 1] + (words[a + 2] + words[a + 3]) + (words[a + 4] + words[a + 5] + (words[a + 6] + words[a + 7])) !== 0) {
          bits |= 1 << (blk & 31);
        }
      }
      if (fullBlocks < nBlocks && fullBlocks >> 5 === ch) {
        // The last, partial block of a row.
        let sum = 0;
        for (let w = fullBlocks << 3; w < wpr; w++) sum += words[base + w];
        if (sum !== 0) bits |= 1 << (fullBlocks & 31);
      }
      rowBits[y * nChunks + ch] = bits;
    }
  }

  let nList = 0;
  for (let y = y0; y <= y1; y++) {
    // Boundary y compares row y-1 with row y; at y0 and y1 one side is outside [y0, y1) and all zero.
    const above = y > y0;
    const below = y < y1;
    for (let ch = 0; ch < nChunks; ch++) {
      let bits = (above ? rowBits[(y - 1) * nChunks + ch] : 0) | (below ? rowBits[y * nChunks + ch] : 0);
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const w0 = ((ch << 5) + 31 - Math.clz32(low)) << 3;
        const w1 = w0 + 8 < wpr ? w0 + 8 : wpr;
        if (above && below) nList = diffWords(words, m8, (y - 1) * wpr, y * wpr, w0, w1, y, nList);
        else nList = edgeWords(m8, (above ? y - 1 : y) * stride, w0, w1, y, below, nList);
      }
    }
  }

  // Emit in column-major order: column by column, each column's runs already in row order.
  ensureRunCapacity(nList);
  let n = 0;
  for (let x = 0; x < width; x++) {
    const base = x * height;
    for (let r = colHead[x]; r >= 0; r = listNext[r]) {
      runStart[n] = base + listY[r];
      runLen[n] = listLen[r];
      n++;
    }
  }
  return n;
}

/** Opens (open) or closes (!open) a run at row y for every set byte of words [w0, w1) of the row at byte `rowB`. */
function edgeWords(m8: Uint8Array, rowB: number, w0: number, w1: number, y: number, open: boolean, nList: number): number {
  for (let x = w0 << 3, end = w1 << 3; x < end; x++) {
    if (m8[rowB + x] === 0) continue;
    if (open) openAt[x] = y;
    else nList = closeRun(x, y, nList);
  }
  return nList;
}

/** Appends the run of column x that started at openAt[x] and ends (exclusive) at row y. */
function closeRun(x: number, y: number, nList: number): number {
  if (nList >= listY.length) growList(nList + 1);
  const y0 = openAt[x];
  listY[nList] = y0;
  listLen[nList] = y - y0;
  listNext[nList] = -1;
  if (colHead[x] < 0) colHead[x] = nList;
  else listNext[colTail[x]] = nList;
  colTail[x] = nList;
  return nList + 1;
}

/**
 * Words [w0, w1) of a row pair (above at word `aw`, below at `bw`): words that differ are looked at
 * byte by byte, and where the set/unset state flips a run opens (set below an unset pixel) or the
 * open run of that column closes. Exact because every byte is < 0x80 (checked by the caller): the
 * words are finite and >= +0, so `===` on them holds iff their bits are equal.
 */
function diffWords(words: Float64Array, m8: Uint8Array, aw: number, bw: number, w0: number, w1: number, y: number, nList: number): number {
  for (let w = w0; w < w1; w++) {
    if (words[aw + w] === words[bw + w]) continue;
    const aB = (aw + w) << 3;
    const bB = (bw + w) << 3;
    const x0 = w << 3;
    for (let k = 0; k < 8; k++) {
      const set = m8[bB + k] !== 0;
      if ((m8[aB + k] !== 0) === set) continue;
      if (set) openAt[x0 + k] = y;
      else nList = closeRun(x0 + k, y, nList);
    }
  }
  return nList;
}

/**
 * Encodes each channel of a channel-last H*W*C mask (index (y*W + x)*C + c) → C RLE strings.
 */
export function encodeMasks(mask: ArrayLike<number>, height: number, width: number, channels: number): string[] {
  checkSize(height, width);
  const total = height * width;
  if (!Number.isInteger(channels) || channels <= 0) throw new RangeError(`encodeMasks: channels must be a positive integer, got ${channels}`);
  if (mask.length !== total * channels) {
    throw new RangeError(`encodeMasks: mask has ${mask.length} values, expected ${height}*${width}*${channels} = ${total * channels}`);
  }
  if (channels === 1) return [encodeRle(mask, height, width)];
  if (channelBuf.length < total) channelBuf = new Uint8Array(total);
  const buf = channelBuf.subarray(0, total);
  const out: string[] = [];
  for (let c = 0; c < channels; c++) {
    for (let i = 0, j = c; i < total; i++, j += channels) buf[i] = mask[j] !== 0 ? 1 : 0;
    out.push(encodeRle(buf, height, width));
  }
  return out;
}
