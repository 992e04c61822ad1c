/**
 * Pascal-VOC annotation XML (NEU-DET, GC10-DET): a small tolerant parser and the matching writer
 * used by the synthetic generators. No XML dependency: VOC files are flat and regular, so a
 * tag-level parser suffices; it tolerates whitespace, attributes, comments, CDATA, an XML
 * declaration, entities, float coordinates and missing optional fields, and rejects what a loader
 * cannot use (no <annotation> root, unbalanced <object>, missing/non-numeric box) with a DataError
 * naming the file and object.
 */
import { Box, DataError } from "./types";

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

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Text of the first <tag ...>…</tag> (or "" for <tag/>) inside `xml`, or undefined. */
function tagText(xml: string, tag: string): string | undefined {
  const re = new RegExp(`<${tag}(?:\\s[^>]*?)?(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`, "i");
  const m = re.exec(xml);
  if (!m) return undefined;
  const inner = m[1] ?? "";
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(inner);
  return cdata ? cdata[1] : decodeEntities(inner.trim());
}

function allBlocks(xml: string, tag: string): string[] {
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?(?<!/)>([\\s\\S]*?)</${tag}\\s*>`, "gi");
  const out: string[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml))) out.push(m[1]);
  return out;
}

function countTags(xml: string, tag: string): { open: number; close: number } {
  const open = (xml.match(new RegExp(`<${tag}(?:\\s[^>]*)?(?<!/)>`, "gi")) ?? []).length;
  const close = (xml.match(new RegExp(`</${tag}\\s*>`, "gi")) ?? []).length;
  return { open, close };
}

function optionalNumber(xml: string, tag: string, file: string): number {
  const t = tagText(xml, tag);
  if (t === undefined || t === "") return 0;
  const v = Number(t);
  if (!Number.isFinite(v)) throw new DataError(`${file}: <${tag}> is "${t}", not a number`, file);
  return v;
}

function flag(xml: string, tag: string): boolean {
  const t = tagText(xml, tag);
  return t !== undefined && (t === "1" || t.toLowerCase() === "true");
}

/** Parses one VOC XML document; `file` is only used in error messages. */
export function parseVocXml(text: string, file: string): VocAnnotation {
  const xml = text
    .replace(/^\uFEFF/, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<\?[\s\S]*?\?>/g, "");
  if (xml.trim() === "") throw new DataError(`${file}: empty annotation file`, file);
  const root = allBlocks(xml, "annotation");
  if (root.length !== 1) {
    throw new DataError(
      `${file}: expected one <annotation>…</annotation> root, found ${root.length}` +
        (/<annotation[\s>]/i.test(xml) ? " (unclosed or truncated file?)" : " (not a Pascal-VOC file?)"),
      file,
    );
  }
  const body = root[0];
  const objTags = countTags(body, "object");
  if (objTags.open !== objTags.close) {
    throw new DataError(`${file}: ${objTags.open} <object> but ${objTags.close} </object> (truncated or malformed XML)`, file);
  }
  // Object blocks are cut out first, so top-level fields are not read from inside an object.
  const top = body.replace(/<object(?:\s[^>]*)?>[\s\S]*?<\/object\s*>/gi, "");
  const sizeXml = allBlocks(top, "size")[0] ?? "";
  const objects = allBlocks(body, "object").map((ob, i): VocObject => {
    const where = `${file}: object ${i + 1}`;
    const name = tagText(ob, "name");
    if (!name) throw new DataError(`${where} has no <name>`, file);
    const bb = allBlocks(ob, "bndbox")[0];
    if (bb === undefined) throw new DataError(`${where} (${name}) has no <bndbox>`, file);
    const coord = (tag: string): number => {
      const t = tagText(bb, tag);
      const v = t === undefined ? NaN : Number(t);
      if (t === undefined || t === "" || !Number.isFinite(v)) {
        throw new DataError(`${where} (${name}): <${tag}> is ${t === undefined ? "missing" : `"${t}"`}, need a number`, file);
      }
      return v;
    };
    const box = { xmin: coord("xmin"), ymin: coord("ymin"), xmax: coord("xmax"), ymax: coord("ymax") };
    if (box.xmax < box.xmin || box.ymax < box.ymin) {
      throw new DataError(
        `${where} (${name}): inverted box xmin=${box.xmin} xmax=${box.xmax} ymin=${box.ymin} ymax=${box.ymax}`,
        file,
      );
    }
    return { className: name, ...box, difficult: flag(ob, "difficult"), truncated: flag(ob, "truncated") };
  });
  return {
    filename: tagText(top, "filename") ?? "",
    folder: tagText(top, "folder") ?? "",
    width: optionalNumber(sizeXml, "width", file),
    height: optionalNumber(sizeXml, "height", file),
    depth: optionalNumber(sizeXml, "depth", file),
    objects,
  };
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
