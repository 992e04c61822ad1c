/**
 * The RLE encoder's scan: finds a row-major mask's column-major runs without looking at pixels
 * one by one (see findRuns).
 */
import { formatRuns } from "./rle-format";
import type { RleScratch } from "./rle-scratch";

const hasBuffer = typeof Buffer !== "undefined";
/** Node's buffer.isAscii (>= 18.15), looked up lazily-safe: undefined outside Node. */
const nodeIsAscii: ((input: Uint8Array) => boolean) | undefined = hasBuffer
  ? (require("buffer") as { isAscii?: (input: Uint8Array) => boolean }).isAscii
  : undefined;
/** Zeros to compare against (native memcmp); read only, so sharing it between calls is safe. */
let zeros: Buffer | undefined;

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

/** Copies `mask` as 0/1 into the scratch's `padded`, rows of ceil(W/8)*8 bytes (zero padding), for the JS scan. */
function copyAsBinary(s: RleScratch, mask: ArrayLike<number>, height: number, width: number): Uint8Array {
  const stride = (width + 7) & ~7;
  const size = height * stride;
  if (s.padded.length < size) s.padded = new Uint8Array(size);
  const m8 = s.padded.subarray(0, size);
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
 * Encodes a row-major H*W mask (non-zero = defect) as canonical RLE. An 8-byte-aligned
 * Uint8Array with width % 8 == 0 (Severstal's 1600) is read in place, anything else is first
 * copied as 0/1. Empty top/bottom rows are skipped with memcmp, then findRuns.
 */
export function encodeMaskRuns(s: RleScratch, mask: ArrayLike<number>, height: number, width: number): string {
  const inPlace = mask instanceof Uint8Array && (width & 7) === 0 && (mask.byteOffset & 7) === 0;
  const stride = (width + 7) & ~7;
  let bytes = new MaskBytes(inPlace ? (mask as Uint8Array) : copyAsBinary(s, mask, height, width));
  // Only rows [y0, y1) hold defects: found with ~2 log2(H) memcmp calls, the rest is never scanned.
  const y0 = bytes.firstNonZeroRow(stride, 0, height);
  if (y0 === height) return "";
  const y1 = bytes.lastNonZeroRow(stride, y0, height) + 1;
  if (inPlace && !bytes.ascii(y0 * stride, y1 * stride)) {
    bytes = new MaskBytes(copyAsBinary(s, mask, height, width)); // e.g. a 0/255 mask: read a 0/1 copy
  }
  const n = findRuns(s, bytes.m, width, height, stride, y0, y1); // first: it may grow the scratch arrays
  return formatRuns(s, s.runStart, s.runLen, n);
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
function findRuns(s: RleScratch, m8: Uint8Array, width: number, height: number, stride: number, y0: number, y1: number): number {
  const words = new Float64Array(m8.buffer, m8.byteOffset, (height * stride) >> 3);
  const wpr = stride >> 3; // words per row
  const nBlocks = (wpr + 7) >> 3;
  const fullBlocks = wpr >> 3;
  const nChunks = (nBlocks + 31) >> 5; // 32 blocks per Int32 of the bitmap
  s.ensureColumns(width);
  s.colHead.fill(-1, 0, width);
  if (s.rowBits.length < height * nChunks) s.rowBits = new Int32Array(height * nChunks);

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
      s.rowBits[y * nChunks + ch] = bits;
    }
  }

  let nList = 0;
  for (let y = y0; y <= y1; y++) {
    // Boundary y compares row y-1 with row y; at y0 and y1 one side is outside [y0, y1) and all zero.
    const above = y > y0;
    const below = y < y1;
    for (let ch = 0; ch < nChunks; ch++) {
      let bits = (above ? s.rowBits[(y - 1) * nChunks + ch] : 0) | (below ? s.rowBits[y * nChunks + ch] : 0);
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const w0 = ((ch << 5) + 31 - Math.clz32(low)) << 3;
        const w1 = w0 + 8 < wpr ? w0 + 8 : wpr;
        if (above && below) nList = diffWords(s, words, m8, (y - 1) * wpr, y * wpr, w0, w1, y, nList);
        else nList = edgeWords(s, m8, (above ? y - 1 : y) * stride, w0, w1, y, below, nList);
      }
    }
  }

  // Emit in column-major order: column by column, each column's runs already in row order.
  s.ensureRunCapacity(nList);
  let n = 0;
  for (let x = 0; x < width; x++) {
    const base = x * height;
    for (let r = s.colHead[x]; r >= 0; r = s.listNext[r]) {
      s.runStart[n] = base + s.listY[r];
      s.runLen[n] = s.listLen[r];
      n++;
    }
  }
  return n;
}

/** Opens (open) or closes (!open) a run at row y for every set byte of words [w0, w1) of the row at byte `rowB`. */
function edgeWords(s: RleScratch, m8: Uint8Array, rowB: number, w0: number, w1: number, y: number, open: boolean, nList: number): number {
  for (let x = w0 << 3, end = w1 << 3; x < end; x++) {
    if (m8[rowB + x] === 0) continue;
    if (open) s.openAt[x] = y;
    else nList = closeRun(s, x, y, nList);
  }
  return nList;
}

/** Appends the run of column x that started at openAt[x] and ends (exclusive) at row y. */
function closeRun(s: RleScratch, x: number, y: number, nList: number): number {
  if (nList >= s.listY.length) s.growList(nList + 1);
  const y0 = s.openAt[x];
  s.listY[nList] = y0;
  s.listLen[nList] = y - y0;
  s.listNext[nList] = -1;
  if (s.colHead[x] < 0) s.colHead[x] = nList;
  else s.listNext[s.colTail[x]] = nList;
  s.colTail[x] = nList;
  return nList + 1;
}

/**
 * Words [w0, w1) of a row pair (above at word `aw`, below at `bw`): words that differ are looked at
 * byte by byte, and where the set/unset state flips a run opens (set below an unset pixel) or the
 * open run of that column closes. Exact because every byte is < 0x80 (checked by the caller): the
 * words are finite and >= +0, so `===` on them holds iff their bits are equal.
 */
function diffWords(s: RleScratch, words: Float64Array, m8: Uint8Array, aw: number, bw: number, w0: number, w1: number, y: number, nList: number): number {
  for (let w = w0; w < w1; w++) {
    if (words[aw + w] === words[bw + w]) continue;
    const aB = (aw + w) << 3;
    const bB = (bw + w) << 3;
    const x0 = w << 3;
    for (let k = 0; k < 8; k++) {
      const set = m8[bB + k] !== 0;
      if ((m8[aB + k] !== 0) === set) continue;
      if (set) s.openAt[x0 + k] = y;
      else nList = closeRun(s, x0 + k, y, nList);
    }
  }
  return nList;
}

