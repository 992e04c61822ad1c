import { test } from "node:test";
import assert from "node:assert/strict";
import { rleBoundingBox, aggregate } from "../../src/lib/experiments/eda";
import { workedExample } from "../../src/lib/experiments/rle-check";

test("bounding box from column-major runs (hand-computed on a 4x3 image)", () => {
  // 4 rows x 3 columns; positions: column 0 = 1..4, column 1 = 5..8, column 2 = 9..12.
  // "2 2" = rows 1-2 of column 0; "12 1" = row 3 of column 2.
  assert.deepEqual(rleBoundingBox("2 2 12 1", 4, 3), { top: 1, left: 0, bottom: 3, right: 2, area: 3 });
  // A run wrapping from the bottom of column 0 into column 1: rows 3 then 0.
  assert.deepEqual(rleBoundingBox("4 2", 4, 3), { top: 0, left: 0, bottom: 3, right: 1, area: 2 });
  assert.equal(rleBoundingBox("", 4, 3), undefined);
});

test("the worked example's RLE is the one computed by hand", () => {
  const ex = workedExample();
  // Defect pixels (row, col): (1,0) (2,0) → positions 2,3; (3,1) → 8; (0,2) (1,2) → 9,10.
  assert.equal(ex.rle, "2 2 8 3");
  assert.deepEqual(ex.positions[3], [4, 8, 12]);
});

test("danfojs aggregation counts and averages per group", () => {
  const rows = [
    { cls: "a", area: 1, h: 2 },
    { cls: "b", area: 10, h: 4 },
    { cls: "a", area: 3, h: 6 },
  ];
  const out = aggregate(rows, "cls", ["area", "h"]);
  assert.deepEqual(out, [
    { cls: "a", area_count: 2, area_mean: 2, area_min: 1, area_max: 3, h_mean: 4, h_min: 2, h_max: 6 },
    { cls: "b", area_count: 1, area_mean: 10, area_min: 10, area_max: 10, h_mean: 4, h_min: 4, h_max: 4 },
  ]);
});
