import { test } from "node:test";
import assert from "node:assert/strict";
import { extractTiles, stitchTiles, tileOffsets } from "../../src/lib/data/tiles";
import { createRng } from "../../src/lib/util/rng";

test("tileOffsets: 1600 with tile 256 → 7 tiles on a 256 grid, the last flush with the end", () => {
  assert.deepEqual(tileOffsets(1600, 256), [0, 256, 512, 768, 1024, 1280, 1344]);
  assert.deepEqual(tileOffsets(256, 256), [0]);
  assert.deepEqual(tileOffsets(512, 256), [0, 256]);
  assert.deepEqual(tileOffsets(300, 256), [0, 44]);
});

test("tileOffsets with minOverlap: every pair overlaps at least that much and the ends are covered", () => {
  for (const [len, tile, ov] of [
    [1600, 256, 32],
    [1000, 224, 50],
    [2048, 512, 0],
    [257, 256, 255],
  ]) {
    const o = tileOffsets(len, tile, ov);
    assert.equal(o[0], 0);
    assert.equal(o[o.length - 1] + tile, len);
    for (let i = 1; i < o.length; i++) {
      assert.ok(o[i] > o[i - 1], "increasing");
      assert.ok(o[i - 1] + tile - o[i] >= ov, `overlap ≥ ${ov} at ${i} for ${len}/${tile}`);
    }
  }
  assert.deepEqual(tileOffsets(1600, 256, 32), [0, 224, 448, 672, 896, 1120, 1344]);
});

test("tileOffsets rejects tiles larger than the image and bad overlaps", () => {
  assert.throws(() => tileOffsets(200, 256), /larger than the image/);
  assert.throws(() => tileOffsets(1600, 256, 256), /minOverlap/);
  assert.throws(() => tileOffsets(0, 1), /positive integers/);
});

test("extractTiles crops the right pixels; stitching them gives the image back exactly", () => {
  const rng = createRng(1, "tiles");
  const H = 10;
  const W = 23;
  const C = 2;
  const data = new Float32Array(H * W * C).map(() => rng.next());
  const img = { data, height: H, width: W, channels: C };
  const { tiles, offsets } = extractTiles(img, 4, 8);
  assert.deepEqual(
    offsets.map((o) => `${o.y},${o.x}`),
    ["0,0", "0,8", "0,15", "4,0", "4,8", "4,15", "6,0", "6,8", "6,15"],
  );
  // Tile 4 (offset 4, 8): its pixel (r, c, k) is the image pixel (4 + r, 8 + c, k).
  const t = tiles[4];
  for (let r = 0; r < 4; r++) for (let c = 0; c < 8; c++) for (let k = 0; k < C; k++) {
    assert.equal(t.data[(r * 8 + c) * C + k], data[((4 + r) * W + 8 + c) * C + k]);
  }
  assert.deepEqual(stitchTiles(tiles, offsets, H, W, C), data);
  // Bare arrays (predictions) stitch the same with explicit tile sizes.
  assert.deepEqual(stitchTiles(tiles.map((x) => x.data), offsets, H, W, C, 4, 8), data);
});

test("stitchTiles averages overlaps: two constant tiles give their mean where they overlap", () => {
  const a = { data: new Float32Array(2 * 4).fill(1), height: 2, width: 4, channels: 1 };
  const b = { data: new Float32Array(2 * 4).fill(3), height: 2, width: 4, channels: 1 };
  const out = stitchTiles([a, b], [{ y: 0, x: 0 }, { y: 0, x: 2 }], 2, 6, 1);
  assert.deepEqual(Array.from(out), [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
});

test("stitchTiles reports uncovered pixels, tiles outside the image and shape mismatches", () => {
  const a = { data: new Float32Array(4), height: 2, width: 2, channels: 1 };
  assert.throws(() => stitchTiles([a], [{ y: 0, x: 0 }], 2, 3, 1), /covered by no tile/);
  assert.throws(() => stitchTiles([a], [{ y: 1, x: 0 }], 2, 2, 1), /outside/);
  assert.throws(() => stitchTiles([a], [], 2, 2, 1), /1 tiles but 0 offsets/);
  assert.throws(() => stitchTiles([new Float32Array(4)], [{ y: 0, x: 0 }], 2, 2, 1), /need tileH and tileW/);
  assert.throws(() => stitchTiles([a], [{ y: 0, x: 0 }], 2, 2, 2), /expected 2x2x2/);
});
