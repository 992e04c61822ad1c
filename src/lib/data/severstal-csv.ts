/**
 * Severstal train.csv, both published forms, read and written.
 *
 * - "long" (the competition's current file): header `ImageId,ClassId,EncodedPixels`, one row per
 *   defect (ImageId, ClassId); images without defects have no row.
 * - "wide" (the original release): header `ImageId_ClassId,EncodedPixels`, 4 rows per image
 *   (`abc.jpg_1` .. `abc.jpg_4`), EncodedPixels empty when that class is absent.
 *
 * Every row is validated (column count, ImageId, ClassId 1..4, duplicates, RLE via the codec).
 * `strict` throws a DataError naming file, 1-based line and ImageId; `lenient` skips the row and
 * records a Skip whose reason starts with a stable code (`odd-tokens: ...`), so reports can count them.
 */
import { DataError, Skip, ValidationMode } from "./types";
import { RleError, SEVERSTAL_HEIGHT, SEVERSTAL_WIDTH, validateRle } from "./rle";
import { readCsv, writeCsv } from "./csv";

export type SeverstalCsvForm = "long" | "wide";

/** Severstal ClassIds are 1..SEVERSTAL_NUM_CLASSES. */
export const SEVERSTAL_NUM_CLASSES = 4;

export const SEVERSTAL_LONG_HEADER = "ImageId,ClassId,EncodedPixels";
export const SEVERSTAL_WIDE_HEADER = "ImageId_ClassId,EncodedPixels";

/** One (ImageId, ClassId) row. `rle` is "" when the row says "no defect of this class" (wide form). */
export interface SeverstalRow {
  imageId: string;
  classId: number;
  rle: string;
  /** 1-based line in the file (the header is line 1). */
  line: number;
}

export interface SeverstalCsvOptions {
  mode?: ValidationMode;
  /** Image size the RLE is checked against; default 256x1600. */
  height?: number;
  width?: number;
}

export interface ParsedSeverstalCsv {
  rows: SeverstalRow[];
  skipped: Skip[];
  form: SeverstalCsvForm;
}

/** Stable reason codes of a rejected row (RLE codes come from the codec). */
export type SeverstalRowProblem =
  | "column-count"
  | "empty-image-id"
  | "bad-image-class-id"
  | "unknown-class"
  | "duplicate"
  | RleError["reason"];

interface Layout {
  form: SeverstalCsvForm;
  columns: number;
  /** long: column of ImageId / ClassId; wide: column of ImageId_ClassId (classCol = -1). */
  idCol: number;
  classCol: number;
  rleCol: number;
}

function detectLayout(cols: string[]): Layout | undefined {
  const at = (name: string) => cols.indexOf(name);
  if (cols.length === 3 && at("ImageId") >= 0 && at("ClassId") >= 0 && at("EncodedPixels") >= 0) {
    return { form: "long", columns: 3, idCol: at("ImageId"), classCol: at("ClassId"), rleCol: at("EncodedPixels") };
  }
  if (cols.length === 2 && at("ImageId_ClassId") >= 0 && at("EncodedPixels") >= 0) {
    return { form: "wide", columns: 2, idCol: at("ImageId_ClassId"), classCol: -1, rleCol: at("EncodedPixels") };
  }
  return undefined;
}

/** Parses a ClassId field; NaN unless it is an integer written in digits. */
function parseClassId(text: string): number {
  const t = text.trim();
  return /^[0-9]+$/.test(t) ? Number(t) : NaN;
}

/**
 * Parses a Severstal train.csv (either form, detected from the header; columns may come in any
 * order, e.g. Kaggle's sample_submission `ImageId,EncodedPixels,ClassId`). Blank lines are ignored.
 * Returned rows keep file order and include "" RLEs (explicitly absent classes).
 */
export function parseSeverstalCsv(text: string, file: string, opts: SeverstalCsvOptions = {}): ParsedSeverstalCsv {
  const mode = opts.mode ?? "strict";
  const height = opts.height ?? SEVERSTAL_HEIGHT;
  const width = opts.width ?? SEVERSTAL_WIDTH;
  if (mode !== "strict" && mode !== "lenient") throw new Error(`parseSeverstalCsv: mode must be "strict" or "lenient", got "${mode}"`);
  const records = readCsv(text, file);
  const head = records[0];
  if (!head || head.line !== 1 || head.fields.every((f) => f.trim() === "")) {
    throw new DataError(
      `${file}: empty file or blank header line; expected "${SEVERSTAL_LONG_HEADER}" or "${SEVERSTAL_WIDE_HEADER}"`,
      file,
      1,
    );
  }
  const headerLine = head.fields.join(",");
  const layout = detectLayout(head.fields.map((h) => h.trim()));
  if (!layout) {
    throw new DataError(
      `${file}: unrecognised header "${headerLine}"; expected "${SEVERSTAL_LONG_HEADER}" (current Severstal train.csv) ` +
        `or "${SEVERSTAL_WIDE_HEADER}" (original 4-rows-per-image form)`,
      file,
      1,
    );
  }

  const rows: SeverstalRow[] = [];
  const skipped: Skip[] = [];
  const seen = new Map<string, number>(); // "imageId\0classId" → line of the accepted row

  const reject = (line: number, id: string | undefined, code: SeverstalRowProblem, detail: string): void => {
    const reason = `${code}: ${detail}`;
    if (mode === "lenient") {
      skipped.push({ file, line, id, reason, code });
      return;
    }
    throw new DataError(
      `${file}:${line}: ImageId ${id === undefined || id === "" ? "(none)" : `"${id}"`}: ${reason}. ` +
        `Fix the row, or load with mode "lenient" to skip and count bad rows.`,
      file,
      line,
      id,
      code,
    );
  };

  for (const { fields, line } of records.slice(1)) {
    if (fields.length !== layout.columns) {
      // Best-effort ImageId for the message.
      let id = (fields[layout.idCol] ?? "").trim();
      if (layout.form === "wide" && id.lastIndexOf("_") >= 0) id = id.slice(0, id.lastIndexOf("_"));
      reject(line, id, "column-count", `${fields.length} columns, the header has ${layout.columns}`);
      continue;
    }
    let imageId: string;
    let classText: string;
    if (layout.form === "long") {
      imageId = fields[layout.idCol].trim();
      classText = fields[layout.classCol];
    } else {
      const key = fields[layout.idCol].trim();
      const cut = key.lastIndexOf("_");
      if (cut < 0) {
        reject(line, key, "bad-image-class-id", `"${key}" is not ImageId_ClassId (e.g. "0002cc93b.jpg_1")`);
        continue;
      }
      imageId = key.slice(0, cut);
      classText = key.slice(cut + 1);
    }
    if (imageId === "") {
      reject(line, imageId, "empty-image-id", "ImageId is empty");
      continue;
    }
    const classId = parseClassId(classText);
    if (!(classId >= 1 && classId <= SEVERSTAL_NUM_CLASSES)) {
      reject(line, imageId, "unknown-class", `ClassId "${classText.trim()}" is not one of 1..${SEVERSTAL_NUM_CLASSES}`);
      continue;
    }
    const dupKey = `${imageId}\u0000${classId}`;
    const firstLine = seen.get(dupKey);
    if (firstLine !== undefined) {
      reject(line, imageId, "duplicate", `second row for ClassId ${classId} (first at line ${firstLine})`);
      continue;
    }
    const rle = fields[layout.rleCol].trim();
    try {
      validateRle(rle, height, width);
    } catch (e) {
      if (!(e instanceof RleError)) throw e;
      reject(line, imageId, e.reason, `ClassId ${classId}: ${e.message} (image ${height}x${width})`);
      continue;
    }
    seen.set(dupKey, line);
    rows.push({ imageId, classId, rle, line });
  }
  return { rows, skipped, form: layout.form };
}

/** A row to write; `line` is ignored if present. */
export type SeverstalRowOut = Pick<SeverstalRow, "imageId" | "classId" | "rle">;

export interface WriteSeverstalOptions {
  /** long form: write all 4 classes of every image, "" for absent ones (default false: one row per defect, like train.csv). */
  includeEmpty?: boolean;
}

/**
 * Writes rows as a Severstal CSV (submission files, converted train.csv). Output is sorted by
 * ImageId then ClassId so the same rows always give the same bytes. "long": `ImageId,ClassId,EncodedPixels`
 * (Kaggle's form); "wide": `ImageId_ClassId,EncodedPixels` with all 4 classes of every image that
 * appears in `rows` (missing classes written empty). Throws on a duplicate (ImageId, ClassId),
 * a ClassId outside 1..4, or an ImageId that is empty or holds a comma/newline.
 */
export function writeSeverstalCsv(rows: readonly SeverstalRowOut[], form: SeverstalCsvForm, opts: WriteSeverstalOptions = {}): string {
  if (form !== "long" && form !== "wide") throw new Error(`writeSeverstalCsv: form must be "long" or "wide", got "${form}"`);
  const byImage = new Map<string, string[]>();
  const dupGuard = new Set<string>();
  rows.forEach((r, i) => {
    if (!r.imageId || /[,\r\n"]/.test(r.imageId)) throw new Error(`writeSeverstalCsv: row ${i}: bad ImageId "${r.imageId}"`);
    if (!Number.isInteger(r.classId) || r.classId < 1 || r.classId > SEVERSTAL_NUM_CLASSES) {
      throw new Error(`writeSeverstalCsv: row ${i} (${r.imageId}): ClassId ${r.classId} is not one of 1..${SEVERSTAL_NUM_CLASSES}`);
    }
    if (/[,\r\n"]/.test(r.rle)) throw new Error(`writeSeverstalCsv: row ${i} (${r.imageId}): EncodedPixels holds a comma, quote or newline`);
    let rles = byImage.get(r.imageId);
    if (!rles) {
      rles = new Array<string>(SEVERSTAL_NUM_CLASSES).fill("");
      byImage.set(r.imageId, rles);
    }
    const key = `${r.imageId}\u0000${r.classId}`;
    if (dupGuard.has(key)) throw new Error(`writeSeverstalCsv: duplicate row for ${r.imageId} ClassId ${r.classId}`);
    dupGuard.add(key);
    rles[r.classId - 1] = r.rle.trim();
  });
  const ids = [...byImage.keys()].sort();
  const out: string[][] = [(form === "long" ? SEVERSTAL_LONG_HEADER : SEVERSTAL_WIDE_HEADER).split(",")];
  for (const id of ids) {
    const rles = byImage.get(id) as string[];
    for (let c = 0; c < SEVERSTAL_NUM_CLASSES; c++) {
      if (form === "wide") out.push([`${id}_${c + 1}`, rles[c]]);
      else if (rles[c] !== "" || opts.includeEmpty) out.push([id, String(c + 1), rles[c]]);
    }
  }
  return writeCsv(out);
}
