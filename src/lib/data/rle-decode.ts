/**
 * Mask building from parsed runs (rle-parse.ts): runs become column segments, written into a
 * zeroed buffer either by strided stores or, for large single-channel masks, row by row.
 */
import type { RleScratch } from "./rle-scratch";

/**
 * Cuts the first `n` scratch runs into column segments (row = p % H, col = floor(p / H); a run
 * may span columns), merging touching segments of one column. Returns the segment count.
 */
function buildSegments(s: RleScratch, n: number, height: number): number {
  let ns = 0;
  for (let r = 0; r < n; r++) {
    const p = s.runStart[r];
    let len = s.runLen[r];
    let col = Math.floor(p / height);
    let row = p - col * height;
    while (len > 0) {
      const seg = len < height - row ? len : height - row;
      if (ns > 0 && s.segX[ns - 1] === col && s.segY1[ns - 1] === row) {
        s.segY1[ns - 1] = row + seg; // "1 2 3 4": touching runs in one column
      } else {
        if (ns >= s.segX.length) s.growSegments(ns + 1);
        s.segX[ns] = col;
        s.segY0[ns] = row;
        s.segY1[ns] = row + seg;
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
function fillSegmentsStrided(s: RleScratch, out: Uint8Array, ns: number, width: number, channels: number, c: number, value: number): void {
  const { segX, segY0, segY1 } = s;
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
function fillSegmentsByRows(s: RleScratch, out: Uint8Array, ns: number, height: number, width: number, value: number, yFirst: number, yEnd: number): void {
  s.ensureEvents(height, 2 * ns);
  const { segX, segY0, segY1, rowHead, evX, evOn, evNext } = s;
  rowHead.fill(-1, 0, height);
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
export function fillRuns(s: RleScratch, out: Uint8Array, n: number, height: number, width: number, channels: number, c: number, value: number): void {
  if (n === 0) return;
  const ns = buildSegments(s, n, height);
  if (channels === 1) {
    let area = 0;
    let yFirst = height;
    let yEnd = 0;
    for (let k = 0; k < ns; k++) {
      area += s.segY1[k] - s.segY0[k];
      if (s.segY0[k] < yFirst) yFirst = s.segY0[k];
      if (s.segY1[k] > yEnd) yEnd = s.segY1[k];
    }
    // A native row copy costs about as much as ~48 JS stores (measured at 256x1600).
    if (area > 48 * (yEnd - yFirst)) {
      fillSegmentsByRows(s, out, ns, height, width, value, yFirst, yEnd);
      return;
    }
  }
  fillSegmentsStrided(s, out, ns, width, channels, c, value);
}
