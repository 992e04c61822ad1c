import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { projectPaths } from "../../src/lib/config/paths";
import { GC10_CLASSES, loadGc10Labels } from "../../src/lib/data/gc10";
import type { Dataset } from "../../src/lib/data/types";
import { renderGc10Image } from "../../src/lib/data/synthetic/gc10-synth";
import { cropImage, sharedClass, targetSet } from "../../src/lib/cross-dataset";

const dir = path.join(projectPaths().sharedData, "gc10-det-labels");

/** The real annotations as a GC10 Dataset (no images: the paths are never read here). */
function realLabelsDataset(): Dataset {
  const { annotations } = loadGc10Labels(dir);
  return {
    name: "gc10",
    classNames: [...GC10_CLASSES],
    source: "real",
    root: dir,
    skipped: [],
    samples: annotations.map((a) => ({ id: a.id, path: a.file, dataset: "gc10", label: a.label, labels: [], height: a.height || 1000, width: a.width || 2048, boxes: a.boxes })),
  };
}

test("real GC10 XML: folder 7 (7_yiwu) items — one frame per image, one crop per inclusion box, inside the frame", { skip: !fs.existsSync(dir) && "no real GC10 labels" }, () => {
  const ds = realLabelsDataset();
  const set = targetSet(ds, sharedClass("inclusion"));
  const folder7 = ds.samples.filter((s) => s.label === 6);
  assert.equal(set.folder, "7");
  assert.equal(set.className, "inclusion");
  assert.equal(set.images, folder7.length);
  assert.equal(set.frames.length, folder7.length);
  const boxes = folder7.reduce((n, s) => n + (s.boxes ?? []).filter((b) => b.className === "inclusion").length, 0);
  assert.equal(set.crops.length, boxes);
  assert.equal(set.withoutBox.length, folder7.filter((s) => !(s.boxes ?? []).some((b) => b.className === "inclusion")).length);
  for (const c of set.crops) {
    const s = folder7.find((x) => x.id === c.imageId)!;
    assert.ok(c.crop!.x >= 0 && c.crop!.y >= 0 && c.crop!.x + c.crop!.size <= s.width && c.crop!.y + c.crop!.size <= s.height, c.id);
  }
});

test("box crops on a synthetic 2048×1000 frame: the crop holds the box's pixels exactly", () => {
  const r = renderGc10Image(42, 6, "img_01_0000000001_00001");
  const frame = { data: r.grey, height: 1000, width: 2048, channels: 1 };
  const ds: Dataset = { name: "gc10", classNames: [...GC10_CLASSES], source: "synthetic", root: "", skipped: [], samples: [{ id: "f", path: "f.jpg", dataset: "gc10", label: 6, labels: [], height: 1000, width: 2048, boxes: r.boxes.map((b) => ({ ...b, className: GC10_CLASSES[Number(b.className.split("_")[0]) - 1] })) }] };
  const set = targetSet(ds, sharedClass("inclusion"));
  assert.ok(set.crops.length >= 1);
  for (const c of set.crops) {
    const w = c.crop!;
    const b = c.box!;
    assert.ok(w.x <= b.xmin && w.y <= b.ymin && w.x + w.size >= b.xmax && w.y + w.size >= b.ymax, JSON.stringify({ w, b }));
    const crop = cropImage(frame, w);
    assert.equal(crop.width, w.size);
    // A pixel of the box, read in frame and crop coordinates.
    const [x, y] = [Math.floor((b.xmin + b.xmax) / 2), Math.floor((b.ymin + b.ymax) / 2)];
    assert.equal(crop.data[(y - w.y) * w.size + (x - w.x)], frame.data[y * 2048 + x]);
  }
  assert.throws(() => cropImage(frame, { x: 2000, y: 0, size: 100 }), /outside/);
});
