/**
 * Working arrays of the RLE codec (rle.ts). A caller that decodes or encodes many masks in a loop
 * passes one `RleScratch` to every call so the arrays are grown once and reused; a call given
 * none allocates its own. Nothing here carries meaning from one call to the next: every call
 * writes what it reads, so calls may come in any order.
 */
export class RleScratch {
  /** Parsed runs: 0-based column-major start, length. */
  runStart = new Int32Array(0);
  runLen = new Int32Array(0);
  /** UTF-8 bytes of the string being scanned (Node only). */
  scanBytes: Buffer | undefined;
  /** Output bytes of the formatter (ASCII digits and spaces). */
  textBuf = new Uint8Array(0);
  /** Column segments of a decode: column, first row, end row (exclusive); sorted by column. */
  segX = new Int32Array(0);
  segY0 = new Int32Array(0);
  segY1 = new Int32Array(0);
  /** Row-bucketed toggle events of the row-copy decoder. */
  rowHead = new Int32Array(0);
  evX = new Int32Array(0);
  evOn = new Uint8Array(0);
  evNext = new Int32Array(0);
  /** 0/1 copy of a mask that cannot be read in place (rows not 8-byte aligned, not a Uint8Array, or bytes >= 0x80). */
  padded = new Uint8Array(0);
  /** Per-row bitmaps of non-zero 8-word blocks (ceil(blocks / 32) Int32 per row). */
  rowBits = new Int32Array(0);
  /** Per-column state and per-column linked lists of closed runs (in row order). */
  openAt = new Int32Array(0);
  colHead = new Int32Array(0);
  colTail = new Int32Array(0);
  listY = new Int32Array(0);
  listLen = new Int32Array(0);
  listNext = new Int32Array(0);
  /** One channel of a multi-channel mask, as 0/1. */
  channelBuf = new Uint8Array(0);

  ensureRunCapacity(n: number): void {
    if (this.runStart.length >= n) return;
    const cap = Math.max(n, this.runStart.length * 2, 256);
    this.runStart = grown(this.runStart, cap);
    this.runLen = grown(this.runLen, cap);
  }

  growSegments(n: number): void {
    const cap = Math.max(n, this.segX.length * 2, 256);
    this.segX = grown(this.segX, cap);
    this.segY0 = grown(this.segY0, cap);
    this.segY1 = grown(this.segY1, cap);
  }

  ensureEvents(height: number, n: number): void {
    if (this.rowHead.length < height) this.rowHead = new Int32Array(height);
    if (this.evX.length >= n) return;
    const cap = Math.max(n, this.evX.length * 2, 512);
    this.evX = new Int32Array(cap);
    this.evOn = new Uint8Array(cap);
    this.evNext = new Int32Array(cap);
  }

  ensureColumns(width: number): void {
    if (this.openAt.length >= width) return;
    this.openAt = new Int32Array(width);
    this.colHead = new Int32Array(width);
    this.colTail = new Int32Array(width);
  }

  growList(n: number): void {
    const cap = Math.max(n, this.listY.length * 2, 1024);
    this.listY = grown(this.listY, cap);
    this.listLen = grown(this.listLen, cap);
    this.listNext = grown(this.listNext, cap);
  }
}

/** A copy of `a` with room for `cap` values. */
function grown(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}
