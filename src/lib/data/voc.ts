/**
 * Pascal-VOC annotation XML (NEU-DET, GC10-DET): parsed with fast-xml-parser (validated first, so
 * a malformed file is an error with its line, not a partial read), plus the matching writer used by
 * the synthetic generators. Tag names are matched case-insensitively; a loader-unusable file (no
 * <annotation> root, missing/non-numeric box) is a DataError naming the file and object.
 */
import * as fs from "fs";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { Box, DataError, Skip, ValidationMode } from "./types";

/** A VOC object: a `Box` plus the VOC flags (false when absent). */
export interface VocObject extends Box {
  difficult: boolean;
  truncated: boolean;
}

export interface VocAnnotation {
  /** <filename> as written (may lack the extension, as in some NEU-DET files); "" when absent. */
  filename: string;
  /** <folder>; "" when absent. GC10: the class folder ("1".."10", or "all"). */
  folder: string;
  /** <size> fields; 0 when absent. */
  width: number;
  height: number;
  depth: number;
  objects: VocObject[];
}

type XmlNode = { [tag: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  htmlEntities: true,
  transformTagName: (name: string) => name.toLowerCase(),
});

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

function asNode(v: unknown): XmlNode | undefined {
  const x = first(v);
  return x !== null && typeof x === "object" ? (x as XmlNode) : undefined;
}

/** Text of the first <tag> child ("" for an element without text), undefined when absent. */
function textOf(node: XmlNode | undefined, tag: string): string | undefined {
  if (!node || !(tag in node)) return undefined;
  const v = first(node[tag]);
  return typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "";
}

function optionalNumber(node: XmlNode | undefined, tag: string, file: string): number {
  const t = textOf(node, tag);
  if (t === undefined || t === "") return 0;
  const v = Number(t);
  if (!Number.isFinite(v)) throw new DataError(`${file}: <${tag}> is "${t}", not a number`, file);
  return v;
}

function flag(node: XmlNode, tag: string): boolean {
  const t = textOf(node, tag);
  return t !== undefined && (t === "1" || t.toLowerCase() === "true");
}

function parseObject(raw: unknown, i: number, file: string): VocObject {
  const where = `${file}: object ${i + 1}`;
  const ob = asNode(raw) ?? {};
  const name = textOf(ob, "name");
  if (!name) throw new DataError(`${where} has no <name>`, file);
  const bb = "bndbox" in ob ? (asNode(ob.bndbox) ?? {}) : undefined;
  if (bb === undefined) throw new DataError(`${where} (${name}) has no <bndbox>`, file);
  const coord = (tag: string): number => {
    const t = textOf(bb, tag);
    const v = t === undefined ? NaN : Number(t);
    if (t === undefined || t === "" || !Number.isFinite(v)) {
      throw new DataError(`${where} (${name}): <${tag}> is ${t === undefined ? "missing" : `"${t}"`}, need a number`, file);
    }
    return v;
  };
  const box = { xmin: coord("xmin"), ymin: coord("ymin"), xmax: coord("xmax"), ymax: coord("ymax") };
  if (box.xmax < box.xmin || box.ymax < box.ymin) {
    throw new DataError(`${where} (${name}): inverted box xmin=${box.xmin} xmax=${box.xmax} ymin=${box.ymin} ymax=${box.ymax}`, file);
  }
  return { className: name, ...box, difficult: flag(ob, "difficult"), truncated: flag(ob, "truncated") };
}

/** Parses one VOC XML document; `file` is only used in error messages. */
export function parseVocXml(text: string, file: string): VocAnnotation {
  const xml = text.replace(/^\uFEFF/, "");
  if (xml.trim() === "") throw new DataError(`${file}: empty annotation file`, file);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    let { msg, line, col } = valid.err;
    // The validator reports tags still open at the end of input as "Invalid '[...]' found" at 1:1.
    const open = /^Invalid '\[(.*)\]' found/s.exec(msg);
    if (open) {
      const tags = open[1].split(",").map((t) => `<${t.trim().replace(/^"|"$/g, "")}>`);
      line = xml.split("\n").length;
      col = xml.length - xml.lastIndexOf("\n");
      msg = `the file ends with ${tags.join(", ")} still open`;
    }
    const truncated = open || /unclosed|expected closing tag/i.test(msg) ? " (unclosed or truncated file?)" : "";
    throw new DataError(`${file}:${line}: malformed XML at line ${line}, column ${col}: ${msg}${truncated}`, file, line);
  }
  const doc = parser.parse(xml) as XmlNode;
  const roots = Object.keys(doc);
  if (roots.length !== 1 || roots[0] !== "annotation" || Array.isArray(doc.annotation)) {
    const found = roots.length === 0 ? "no element" : roots.map((r) => `<${r}>`).join(", ");
    throw new DataError(`${file}: expected one <annotation>…</annotation> root, found ${found} (not a Pascal-VOC file?)`, file);
  }
  const body = asNode(doc.annotation) ?? {};
  const objects = body.object === undefined ? [] : Array.isArray(body.object) ? body.object : [body.object];
  const size = asNode(body.size);
  return {
    filename: textOf(body, "filename") ?? "",
    folder: textOf(body, "folder") ?? "",
    width: optionalNumber(size, "width", file),
    height: optionalNumber(size, "height", file),
    depth: optionalNumber(size, "depth", file),
    objects: objects.map((o, i) => parseObject(o, i, file)),
  };
}

/**
 * Reads and parses one annotation file for a loader. A malformed file throws in "strict" mode;
 * in "lenient" mode it becomes a Skip (code `bad-annotation`, reason `${prefix}<message>`) and
 * undefined is returned.
 */
export function readVocFile(file: string, id: string, mode: ValidationMode, skipped: Skip[], prefix = ""): VocAnnotation | undefined {
  try {
    return parseVocXml(fs.readFileSync(file, "utf8"), file);
  } catch (err) {
    if (mode === "strict" || !(err instanceof DataError)) throw err;
    skipped.push({ file, id, reason: `${prefix}${err.message}`, code: "bad-annotation" });
    return undefined;
  }
}

/** Where boxes come from, for the Skips of `canonicalBoxes`. */
export interface BoxSource {
  /** "NEU", "GC10": named in the skip reason. */
  dataset: string;
  file: string;
  id: string;
  skipped: Skip[];
}

/**
 * Boxes renamed to the dataset's canonical class names; a box whose name `classIndex` does not know
 * is left out and counted (code `unknown-class`), never made into a new class.
 */
export function canonicalBoxes(
  objects: readonly Box[],
  classes: readonly string[],
  classIndex: (name: string) => number | undefined,
  src: BoxSource,
): Box[] {
  const out: Box[] = [];
  objects.forEach((o, i) => {
    const k = classIndex(o.className);
    if (k === undefined) {
      const reason = `object ${i + 1}: unknown ${src.dataset} class name "${o.className}" (box left out)`;
      src.skipped.push({ file: src.file, id: src.id, code: "unknown-class", reason });
      return;
    }
    out.push({ className: classes[k], xmin: o.xmin, ymin: o.ymin, xmax: o.xmax, ymax: o.ymax });
  });
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** VOC XML in the layout of NEU-DET / GC10-DET (tab-indented, `database` as given). */
export function formatVocXml(
  ann: Omit<VocAnnotation, "objects"> & { objects: (Box & { difficult?: boolean; truncated?: boolean })[] },
  database = "Unknown",
): string {
  const lines = [
    "<annotation>",
    `\t<folder>${escapeXml(ann.folder)}</folder>`,
    `\t<filename>${escapeXml(ann.filename)}</filename>`,
    "\t<source>",
    `\t\t<database>${escapeXml(database)}</database>`,
    "\t</source>",
    "\t<size>",
    `\t\t<width>${ann.width}</width>`,
    `\t\t<height>${ann.height}</height>`,
    `\t\t<depth>${ann.depth}</depth>`,
    "\t</size>",
    "\t<segmented>0</segmented>",
  ];
  for (const o of ann.objects) {
    lines.push(
      "\t<object>",
      `\t\t<name>${escapeXml(o.className)}</name>`,
      "\t\t<pose>Unspecified</pose>",
      `\t\t<truncated>${o.truncated ? 1 : 0}</truncated>`,
      `\t\t<difficult>${o.difficult ? 1 : 0}</difficult>`,
      "\t\t<bndbox>",
      `\t\t\t<xmin>${o.xmin}</xmin>`,
      `\t\t\t<ymin>${o.ymin}</ymin>`,
      `\t\t\t<xmax>${o.xmax}</xmax>`,
      `\t\t\t<ymax>${o.ymax}</ymax>`,
      "\t\t</bndbox>",
      "\t</object>",
    );
  }
  lines.push("</annotation>", "");
  return lines.join("\n");
}
