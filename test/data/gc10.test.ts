import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import {
  GC10_CLASSES,
  GC10_PINYIN,
  gc10ClassIndex,
  gc10FolderIndex,
  gc10InclusionLabel,
  gc10InclusionView,
  loadGc10,
  loadGc10Labels,
} from "../../src/lib/data/gc10";
import { formatVocXml } from "../../src/lib/data/voc";
import { DataError } from "../../src/lib/data/types";
import { projectPaths } from "../../src/lib/config/paths";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gc10-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

async function jpg(file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width: 12, height: 6, channels: 3, background: { r: 80, g: 80, b: 80 } } })
    .toColourspace("b-w")
    .jpeg()
    .toFile(file);
}

function xml(file: string, folder: string, names: string[], size: [number, number] = [12, 6]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const objects = names.map((className, i) => ({ className, xmin: 1 + i, ymin: 1, xmax: 3 + i, ymax: 4 }));
  fs.writeFileSync(file, formatVocXml({ folder, filename: path.basename(file, ".xml") + ".jpg", width: size[0], height: size[1], depth: 1, objects }));
}

test("pinyin names (all real spellings), English names and folders map to the 10 classes", () => {
  const real = ["1_chongkong", "2_hanfeng", "3_yueyawan", "4_shuiban", "5_youban", "6_siban", "7_yiwu", "8_yahen", "9_zhehen", "10_yaozhe"];
  assert.deepEqual(real.map(gc10ClassIndex), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(gc10ClassIndex("10_yaozhed"), 9, "the majority spelling of class 10 in the real XML");
  assert.equal(gc10ClassIndex(" 7_YIWU "), 6);
  assert.equal(gc10ClassIndex("yiwu"), 6);
  assert.equal(gc10ClassIndex("inclusion"), 6);
  assert.equal(gc10ClassIndex("d"), undefined);
  assert.equal(gc10ClassIndex("11_foo"), undefined);
  assert.deepEqual(["1", "10", "0", "11", "all", "3a"].map(gc10FolderIndex), [0, 9, undefined, undefined, undefined, undefined]);
  assert.equal(GC10_CLASSES.length, 10);
  assert.equal(GC10_PINYIN.length, 10);
});

test("loadGc10: label = class folder, boxes from lable/ XML in English, unknown names counted, sorted", async () => {
  const root = path.join(tmp, "gc10");
  await jpg(path.join(root, "7", "img_01_2_00002.jpg"));
  await jpg(path.join(root, "7", "img_01_1_00001.jpg"));
  await jpg(path.join(root, "2", "img_02_3_00003.jpg"));
  await jpg(path.join(root, "10", "img_02_4_00004.jpg"));
  fs.writeFileSync(path.join(root, "10", "Thumbs.db"), "junk");
  xml(path.join(root, "lable", "img_01_1_00001.xml"), "7", ["7_yiwu", "7_yiwu"]);
  xml(path.join(root, "lable", "img_02_3_00003.xml"), "2", ["2_hanfeng", "d", "7_yiwu"]);
  // XML next to the image (another accepted layout), with the other class-10 spelling.
  xml(path.join(root, "10", "img_02_4_00004.xml"), "10", ["10_yaozhed"]);
  const ds = await loadGc10(root, { source: "synthetic" });
  assert.equal(ds.name, "gc10");
  assert.deepEqual(ds.classNames, GC10_CLASSES);
  assert.deepEqual(ds.samples.map((s) => s.id), ["img_01_1_00001", "img_01_2_00002", "img_02_3_00003", "img_02_4_00004"]);
  assert.deepEqual(ds.samples.map((s) => s.label), [6, 6, 1, 9]);
  assert.deepEqual(ds.samples[0].labels, [0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
  assert.deepEqual(ds.samples[0].boxes?.map((b) => b.className), ["inclusion", "inclusion"]);
  assert.equal(ds.samples[1].boxes, undefined, "no XML → no boxes");
  assert.deepEqual(ds.samples[1].height, 6, "size from the image header");
  assert.deepEqual(ds.samples[2].boxes?.map((b) => b.className), ["welding_line", "inclusion"]);
  assert.deepEqual(ds.samples[3].boxes?.map((b) => b.className), ["waist_folding"]);
  assert.equal(ds.skipped.length, 1);
  assert.match(ds.skipped[0].reason, /object 2: unknown GC10 class name "d"/);

  const inc = gc10InclusionView(ds);
  assert.deepEqual(inc.classNames, ["no_inclusion", "inclusion"]);
  // Boxed inclusion → 1; folder 7 without XML → 1; folder 2 with an inclusion box → 1; class 10 → 0.
  assert.deepEqual(inc.samples.map((s) => s.label), [1, 1, 1, 0]);
  assert.deepEqual(inc.samples[3].labels, [1, 0]);
  assert.equal(ds.samples[2].label, 1, "the view does not mutate the source dataset");
});

test("loadGc10 finds class folders one level down and names what is missing", async () => {
  const root = path.join(tmp, "nested");
  await jpg(path.join(root, "GC10-DET", "3", "img_01_5_00005.jpg"));
  const ds = await loadGc10(root);
  assert.equal(ds.samples.length, 1);
  assert.equal(ds.samples[0].label, 2);
  await assert.rejects(loadGc10(path.join(tmp, "none")), (e: unknown) => e instanceof DataError && /no GC10 class folders/.test(e.message));
});

test("loadGc10Labels: folder label, 'all' → majority box class, malformed files skipped or thrown", () => {
  const dir = path.join(tmp, "labels");
  xml(path.join(dir, "a.xml"), "4", ["5_youban"]);
  xml(path.join(dir, "b.xml"), "all", ["2_hanfeng", "6_siban", "6_siban"]);
  xml(path.join(dir, "c.xml"), "all", ["d"]);
  fs.writeFileSync(path.join(dir, "d.xml"), "<annotation><object><name>1_chongkong</name>");
  const { annotations, skipped } = loadGc10Labels(dir);
  assert.deepEqual(
    annotations.map((a) => [a.id, a.label, a.labelSource]),
    [
      ["a", 3, "folder"],
      ["b", 5, "boxes"],
    ],
  );
  assert.equal(annotations[0].boxes[0].className, "oil_spot");
  assert.deepEqual(skipped.map((s) => s.id).sort(), ["c", "c", "d"]);
  assert.ok(skipped.some((s) => s.id === "c" && /no class/.test(s.reason)));
  assert.equal(gc10InclusionLabel(annotations[0]), 0);
  assert.throws(() => loadGc10Labels(dir, { mode: "strict" }), DataError);
});

test("real GC10-DET labels: every file parsed or skipped, class counts agree with the raw XML", (t) => {
  const dir = path.join(projectPaths().sharedData, "gc10-det-labels");
  if (!fs.existsSync(dir)) return t.skip("shared GC10 labels absent");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".xml"));
  const { annotations, skipped } = loadGc10Labels(dir);
  const skippedFiles = new Set(skipped.filter((s) => !/^object \d+:/.test(s.reason)).map((s) => s.file));
  assert.equal(annotations.length + skippedFiles.size, files.length);
  assert.equal(annotations.length, 2280);
  // Independent tallies by regex over the raw text.
  const folderCount = new Map<string, number>();
  const nameCount = new Map<string, number>();
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    const folder = /<folder>([^<]*)<\/folder>/.exec(text)![1];
    folderCount.set(folder, (folderCount.get(folder) ?? 0) + 1);
    for (const m of text.matchAll(/<name>([^<]*)<\/name>/g)) nameCount.set(m[1], (nameCount.get(m[1]) ?? 0) + 1);
  }
  for (let k = 1; k <= 10; k++) {
    const fromFolder = annotations.filter((a) => a.labelSource === "folder" && a.label === k - 1).length;
    assert.equal(fromFolder, folderCount.get(String(k)) ?? 0, `folder ${k}`);
  }
  assert.equal(annotations.filter((a) => a.labelSource === "boxes").length, folderCount.get("all") ?? 0);
  // Boxes per class = <name> tallies of every spelling of that class number.
  for (let k = 0; k < 10; k++) {
    const raw = [...nameCount].filter(([n]) => n.startsWith(`${k + 1}_`)).reduce((a, [, c]) => a + c, 0);
    const parsed = annotations.reduce((a, x) => a + x.boxes.filter((b) => b.className === GC10_CLASSES[k]).length, 0);
    assert.equal(parsed, raw, GC10_CLASSES[k]);
  }
  const unknownNames = [...nameCount].filter(([n]) => !/^(10|[1-9])_/.test(n)).reduce((a, [, c]) => a + c, 0);
  assert.equal(skipped.filter((s) => /unknown GC10 class name/.test(s.reason)).length, unknownNames);
  assert.ok(annotations.every((a) => a.width === 2048 && a.height === 1000));
  // Every real file has boxes, so the inclusion label is "has a 7_yiwu box".
  const withYiwu = files.filter((f) => fs.readFileSync(path.join(dir, f), "utf8").includes("<name>7_yiwu</name>")).length;
  assert.equal(annotations.filter((a) => gc10InclusionLabel(a) === 1).length, withYiwu);
});
