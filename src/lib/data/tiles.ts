/**
 * Tiling of large images (Severstal 256×1600, GC10 1000×2048) into model-sized crops, and stitching
 * per-tile predictions back into one full-size map.
 *
 * Offsets follow a regular grid with stride `tile - minOverlap`; the remainder that does not fill a
 * whole stride is handled by overlap: the LAST tile is moved back to sit flush with the end. E.g.
 * length 1600, tile 256 → 0, 256, …, 1280, 1344 (7 tiles; the last two overlap by 192 px). Every
 * pixel is covered and no tile reaches outside the image, so no padding is ever needed.
 */
import { ImageData32 } from "./types";

/** Start offsets of tiles of size `tile` covering [0, length), the last one flush with the end. */
export function tileOffsets(length: number, tile: number, minOverlap = 0): number[] {
  if (!Number.isInteger(length) || !Number.isInteger(tile) || length <= 0 || tile <= 0) {
    throw new Error(`tileOffsets: length (${length}) and tile (${tile}) must be positive integers`);
  }
  if (tile > length) {
    throw new Error(`tileOffsets: tile ${tile} is larger than the image side ${length}; resize or pad the image first`);
  }
  if (!(minOverlap >= 0 && minOverlap < tile)) {
    throw new Error(`tileOffsets: minOverlap ${minOverlap} must be in [0, tile = ${tile})`);
  }
  const stride = tile - minOverlap;
  const out: number[] = [];
  for (let o = 0; o + tile < length; o += stride) out.push(o);
  out.push(length - tile);
  return out;
}

export interface TileOffset {
  y: number;
  x: number;
}

/** Crops [tileH, tileW, C] tiles in row-major tile order (y, then x). */
export function extractTiles(
  img: ImageData32,
  tileH: number,
  tileW: number,
  minOverlap = 0,
): { tiles: ImageData32[]; offsets: TileOffset[] } {
  const { height: H, width: W, channels: C, data } = img;
  const tiles: ImageData32[] = [];
  const offsets: TileOffset[] = [];
  for (const y of tileOffsets(H, tileH, minOverlap)) {
    for (const x of tileOffsets(W, tileW, minOverlap)) {
      const out = new Float32Array(tileH * tileW * C);
      const rowLen = tileW * C;
      for (let r = 0; r < tileH; r++) {
        const start = ((y + r) * W + x) * C;
        out.set(data.subarray(start, start + rowLen), r * rowLen);
      }
      tiles.push({ data: out, height: tileH, width: tileW, channels: C });
      offsets.push({ y, x });
    }
  }
  return { tiles, offsets };
}

/** A tile to stitch: an image, or a bare [tileH, tileW, C] array (e.g. `await t.data()` of a prediction). */
export type StitchTile = ImageData32 | Float32Array;

/**
 * Stitches tiles (images or per-tile predictions) into a [H, W, C] map; where tiles overlap the
 * values are averaged (a per-pixel count), so overlapping predictions blend instead of the last
 * tile winning. Bare Float32Array tiles need `tileH`/`tileW`. Throws if a pixel is left uncovered.
 */
export function stitchTiles(
  tiles: readonly StitchTile[],
  offsets: readonly TileOffset[],
  height: number,
  width: number,
  channels: number,
  tileH?: number,
  tileW?: number,
): Float32Array {
  if (tiles.length !== offsets.length) {
    throw new Error(`stitchTiles: ${tiles.length} tiles but ${offsets.length} offsets`);
  }
  const C = channels;
  // float64 sums: n equal float32 values sum exactly and n·a / n = a, so the identity stitches
  // back bit-exactly for any overlap (a float32 sum of 3 equal values can round).
  const sum = new Float64Array(height * width * C);
  const count = new Uint16Array(height * width);
  tiles.forEach((tile, i) => {
    const isArray = tile instanceof Float32Array;
    const th = isArray ? tileH : tile.height;
    const tw = isArray ? tileW : tile.width;
    const data = isArray ? tile : tile.data;
    if (th === undefined || tw === undefined) throw new Error("stitchTiles: bare Float32Array tiles need tileH and tileW");
    if (data.length !== th * tw * C) {
      throw new Error(`stitchTiles: tile ${i} has ${data.length} values, expected ${th}x${tw}x${C}`);
    }
    const { y, x } = offsets[i];
    if (y < 0 || x < 0 || y + th > height || x + tw > width) {
      throw new Error(`stitchTiles: tile ${i} at (${y}, ${x}) of size ${th}x${tw} lies outside ${height}x${width}`);
    }
    for (let r = 0; r < th; r++) {
      const rowPix = (y + r) * width + x;
      for (let c = 0; c < tw; c++) {
        const p = rowPix + c;
        count[p]++;
        const s = (r * tw + c) * C;
        const d = p * C;
        for (let k = 0; k < C; k++) sum[d + k] += data[s + k];
      }
    }
  });
  for (let p = 0; p < count.length; p++) {
    const n = count[p];
    if (n === 0) throw new Error(`stitchTiles: pixel (${Math.floor(p / width)}, ${p % width}) is covered by no tile`);
    if (n > 1) for (let k = 0; k < C; k++) sum[p * C + k] /= n;
  }
  return Float32Array.from(sum);
}
