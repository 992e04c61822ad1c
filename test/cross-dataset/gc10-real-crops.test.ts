import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { projectPaths } from "../../src/lib/config/paths";
import { loadGc10Labels } from "../../src/lib/data/gc10";
import { gc10Names, sharedClass, squareCrop } from "../../src/lib/cross-dataset";

const dir = path.join(projectPaths().sharedData, "gc10-det-labels");

test("real GC10 XML: inclusion boxes carry the mapped class and crop inside 2048×1000", { skip: !fs.existsSync(dir) && "no real GC10 labels" }, () => {
  const { annotations } = loadGc10Labels(dir);
  const inc = sharedClass("inclusion");
  const withInclusion = annotations.filter((a) => a.boxes.some((b) => b.className === "inclusion"));
  assert.ok(withInclusion.length > 0, "some real GC10 files hold inclusion boxes");
  assert.ok(annotations.some((a) => a.label === inc.gc10), `some file is labelled folder ${gc10Names(inc).folder}`);
  for (const a of withInclusion) {
    for (const b of a.boxes) {
      const c = squareCrop(b, 2048, 1000);
      assert.ok(c.x >= 0 && c.y >= 0 && c.x + c.size <= 2048 && c.y + c.size <= 1000, `${a.id}: ${JSON.stringify(c)}`);
      if (Math.max(b.xmax - b.xmin, b.ymax - b.ymin) > 1000) continue; // cannot be contained: documented in squareCrop
      assert.ok(c.x <= b.xmin && c.y <= b.ymin && c.x + c.size >= Math.min(b.xmax, 2048) && c.y + c.size >= Math.min(b.ymax, 1000), `${a.id}`);
    }
  }
});
