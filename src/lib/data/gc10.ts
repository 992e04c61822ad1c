/**
 * GC10-DET: 10 classes of steel-plate defects, 2048×1000 grey JPGs in class folders `1`…`10`, VOC
 * XML in a `lable/` folder (the real dataset's spelling; `label/`, `labels/`, `annotations/` or XML
 * next to the images are accepted too).
 *
 * The XML <name> values are pinyin, prefixed with the class number. Real spellings, checked on all
 * 2,280 label files: 1_chongkong, 2_hanfeng, 3_yueyawan, 4_shuiban, 5_youban, 6_siban, 7_yiwu,
 * 8_yahen, 9_zhehen, and for class 10 both `10_yaozhe` (11 boxes) and `10_yaozhed` (131 boxes).
 * One box is named just `d` (img_02_425616500_00770): unknown names are counted Skips, not guesses.
 * The XML <folder> is the class folder ("1".."10"), or "all" for 88 files; in ~70 files it names a
 * class none of the boxes has, so for images on disk the folder they are IN is the label.
 */
import * as fs from "fs";
import * as path from "path";
import { Box, DataError, Dataset, Sample, Skip, ValidationMode } from "./types";
import { isImageFile, walkFiles } from "./image-io";
import { fillImageSizes } from "./sample-sizes";
import { canonicalBoxes, readVocFile } from "./voc";

/** English class names, index = folder number − 1. */
export const GC10_CLASSES: readonly string[] = [
  "punching_hole",
  "welding_line",
  "crescent_gap",
  "water_spot",
  "oil_spot",
  "silk_spot",
  "inclusion",
  "rolled_pit",
  "crease",
  "waist_folding",
];

/** The canonical pinyin XML names, index = folder number − 1 (what the synthetic generator writes). */
export const GC10_PINYIN: readonly string[] = [
  "1_chongkong",
  "2_hanfeng",
  "3_yueyawan",
  "4_shuiban",
  "5_youban",
  "6_siban",
  "7_yiwu",
  "8_yahen",
  "9_zhehen",
  "10_yaozhe",
];

/** Extra real spellings seen in the GC10-DET XML. */
const PINYIN_VARIANTS: Record<string, number> = { "10_yaozhed": 9 };

/** Index 0..9 of the inclusion class (`7_yiwu`). */
export const GC10_INCLUSION = 6;

const NAME_INDEX: Record<string, number> = (() => {
  const m: Record<string, number> = { ...PINYIN_VARIANTS };
  GC10_PINYIN.forEach((p, i) => {
    m[p] = i;
    m[p.replace(/^\d+_/, "")] = i;
  });
  GC10_CLASSES.forEach((c, i) => {
    m[c] = i;
  });
  return m;
})();

/** Class index 0..9 of a GC10 XML name (pinyin with or without the number, or English), else undefined. */
export function gc10ClassIndex(name: string): number | undefined {
  return NAME_INDEX[name.trim().toLowerCase()];
}

/** Class index 0..9 of a class folder name "1".."10", else undefined. */
export function gc10FolderIndex(folder: string): number | undefined {
  const t = folder.trim();
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 1 && n <= 10 ? n - 1 : undefined;
}

export interface Gc10Annotation {
  /** Base name without extension, e.g. "img_01_3402617700_00001" (the image id). */
  id: string;
  /** Path of the XML file. */
  file: string;
  /** The XML <folder> value ("1".."10" or "all"). */
  folder: string;
  /**
   * Class index 0..9: the <folder> class when it is "1".."10", else ("all") the most frequent box
   * class (ties → lowest index). `labelSource` says which.
   */
  label: number;
  labelSource: "folder" | "boxes";
  /** Boxes with English class names; boxes with unknown names are left out and counted in `skipped`. */
  boxes: Box[];
  width: number;
  height: number;
}

/** Maps VOC objects to English-named boxes; unknown names become Skips. */
function mapBoxes(objects: Box[], file: string, id: string, skipped: Skip[]): Box[] {
  return canonicalBoxes(objects, GC10_CLASSES, gc10ClassIndex, { dataset: "GC10", file, id, skipped });
}

function majorityClass(boxes: Box[]): number | undefined {
  const counts = new Array<number>(GC10_CLASSES.length).fill(0);
  for (const b of boxes) counts[GC10_CLASSES.indexOf(b.className)]++;
  let best = -1;
  counts.forEach((c, i) => {
    if (c > 0 && (best < 0 || c > counts[best])) best = i;
  });
  return best < 0 ? undefined : best;
}

/**
 * Reads every `*.xml` under `dir` (label-only statistics: the EDA shows GC10 label stats from the
 * real XML even without images). Every file ends up parsed or in `skipped`; `mode: "strict"`
 * throws on the first malformed file instead.
 */
export function loadGc10Labels(dir: string, opts: { mode?: ValidationMode } = {}): { annotations: Gc10Annotation[]; skipped: Skip[] } {
  const absDir = path.resolve(dir);
  if (!fs.existsSync(absDir)) throw new DataError(`GC10 label folder ${absDir} does not exist`, absDir);
  const annotations: Gc10Annotation[] = [];
  const skipped: Skip[] = [];
  for (const file of walkFiles(absDir, 2).filter((f) => f.toLowerCase().endsWith(".xml"))) {
    const id = path.basename(file, path.extname(file));
    const ann = readVocFile(file, id, opts.mode ?? "lenient", skipped);
    if (!ann) continue;
    const boxes = mapBoxes(ann.objects, file, id, skipped);
    const fromFolder = gc10FolderIndex(ann.folder);
    const label = fromFolder ?? majorityClass(boxes);
    if (label === undefined) {
      const reason = `no class: <folder> is "${ann.folder}" and no box has a known class name`;
      if (opts.mode === "strict") throw new DataError(`${file}: ${reason}`, file, undefined, id);
      skipped.push({ file, id, reason, code: "unknown-class" });
      continue;
    }
    annotations.push({
      id,
      file,
      folder: ann.folder,
      label,
      labelSource: fromFolder !== undefined ? "folder" : "boxes",
      boxes,
      width: ann.width,
      height: ann.height,
    });
  }
  annotations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { annotations, skipped };
}

const LABEL_DIRS = ["lable", "label", "labels", "annotations", "Annotations", "ANNOTATIONS", "xml"];

/** The folder holding the class folders `1`…`10`: `root` itself or one level below (an archive's top folder). */
export function findGc10ImageRoot(root: string): string | undefined {
  const hasClassDirs = (d: string) => {
    try {
      return fs.readdirSync(d, { withFileTypes: true }).some((e) => e.isDirectory() && gc10FolderIndex(e.name) !== undefined);
    } catch {
      return false;
    }
  };
  if (hasClassDirs(root)) return root;
  let subs: fs.Dirent[] = [];
  try {
    subs = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of subs.filter((e) => e.isDirectory() && !e.name.startsWith(".")).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (hasClassDirs(path.join(root, e.name))) return path.join(root, e.name);
  }
  return undefined;
}

export interface LoadGc10Options {
  source?: "real" | "synthetic";
  /**
   * Malformed XML or an unreadable image without XML: "strict" (default) throws; "lenient" records a
   * Skip (keeping a malformed-XML image without boxes; `preflight` then leaves it out).
   */
  mode?: ValidationMode;
}

/** Loads GC10 images (label = the class folder they are in) with their XML boxes; sorted by id. */
export async function loadGc10(root: string, opts: LoadGc10Options = {}): Promise<Dataset> {
  const absRoot = path.resolve(root);
  const imageRoot = findGc10ImageRoot(absRoot);
  if (!imageRoot) {
    throw new DataError(
      `no GC10 class folders (1 … 10) in ${absRoot} or one level below; expected <root>/1/*.jpg … <root>/10/*.jpg`,
      absRoot,
    );
  }
  const mode = opts.mode ?? "strict";
  const skipped: Skip[] = [];
  const xmlById = new Map<string, string>();
  const xmlDirs = LABEL_DIRS.map((d) => path.join(imageRoot, d)).filter((d) => fs.existsSync(d));
  const classDirs = fs
    .readdirSync(imageRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory() && gc10FolderIndex(e.name) !== undefined)
    .map((e) => ({ dir: path.join(imageRoot, e.name), label: gc10FolderIndex(e.name)! }));
  for (const d of [...xmlDirs, ...classDirs.map((c) => c.dir)]) {
    for (const f of walkFiles(d, 1).filter((f) => f.toLowerCase().endsWith(".xml"))) {
      const id = path.basename(f, path.extname(f));
      if (!xmlById.has(id)) xmlById.set(id, f);
    }
  }
  const byId = new Map<string, Sample>();
  for (const { dir, label } of classDirs) {
    for (const file of walkFiles(dir, 0)) {
      if (!isImageFile(file)) continue;
      const id = path.basename(file, path.extname(file));
      const prev = byId.get(id);
      if (prev) {
        skipped.push({ file, id, code: "duplicate", reason: `duplicate image id ${id} (also ${prev.path}); kept the first` });
        continue;
      }
      const sample: Sample = {
        id,
        path: file,
        dataset: "gc10",
        label,
        labels: GC10_CLASSES.map((_, i) => (i === label ? 1 : 0)),
        height: 0,
        width: 0,
      };
      const xml = xmlById.get(id);
      const ann = xml ? readVocFile(xml, id, mode, skipped, "annotation ignored: ") : undefined;
      if (ann && xml) {
        sample.boxes = mapBoxes(ann.objects, xml, id, skipped);
        sample.height = ann.height;
        sample.width = ann.width;
      }
      byId.set(id, sample);
    }
  }
  // Size from the XML when it has one; otherwise from the image header.
  const sorted = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const samples = await fillImageSizes(sorted, mode, skipped);
  return { name: "gc10", classNames: [...GC10_CLASSES], samples, skipped, source: opts.source ?? "real", root: absRoot };
}

/**
 * 1 if the image shows inclusion (`7_yiwu`): any inclusion box, or — when there are no boxes at
 * all — its class folder is inclusion. Works on Samples and on label-only annotations.
 */
export function gc10InclusionLabel(x: { label: number; boxes?: Box[] }): 0 | 1 {
  if (x.boxes && x.boxes.length > 0) return x.boxes.some((b) => b.className === GC10_CLASSES[GC10_INCLUSION]) ? 1 : 0;
  return x.label === GC10_INCLUSION ? 1 : 0;
}

/** Binary "inclusion vs. rest" view of a GC10 dataset: classNames ["no_inclusion", "inclusion"]. */
export function gc10InclusionView(ds: Dataset): Dataset {
  if (ds.name !== "gc10") throw new Error(`gc10InclusionView needs a GC10 dataset, got ${ds.name}`);
  return {
    ...ds,
    classNames: ["no_inclusion", "inclusion"],
    samples: ds.samples.map((s) => {
      const y = gc10InclusionLabel(s);
      return { ...s, label: y, labels: [1 - y, y] };
    }),
  };
}
