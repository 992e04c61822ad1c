/**
 * NEU surface-defect database (NEU-CLS / NEU-DET): 6 classes, 200×200 grey images.
 *
 * Accepted layouts (any nesting up to 4 folders below `root`, e.g. `NEU-DET/train/images/...`):
 * - NEU-DET: `images/<class>_<n>.jpg` (or `IMAGES/`) with VOC XML in `annotations/` / `ANNOTATIONS/`;
 * - flat: `<class>_<n>.jpg|bmp` anywhere, including NEU-CLS abbreviations (`Cr_1.bmp`, `PS_12.bmp`);
 * - a folder per class: `<class>/<anything>.jpg|bmp`.
 * The class comes from the file name prefix, else from the parent folder. Image files whose class
 * cannot be told are counted as Skips (never dropped silently). VOC boxes are attached by matching
 * the XML file's base name to the image's (`crazing_1.xml` ↔ `crazing_1.jpg`).
 */
import * as fs from "fs";
import * as path from "path";
import { DataError, Dataset, Sample, Skip, ValidationMode } from "./types";
import { isImageFile, walkFiles } from "./image-io";
import { fillImageSizes } from "./sample-sizes";
import { canonicalBoxes, readVocFile } from "./voc";

/** Class order of the benchmark papers; index = `Sample.label`. */
export const NEU_CLASSES: readonly string[] = [
  "crazing",
  "inclusion",
  "patches",
  "pitted_surface",
  "rolled-in_scale",
  "scratches",
];

/** NEU-CLS two-letter abbreviations (also the <folder> of NEU-DET XML), in class order. */
export const NEU_ABBREVIATIONS: readonly string[] = ["cr", "in", "pa", "ps", "rs", "sc"];

const ALIASES: Record<string, number> = (() => {
  const a: Record<string, number> = {};
  NEU_CLASSES.forEach((c, i) => {
    a[c] = i;
    a[c.replace(/[-_]/g, "")] = i;
    a[NEU_ABBREVIATIONS[i]] = i;
  });
  a["scratch"] = 5;
  a["pitted"] = 3;
  return a;
})();

/** Class index of a NEU class name or abbreviation (case, `-` and `_` ignored), else undefined. */
export function neuClassIndex(name: string): number | undefined {
  const k = name.trim().toLowerCase();
  return ALIASES[k] ?? ALIASES[k.replace(/[-_ ]/g, "")];
}

/** Class of an image file from its name (`<class>_<n>`) or, failing that, its parent folder. */
export function neuClassOfFile(file: string): { label?: number; reason?: string } {
  const stem = path.basename(file, path.extname(file));
  const m = /^(.+?)[_-]?(\d+)$/.exec(stem);
  const fromName = m ? neuClassIndex(m[1]) : undefined;
  const folder = path.basename(path.dirname(file));
  const fromFolder = neuClassIndex(folder);
  if (fromName !== undefined && fromFolder !== undefined && fromName !== fromFolder) {
    return { reason: `file name says ${NEU_CLASSES[fromName]} but folder "${folder}" says ${NEU_CLASSES[fromFolder]}` };
  }
  const label = fromName ?? fromFolder;
  if (label === undefined) {
    return { reason: `cannot tell the NEU class: name is not <class>_<n> and folder "${folder}" is not a class name` };
  }
  return { label };
}

export interface LoadNeuOptions {
  /** Recorded on the Dataset so reports say which data they ran on (see `locateDataset`). */
  source?: "real" | "synthetic";
  /**
   * Malformed XML or an unreadable image without XML: "strict" (default) throws a DataError; "lenient"
   * records a Skip (keeping a malformed-XML image without boxes; `preflight` then leaves it out).
   */
  mode?: ValidationMode;
  /** Attach VOC boxes when annotation XML exists (default true). */
  boxes?: boolean;
}

/** Loads NEU from any accepted layout; samples sorted by id (the file's base name). */
export async function loadNeu(root: string, opts: LoadNeuOptions = {}): Promise<Dataset> {
  const absRoot = path.resolve(root);
  if (!fs.existsSync(absRoot) || !fs.statSync(absRoot).isDirectory()) {
    throw new DataError(`NEU root ${absRoot} is not a directory; put the data under data_raw/neu/ or generate the synthetic copy`, absRoot);
  }
  const mode = opts.mode ?? "strict";
  const files = walkFiles(absRoot);
  const skipped: Skip[] = [];
  const xmlByStem = new Map<string, string>();
  for (const f of files.filter((f) => f.toLowerCase().endsWith(".xml"))) {
    const stem = path.basename(f, path.extname(f));
    const prev = xmlByStem.get(stem);
    if (prev) skipped.push({ file: f, id: stem, code: "duplicate", reason: `duplicate annotation ${stem}.xml (also ${prev}); kept the first` });
    else xmlByStem.set(stem, f);
  }
  const byId = new Map<string, Sample>();
  const usedXml = new Set<string>();
  for (const file of files.filter(isImageFile)) {
    const id = path.basename(file, path.extname(file));
    const cls = neuClassOfFile(file);
    if (cls.label === undefined) {
      skipped.push({ file, id, code: "unknown-class", reason: cls.reason ?? "unknown class" });
      continue;
    }
    if (byId.has(id)) {
      skipped.push({ file, id, code: "duplicate", reason: `duplicate image id ${id} (also ${byId.get(id)!.path}); kept the first` });
      continue;
    }
    const labels = NEU_CLASSES.map((_, i) => (i === cls.label ? 1 : 0));
    const sample: Sample = { id, path: file, dataset: "neu", label: cls.label, labels, height: 0, width: 0 };
    const xml = opts.boxes === false ? undefined : xmlByStem.get(id);
    if (xml) usedXml.add(xml);
    const ann = xml ? readVocFile(xml, id, mode, skipped, "annotation ignored: ") : undefined;
    if (ann && xml) {
      sample.boxes = canonicalBoxes(ann.objects, NEU_CLASSES, neuClassIndex, { dataset: "NEU", file: xml, id, skipped });
      sample.height = ann.height;
      sample.width = ann.width;
    }
    byId.set(id, sample);
  }
  for (const [stem, xml] of xmlByStem) {
    if (!usedXml.has(xml) && opts.boxes !== false) skipped.push({ file: xml, id: stem, code: "orphan-annotation", reason: "annotation without a matching image" });
  }
  // Size from the XML when it has one; otherwise from the image header.
  const sorted = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const samples = await fillImageSizes(sorted, mode, skipped);
  return { name: "neu", classNames: [...NEU_CLASSES], samples, skipped, source: opts.source ?? "real", root: absRoot };
}
