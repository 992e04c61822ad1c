import { test } from "node:test";
import assert from "node:assert/strict";
import { squareCrop } from "../../src/lib/cross-dataset";

const W = 2048;
const H = 1000;
const box = (xmin: number, ymin: number, xmax: number, ymax: number) => ({ className: "7_yiwu", xmin, ymin, xmax, ymax });

test("hand-computed crop: 100×50 box, margin 0.2 → 140² centred", () => {
  assert.deepEqual(squareCrop(box(500, 400, 600, 450), W, H), { x: 480, y: 355, size: 140 });
});

test("crops lie inside the 2048×1000 frame and contain their box (corners, edges, tall boxes)", () => {
  const boxes = [box(0, 0, 30, 20), box(2000, 950, 2048, 1000), box(10, 100, 60, 990), box(1000, 0, 1900, 40)];
  for (const b of boxes) {
    const c = squareCrop(b, W, H);
    assert.ok(c.x >= 0 && c.y >= 0 && c.x + c.size <= W && c.y + c.size <= H, JSON.stringify(c));
    assert.ok(c.x <= b.xmin && c.y <= b.ymin && c.x + c.size >= b.xmax && c.y + c.size >= b.ymax, JSON.stringify({ b, c }));
  }
});

test("empty box is a clear error", () => {
  assert.throws(() => squareCrop(box(5, 5, 5, 9), W, H), /empty box/);
});
