import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import {
  RleError,
  RleScratch,
  canonicalRle,
  decodeMasks,
  decodeRle,
  encodeMasks,
  encodeRle,
  parseRleRuns,
  rleArea,
  validateRle,
} from "../../src/lib/data/rle";
import { createRng, Rng } from "../../src/lib/util/rng";
import { projectPaths } from "../../src/lib/config/paths";

// ------------------------------------------------------------------ independent references

/** Obviously-correct encoder: every pixel in column-major order (x outer, y inner), 1-based positions. */
function naiveEncode(mask: ArrayLike<number>, h: number, w: number): string {
  const parts: string[] = [];
  let start = -1;
  let len = 0;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      if (mask[y * w + x] === 0) continue;
      const p = x * h + y + 1;
      if (len > 0 && start + len === p) len++;
      else {
        if (len > 0) parts.push(`${start} ${len}`);
        start = p;
        len = 1;
      }
    }
  }
  if (len > 0) parts.push(`${start} ${len}`);
  return parts.join(" ");
}

/** Obviously-correct decoder: split, then pixel by pixel, 1-based p → (row (p-1) % h, col floor((p-1) / h)). */
function naiveDecode(rle: string, h: number, w: number): Uint8Array {
  const m = new Uint8Array(h * w);
  const t = rle.trim() === "" ? [] : rle.trim().split(/\s+/).map(Number);
  for (let i = 0; i < t.length; i += 2) {
    for (let p = t[i]; p < t[i] + t[i + 1]; p++) m[((p - 1) % h) * w + Math.floor((p - 1) / h)] = 1;
  }
  return m;
}

function binarize(m: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(m, (v) => (v !== 0 ? 1 : 0));
}

function rleReason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RleError, `expected RleError, got ${e}`);
    return e.reason;
  }
  assert.fail("expected an RleError");
}

// ------------------------------------------------------------------ hand-computed cases

/*
 * A 4-row x 3-column image (H=4, W=3). Column-major 1-based positions p, and the row-major index
 * y*3 + x of each pixel:
 *
 *          x=0      x=1      x=2
 *   y=0   p1 [0]   p5 [1]   p9  [2]
 *   y=1   p2 [3]   p6 [4]   p10 [5]
 *   y=2   p3 [6]   p7 [7]   p11 [8]
 *   y=3   p4 [9]   p8 [10]  p12 [11]
 */
const H4 = 4;
const W3 = 3;
function maskFrom(indices: number[], n = H4 * W3): Uint8Array {
  const m = new Uint8Array(n);
  for (const i of indices) m[i] = 1;
  return m;
}

test("decode: hand-computed runs on a 4x3 image", () => {
  // "2 2" = p2, p3 = (y1,x0), (y2,x0) → indices 3, 6.
  assert.deepEqual(decodeRle("2 2", H4, W3), maskFrom([3, 6]));
  // "3 4" = p3..p6 spans the column boundary: (y2,x0) (y3,x0) | (y0,x1) (y1,x1) → 6, 9, 1, 4.
  assert.deepEqual(decodeRle("3 4", H4, W3), maskFrom([6, 9, 1, 4]));
  // The full-image run.
  assert.deepEqual(decodeRle("1 12", H4, W3), new Uint8Array(12).fill(1));
  // Several runs: p1 → 0; p8, p9 → 10, 2 (across the boundary); p12 → 11.
  assert.deepEqual(decodeRle("1 1 8 2 12 1", H4, W3), maskFrom([0, 10, 2, 11]));
  // Empty and whitespace-only strings are all-zero masks.
  assert.deepEqual(decodeRle("", H4, W3), new Uint8Array(12));
  assert.deepEqual(decodeRle("  ", H4, W3), new Uint8Array(12));
  // Extra whitespace between tokens is accepted.
  assert.deepEqual(decodeRle(" 2  2 ", H4, W3), maskFrom([3, 6]));
});

test("encode: hand-computed canonical strings on a 4x3 image", () => {
  /*
   * Row-major mask      column-major walk: x0: y0,y1 → p1,p2; x1: y2,y3 → p7,p8; x2: y0 → p9, y3 → p12
   *   1 0 1             p7,p8,p9 are consecutive (the run crosses into column 2) → "1 2 7 3 12 1"
   *   1 0 0
   *   0 1 0
   *   0 1 1
   */
  const m = Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 1]);
  assert.equal(encodeRle(m, H4, W3), "1 2 7 3 12 1");
  assert.equal(encodeRle(new Uint8Array(12), H4, W3), "");
  assert.equal(encodeRle(new Uint8Array(12).fill(1), H4, W3), "1 12");
  // Any non-zero value is a defect, whatever the array type.
  assert.equal(encodeRle([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2.5], H4, W3), "12 1");
  assert.equal(encodeRle(Float32Array.from([1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 1]), H4, W3), "1 2 7 3 12 1");
  // Touching runs are merged: "1 2 3 1" is p1..p3 → canonical "1 3".
  assert.equal(encodeRle(decodeRle("1 2 3 1", H4, W3), H4, W3), "1 3");
  assert.equal(canonicalRle("1 2 3 1", H4, W3), "1 3");
  assert.equal(canonicalRle("  1 1   5 2 ", H4, W3), "1 1 5 2");
});

function encodeExactBytes(): void {
  // H=2, W=8 (width % 8 == 0: the in-place path). Byte 7 = 0x80 with bytes 0..6 zero is the
  // bit pattern of -0.0, which compares equal to +0.0: it must still be found.
  // (y0, x7) → p = 7*2 + 0 + 1 = 15.
  const m = new Uint8Array(16);
  m[7] = 0x80;
  assert.equal(encodeRle(m, 2, 8), "15 1");
  // (y1, x7) too → p15, p16 → "15 2"; then (y1, x0) → p2.
  m[15] = 0x80;
  m[8] = 255;
  assert.equal(encodeRle(m, 2, 8), "2 1 15 2");
  // A misaligned view (byteOffset 1) of the same bytes gives the same answer.
  const backing = new Uint8Array(17);
  backing.set(m, 1);
  assert.equal(encodeRle(backing.subarray(1), 2, 8), "2 1 15 2");
}
test("encode reads bytes exactly, including values that alias -0 as a Float64 word", encodeExactBytes);

test("decode options: value and a reused output buffer (cleared first)", () => {
  const out = new Uint8Array(12).fill(9);
  const m = decodeRle("2 2", H4, W3, { out, value: 3 });
  assert.equal(m, out);
  assert.deepEqual(Array.from(m), [0, 0, 0, 3, 0, 0, 3, 0, 0, 0, 0, 0]);
  assert.throws(() => decodeRle("1 1", H4, W3, { out: new Uint8Array(11) }), RangeError);
  assert.throws(() => encodeRle(new Uint8Array(11), H4, W3), RangeError);
  assert.throws(() => decodeRle("1 1", 0, 3), RangeError);
});

test("parseRleRuns returns the runs; rleArea is their total length", () => {
  const r = parseRleRuns("1 2 7 3 12 1", H4, W3);
  assert.deepEqual(Array.from(r.starts), [1, 7, 12]);
  assert.deepEqual(Array.from(r.lengths), [2, 3, 1]);
  assert.equal(rleArea("1 2 7 3 12 1", H4, W3), 6);
  assert.equal(rleArea("", H4, W3), 0);
});

function everyReasonCode(): void {
  assert.equal(rleReason(() => decodeRle("1 2 3", H4, W3)), "odd-tokens");
  assert.equal(rleReason(() => decodeRle("1 a", H4, W3)), "not-a-number");
  assert.equal(rleReason(() => decodeRle("1.5 2", H4, W3)), "not-a-number");
  assert.equal(rleReason(() => decodeRle("1 2x", H4, W3)), "not-a-number");
  assert.equal(rleReason(() => decodeRle("1e1 2", H4, W3)), "not-a-number");
  assert.equal(rleReason(() => decodeRle("- 2", H4, W3)), "not-a-number");
  assert.equal(rleReason(() => decodeRle("0 2", H4, W3)), "non-positive");
  assert.equal(rleReason(() => decodeRle("1 0", H4, W3)), "non-positive");
  assert.equal(rleReason(() => decodeRle("-3 2", H4, W3)), "non-positive");
  // 12 pixels: "12 1" ends at 12 (fine), "11 3" ends at 13, "13 1" starts past the end.
  assert.doesNotThrow(() => validateRle("12 1", H4, W3));
  assert.equal(rleReason(() => decodeRle("11 3", H4, W3)), "past-end");
  assert.equal(rleReason(() => decodeRle("13 1", H4, W3)), "past-end");
  assert.equal(rleReason(() => decodeRle("5 1 1 1", H4, W3)), "unsorted");
  assert.equal(rleReason(() => decodeRle("1 3 2 1", H4, W3)), "overlap");
  assert.equal(rleReason(() => decodeRle("4 2 4 1", H4, W3)), "overlap");
  // Touching runs are valid (only not canonical).
  assert.doesNotThrow(() => validateRle("1 2 3 1", H4, W3));
  // The same checks guard every entry point.
  assert.equal(rleReason(() => parseRleRuns("1 2 3", H4, W3)), "odd-tokens");
  assert.equal(rleReason(() => rleArea("1 3 2 1", H4, W3)), "overlap");
  assert.equal(rleReason(() => canonicalRle("x", H4, W3)), "not-a-number");
  // Messages say where: the run number and values.
  assert.throws(() => decodeRle("1 1 5 1 3 1", H4, W3), /run 3 starts at 3, before the previous run's start 5/);
  assert.throws(() => decodeRle("1 2 11 3", H4, W3), /run 2 \(start 11, length 3\) ends at pixel 13, past the image end 12 \(4x3\)/);
  assert.throws(() => decodeRle("1 2 3 abc", H4, W3), /token 4 "abc"/);
}
test("validation: every reason code, with the run or token named", everyReasonCode);

/** Reference validator written from the format rules: first problem reading left to right, or null. */
function refReason(rle: string, h: number, w: number): string | null {
  const toks = rle.split(/[ \t\r\n]+/).filter((t) => t !== "");
  let prevStart = 0;
  let prevEnd = 0;
  let runs = 0;
  for (let i = 0; i < toks.length; i++) {
    if (!/^-?[0-9]+$/.test(toks[i])) return "not-a-number";
    const v = Number(toks[i]);
    if (v <= 0) return "non-positive";
    if (i % 2 === 1) {
      const start = Number(toks[i - 1]);
      if (start + v - 1 > h * w) return "past-end";
      if (runs > 0 && start < prevStart) return "unsorted";
      if (runs > 0 && start < prevEnd) return "overlap";
      prevStart = start;
      prevEnd = start + v;
      runs++;
    }
  }
  return toks.length % 2 === 1 ? "odd-tokens" : null;
}

test("validation agrees with a reference validator on many random, mostly broken strings", () => {
  const rng = createRng(42, "test/rle/fuzz");
  const seen = new Set<string>();
  for (let i = 0; i < 4000; i++) {
    const h = rng.int(1, 20);
    const w = rng.int(1, 20);
    // Start from a valid sorted RLE, then maybe break some tokens.
    const toks: string[] = [];
    let p = 1;
    while (rng.next() < 0.8) {
      p += rng.int(0, 6);
      const len = rng.int(1, 6);
      toks.push(String(p), String(len));
      p += len;
    }
    for (let k = rng.int(0, 3); k > 0; k--) {
      const junk = rng.pick(["0", "-3", "-0", "1.5", "x", "1e2", "\uff11", "99999999999999", String(h * w), String(h * w + 1), "007", "-", "+4"]);
      const at = rng.int(0, toks.length + 1);
      if (rng.bool()) toks.splice(at, 0, junk);
      else if (toks.length) toks[Math.min(at, toks.length - 1)] = junk;
    }
    let text = "";
    for (const t of toks) text += rng.pick([" ", " ", "  ", "\t", "\r\n"]) + t;
    if (rng.bool(0.05)) text += "\u00a0";
    const expected = refReason(text, h, w);
    let got: string | null = null;
    try {
      validateRle(text, h, w);
    } catch (e) {
      assert.ok(e instanceof RleError, String(e));
      got = e.reason;
    }
    assert.equal(got, expected, `${JSON.stringify(text)} at ${h}x${w}`);
    seen.add(String(expected));
    // decodeRle (the loader's path) must accept and reject exactly the same strings.
    let decoded: Uint8Array | undefined;
    try {
      decoded = decodeRle(text, h, w);
    } catch (e) {
      assert.ok(e instanceof RleError, String(e));
      assert.equal(e.reason, expected, `decodeRle ${JSON.stringify(text)} at ${h}x${w}`);
    }
    if (decoded) {
      assert.equal(expected, null, `decodeRle accepted ${JSON.stringify(text)}`);
      assert.deepEqual(decoded, naiveDecode(text, h, w));
    }
  }
  // The fuzzer reached every outcome.
  assert.deepEqual([...seen].sort(), ["non-positive", "not-a-number", "null", "odd-tokens", "overlap", "past-end", "unsorted"]);
});

// ------------------------------------------------------------------ real data

test("the first real Kaggle row decodes at 256x1600 and re-encodes to itself", (t) => {
  const file = path.join(projectPaths().sharedData, "severstal-samples", "train.csv");
  if (!fs.existsSync(file)) return t.skip(`${file} not present`);
  const [header, first] = fs.readFileSync(file, "utf8").split("\n");
  assert.equal(header.trim(), "ImageId,ClassId,EncodedPixels");
  const [imageId, classId, rle] = first.trim().split(",");
  assert.equal(imageId, "002fc4e19.jpg");
  assert.equal(classId, "1");
  const tokens = rle.split(" ").map(Number);
  const lengthSum = tokens.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0);
  const m = decodeRle(rle, 256, 1600);
  assert.equal(m.reduce((a, b) => a + b, 0), lengthSum);
  assert.equal(encodeRle(m, 256, 1600), rle);
  assert.deepEqual(m, naiveDecode(rle, 256, 1600));
  // The first run "146021 3": p-1 = 146020 = 570*256 + 100 → column 570, rows 100..102.
  assert.equal(tokens[0], 146021);
  for (const y of [100, 101, 102]) assert.equal(m[y * 1600 + 570], 1, `row ${y}`);
  assert.equal(m[99 * 1600 + 570], 0);
});

// ------------------------------------------------------------------ random round trips

/** A random mask with structure (blobs, lines, speckle) so runs span columns and rows repeat. */
function randomMask(rng: Rng, h: number, w: number): Uint8Array {
  const m = new Uint8Array(h * w);
  const kind = rng.int(0, 5);
  if (kind === 0) {
    const p = rng.next();
    for (let i = 0; i < m.length; i++) if (rng.next() < p) m[i] = rng.int(1, 256);
  } else if (kind === 1 || kind === 2) {
    for (let b = rng.int(1, 4); b > 0; b--) {
      const cy = rng.uniform(0, h);
      const cx = rng.uniform(0, w);
      const ry = rng.uniform(0.5, h);
      const rx = rng.uniform(0.5, w / 2);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) if (((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 < 1) m[y * w + x] = 1;
      }
    }
  } else if (kind === 3) {
    // Full-height bands with ragged ends, like class 4.
    let top = rng.int(0, h);
    for (let x = rng.int(0, w); x < w && rng.next() < 0.97; x++) {
      top = Math.max(0, Math.min(h - 1, top + rng.int(-1, 2)));
      for (let y = top; y < h; y++) m[y * w + x] = 1;
    }
  } else {
    // Thin slanted lines.
    for (let l = rng.int(1, 4); l > 0; l--) {
      const a = rng.uniform(0, Math.PI);
      const cy = rng.uniform(0, h);
      const cx = rng.uniform(0, w);
      for (let t = -w; t <= w; t += 0.5) {
        const y = Math.round(cy + t * Math.sin(a));
        const x = Math.round(cx + t * Math.cos(a));
        if (y >= 0 && y < h && x >= 0 && x < w) m[y * w + x] = 1;
      }
    }
  }
  return m;
}

function roundTripRandomMasks(): void {
  const rng = createRng(42, "test/rle/roundtrip");
  for (let i = 0; i < 1500; i++) {
    // Small odd sizes (padded copy path), widths that are multiples of 8 (in-place path), and
    // wide masks where decode builds rows with native copies.
    const h = rng.int(1, 40);
    const w = rng.pick([rng.int(1, 70), 8 * rng.int(1, 12), rng.int(60, 300)]);
    const m = randomMask(rng, h, w);
    const ref = naiveEncode(m, h, w);
    const got = encodeRle(m, h, w);
    assert.equal(got, ref, `mask ${i} (${h}x${w})`);
    assert.deepEqual(decodeRle(ref, h, w), binarize(m), `decode mask ${i}`);
    assert.equal(rleArea(ref, h, w), binarize(m).reduce((a, b) => a + b, 0));
    // A valid but non-canonical spelling of the same runs (every run split into two touching
    // runs) decodes to the same mask and re-encodes to the canonical string.
    const t = ref === "" ? [] : ref.split(" ").map(Number);
    const split: number[] = [];
    for (let k = 0; k < t.length; k += 2) {
      if (t[k + 1] > 1) split.push(t[k], 1, t[k] + 1, t[k + 1] - 1);
      else split.push(t[k], t[k + 1]);
    }
    const splitRle = split.join("  ");
    assert.deepEqual(decodeRle(splitRle, h, w), binarize(m), `decode split mask ${i}`);
    assert.equal(canonicalRle(splitRle, h, w), ref);
  }
}
test("round trip on many seeded random masks against the naive reference codec", roundTripRandomMasks);

function roundTripWideMasks(): void {
  const rng = createRng(42, "test/rle/wide");
  for (let i = 0; i < 20; i++) {
    const h = rng.int(1, 12);
    const w = rng.pick([2048, 2056, 4100, 8 * rng.int(257, 600)]);
    const m = randomMask(rng, h, w);
    const ref = naiveEncode(m, h, w);
    assert.equal(encodeRle(m, h, w), ref, `mask ${i} (${h}x${w})`);
    assert.deepEqual(decodeRle(ref, h, w), binarize(m), `decode mask ${i}`);
  }
}
test("round trip on very wide masks (rows of more than 32 64-pixel blocks)", roundTripWideMasks);

function roundTripFullSize(): void {
  const rng = createRng(42, "test/rle/full");
  const out = new Uint8Array(256 * 1600);
  for (let i = 0; i < 8; i++) {
    const m = randomMask(rng, 256, 1600);
    const ref = naiveEncode(m, 256, 1600);
    assert.equal(encodeRle(m, 256, 1600), ref, `mask ${i}`);
    assert.deepEqual(decodeRle(ref, 256, 1600, { out }), binarize(m), `decode mask ${i}`);
  }
}
test("round trip on full-size 256x1600 masks", roundTripFullSize);

// ------------------------------------------------------------------ edge sizes and value types

/** Masks that stress the edges: empty, full, speckle, 0/255, arbitrary bytes, last row/column, corners. */
function edgeMasks(rng: Rng, h: number, w: number): Uint8Array[] {
  const n = h * w;
  const masks = [new Uint8Array(n), new Uint8Array(n).fill(1), new Uint8Array(n).fill(255)];
  const speckle = new Uint8Array(n);
  const bytes = new Uint8Array(n);
  const zeroOr255 = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    speckle[i] = rng.next() < 0.3 ? 1 : 0;
    bytes[i] = rng.next() < 0.5 ? rng.int(0, 256) : 0;
    zeroOr255[i] = rng.next() < 0.5 ? 255 : 0;
  }
  const lastRowCol = new Uint8Array(n);
  for (let x = 0; x < w; x++) lastRowCol[(h - 1) * w + x] = 1;
  for (let y = 0; y < h; y++) lastRowCol[y * w + w - 1] = 1;
  const corners = new Uint8Array(n);
  corners[0] = 1;
  corners[n - 1] = 7;
  corners[w - 1] = 1;
  corners[(h - 1) * w] = 1;
  masks.push(speckle, bytes, zeroOr255, lastRowCol, corners, randomMask(rng, h, w), randomMask(rng, h, w));
  return masks;
}

/** Image sizes around the encoder's 8-pixel words and 64-pixel blocks (and the former wasm kernels' 16/64-column strips). */
const EDGE_SIZES: Array<[number, number]> = [
  [1, 1], [1, 17], [17, 1], [1, 1600], [3, 5], [5, 15], [5, 16], [5, 17], [7, 13], [8, 63],
  [9, 64], [9, 65], [16, 100], [23, 127], [2, 129], [33, 200], [256, 1600], [255, 1601],
];

test("encode agrees with the naive encoder (odd sizes, value types)", () => {
  const rng = createRng(42, "test/rle/paths-encode");
  for (const [h, w] of EDGE_SIZES) {
    for (const [k, m] of edgeMasks(rng, h, w).entries()) {
      const ref = naiveEncode(m, h, w);
      const at = `${h}x${w} mask ${k}`;
      // A view at an odd byte offset, a Float32Array with -0 / NaN / fractions, a plain array.
      const backing = new Uint8Array(m.length + 1);
      backing.set(m, 1);
      const f32 = Float32Array.from(m, (v, i) => (v === 0 ? (i % 3 === 0 ? -0 : 0) : i % 5 === 0 ? NaN : v / 256));
      assert.equal(encodeRle(m, h, w), ref, at);
      assert.equal(encodeRle(backing.subarray(1), h, w), ref, `${at} offset view`);
      assert.equal(encodeRle(f32, h, w), ref, `${at} Float32Array`);
      if (m.length <= 4096) assert.equal(encodeRle(Array.from(m), h, w), ref, `${at} number[]`);
    }
  }
});

test("decode agrees with the naive codec, and a reused output buffer starts from a clean mask", () => {
  const rng = createRng(42, "test/rle/paths-decode");
  for (const [h, w] of EDGE_SIZES) {
    const out = new Uint8Array(h * w).fill(3);
    // The same size over and over (and back, small sizes): each decode must clear what the previous one wrote.
    const masks = edgeMasks(rng, h, w);
    const order = h * w > 100000 ? masks : [...masks, ...masks.slice().reverse()];
    for (const [k, m] of order.entries()) {
      const rle = naiveEncode(m, h, w);
      const value = k % 3 === 0 ? 200 : 1;
      const expected = new Uint8Array(m.length);
      for (let i = 0; i < m.length; i++) expected[i] = m[i] !== 0 ? value : 0;
      assert.deepEqual(decodeRle(rle, h, w, { value }), expected, `${h}x${w} mask ${k}`);
      assert.deepEqual(decodeRle(rle, h, w, { out, value }), expected, `${h}x${w} mask ${k} into out`);
    }
  }
  // Checkerboards: the most runs an image can have (W * ceil(H/2)); their MB-long strings grow
  // the scratch arrays (text, runs) mid-call.
  for (const [h, w] of [[256, 1600], [255, 1601]]) {
    const board = new Uint8Array(h * w);
    for (let y = 0; y < h; y++) for (let x = (y & 1) ^ 1; x < w; x += 2) board[y * w + x] = 1;
    const long = naiveEncode(board, h, w);
    assert.ok(long.length > 1.5e6, `${long.length} chars`);
    assert.equal(encodeRle(board, h, w), long);
    assert.deepEqual(decodeRle(long, h, w), board);
  }
});

// ------------------------------------------------------------------ multi-class

test("decodeMasks / encodeMasks: channel-last H*W*C, one RLE per class", () => {
  // 4x3 image, 2 classes. Class 0: "2 2" → pixels 3, 6; class 1: "3 4" → pixels 6, 9, 1, 4.
  const m = decodeMasks(["2 2", "3 4"], H4, W3);
  assert.equal(m.length, 4 * 3 * 2);
  const expected = new Uint8Array(24);
  for (const i of [3, 6]) expected[i * 2 + 0] = 1;
  for (const i of [6, 9, 1, 4]) expected[i * 2 + 1] = 1;
  assert.deepEqual(m, expected);
  assert.deepEqual(encodeMasks(m, H4, W3, 2), ["2 2", "3 4"]);
  assert.deepEqual(encodeMasks(decodeMasks(["", "1 12", "", "5 1"], H4, W3), H4, W3, 4), ["", "1 12", "", "5 1"]);
  assert.throws(() => decodeMasks(["1 1", "1 1 1 1"], H4, W3), (e: unknown) => e instanceof RleError && e.reason === "overlap" && /channel 1/.test(e.message));
  assert.throws(() => encodeMasks(new Uint8Array(23), H4, W3, 2), RangeError);

  const rng = createRng(42, "test/rle/multi");
  for (let i = 0; i < 50; i++) {
    const h = rng.int(1, 30);
    const w = rng.int(1, 120);
    const c = rng.int(1, 5);
    const chans = Array.from({ length: c }, () => randomMask(rng, h, w));
    const rles = chans.map((x) => naiveEncode(x, h, w));
    const mm = decodeMasks(rles, h, w);
    for (let k = 0; k < c; k++) {
      for (let p = 0; p < h * w; p++) assert.equal(mm[p * c + k], chans[k][p] !== 0 ? 1 : 0);
    }
    assert.deepEqual(encodeMasks(mm, h, w, c), rles);
  }
});

// ------------------------------------------------------------------ no state between calls

test("one RleScratch shared by interleaved calls of every size gives the naive codec's answers", () => {
  const rng = createRng(42, "test/rle/scratch");
  const scratch = new RleScratch();
  const sizes: Array<[number, number]> = [[256, 1600], [3, 5], [33, 200], [1, 1], [255, 1601], [9, 65]];
  for (let round = 0; round < 3; round++) {
    for (const [h, w] of sizes) {
      const m = randomMask(rng, h, w);
      const ref = naiveEncode(m, h, w);
      // Big then small then big: a call must not read what an earlier (larger) call left behind.
      assert.equal(encodeRle(m, h, w, scratch), ref, `${h}x${w} encode`);
      assert.deepEqual(decodeRle(ref, h, w, { scratch }), binarize(m), `${h}x${w} decode`);
      assert.equal(canonicalRle(ref, h, w, scratch), ref, `${h}x${w} canonical`);
      assert.equal(rleArea(ref, h, w, scratch), binarize(m).reduce((a, v) => a + v, 0), `${h}x${w} area`);
      assert.deepEqual(decodeMasks([ref, ""], h, w, scratch).filter((_, i) => i % 2 === 0), binarize(m), `${h}x${w} decodeMasks`);
      assert.throws(() => validateRle("5 1 2 1", h * w >= 5 ? h : 5, w, scratch), RleError);
    }
  }
});
