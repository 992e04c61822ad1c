/**
 * Severstal Steel Defect Detection as a `Dataset`: `<root>/train.csv` (either published form, see
 * severstal-csv.ts) plus the file list of `<root>/train_images/`.
 *
 * - Every image in train_images without a defect row is defect-free (label 0 = "OK").
 * - `label` = the FIRST (lowest ClassId) defect present, 1..4, as in the Severstal classification
 *   write-ups that train a 5-way OK/defect classifier; `labels` = 4-vector presence; `rle` = 4 strings.
 * - Kaggle never named the 4 classes (they are anonymous ClassIds), so classNames are
 *   ["OK", "class_1", .., "class_4"]; don't invent names like "pitting" or "scratches".
 * - Images are not decoded here (image I/O lives elsewhere; `preflight` checks their real size): Severstal images are all 256x1600, so
 *   height/width come from the options.
 */
import * as fs from "fs";
import * as path from "path";
import { DataError, Dataset, Sample, Skip, ValidationMode } from "./types";
import { RleError, SEVERSTAL_HEIGHT, SEVERSTAL_WIDTH, rleArea } from "./rle";
import { parseSeverstalCsv, SeverstalCsvForm, SeverstalRowOut, SEVERSTAL_NUM_CLASSES } from "./severstal-csv";

export { parseSeverstalCsv, writeSeverstalCsv, SEVERSTAL_NUM_CLASSES } from "./severstal-csv";
export type { ParsedSeverstalCsv, SeverstalRow, SeverstalRowOut, SeverstalCsvOptions } from "./severstal-csv";

/** Index = Sample.label. Kaggle does not name the classes: ClassId k is "class_k". */
export const SEVERSTAL_CLASS_NAMES: readonly string[] = ["OK", "class_1", "class_2", "class_3", "class_4"];

/** Image file types listed from train_images (Severstal ships .jpg; the shared samples are PNG bytes named .jpg). */
const IMAGE_EXT = /\.(jpe?g|png)$/i;

export interface LoadSeverstalOptions {
  /** strict (default): first bad row throws a DataError; lenient: skip it and record a Skip. */
  mode?: ValidationMode;
  /** Image size the RLE is checked against and stored on samples; default 256x1600. */
  height?: number;
  width?: number;
  /** Labels file inside root; default "train.csv". */
  csvFile?: string;
  /** Image folder inside root; default "train_images". */
  imagesDir?: string;
  /** Recorded on the Dataset so reports can say which data they ran on; default "real". */
  source?: "real" | "synthetic";
}

/** The first (lowest ClassId) defect present, 1..4, or 0 when none: the single-label target. */
export function severstalLabel(presence: readonly number[]): number {
  for (let c = 0; c < presence.length; c++) if (presence[c]) return c + 1;
  return 0;
}

/**
 * Loads a Severstal-format folder. Rows whose image is missing from train_images are a DataError
 * (strict) or a Skip "missing-image: ..." per row (lenient). In lenient mode an image with any
 * skipped row is left out of `samples` (its mask would be wrong). Samples are sorted by file name.
 */
export async function loadSeverstal(root: string, opts: LoadSeverstalOptions = {}): Promise<Dataset> {
  const mode = opts.mode ?? "strict";
  const height = opts.height ?? SEVERSTAL_HEIGHT;
  const width = opts.width ?? SEVERSTAL_WIDTH;
  const absRoot = path.resolve(root);
  const csvPath = path.join(absRoot, opts.csvFile ?? "train.csv");
  const imgDir = path.join(absRoot, opts.imagesDir ?? "train_images");

  let text: string;
  try {
    text = await fs.promises.readFile(csvPath, "utf8");
  } catch (e) {
    throw new DataError(`${csvPath}: cannot read the Severstal labels (${(e as Error).message}); is ${absRoot} a Severstal folder?`, csvPath);
  }
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(imgDir, { withFileTypes: true });
  } catch (e) {
    throw new DataError(`${imgDir}: cannot list the Severstal images (${(e as Error).message}); expected <root>/train_images/*.jpg`, imgDir);
  }
  const files = entries
    .filter((d) => (d.isFile() || d.isSymbolicLink()) && IMAGE_EXT.test(d.name))
    .map((d) => d.name)
    .sort();
  const present = new Set(files);

  const parsed = parseSeverstalCsv(text, csvPath, { mode, height, width });
  const skipped: Skip[] = [...parsed.skipped];
  const rlesById = new Map<string, string[]>();
  for (const row of parsed.rows) {
    if (!present.has(row.imageId)) {
      const reason = `missing-image: no file ${row.imageId} in ${imgDir}`;
      if (mode === "lenient") {
        skipped.push({ file: csvPath, line: row.line, id: row.imageId, reason, code: "missing-image" });
        continue;
      }
      throw new DataError(
        `${csvPath}:${row.line}: ImageId "${row.imageId}": ${reason}. Point root at the full dataset, or load with mode "lenient" to skip such rows.`,
        csvPath,
        row.line,
        row.imageId,
        "missing-image",
      );
    }
    let rles = rlesById.get(row.imageId);
    if (!rles) {
      rles = new Array<string>(SEVERSTAL_NUM_CLASSES).fill("");
      rlesById.set(row.imageId, rles);
    }
    rles[row.classId - 1] = row.rle;
  }

  // A skipped row leaves its image's labels incomplete: the image is left out too (counted on the
  // row's Skip), never kept as defect-free.
  const badRowImages = new Set(parsed.skipped.map((k) => k.id).filter((id): id is string => Boolean(id)));
  const samples: Sample[] = files.filter((id) => !badRowImages.has(id)).map((id) => {
    const rle = rlesById.get(id) ?? new Array<string>(SEVERSTAL_NUM_CLASSES).fill("");
    const labels = rle.map((r) => (r === "" ? 0 : 1));
    return {
      id,
      path: path.join(imgDir, id),
      dataset: "severstal",
      label: severstalLabel(labels),
      labels,
      rle,
      height,
      width,
    };
  });
  return {
    name: "severstal",
    classNames: [...SEVERSTAL_CLASS_NAMES],
    samples,
    skipped,
    source: opts.source ?? "real",
    root: absRoot,
  };
}

/**
 * Rows for writeSeverstalCsv from samples: one per defect, or (includeEmpty) all 4 classes of
 * every sample so that defect-free images are listed too (needed for the wide form to name them).
 */
export function severstalRowsFromSamples(samples: readonly Sample[], opts: { includeEmpty?: boolean } = {}): SeverstalRowOut[] {
  const out: SeverstalRowOut[] = [];
  for (const s of samples) {
    if (!s.rle || s.rle.length !== SEVERSTAL_NUM_CLASSES) {
      throw new DataError(`sample ${s.id}: expected rle with ${SEVERSTAL_NUM_CLASSES} strings (is it a Severstal sample?)`, s.path, undefined, s.id);
    }
    for (let c = 0; c < SEVERSTAL_NUM_CLASSES; c++) {
      if (s.rle[c] !== "" || opts.includeEmpty) out.push({ imageId: s.id, classId: c + 1, rle: s.rle[c] });
    }
  }
  return out;
}

export interface SeverstalClassStats {
  classId: number;
  name: string;
  /** Images that have this class. */
  images: number;
  /** Defect pixels of this class over all images. */
  totalPixels: number;
  meanPixels: number;
  medianPixels: number;
  minPixels: number;
  maxPixels: number;
  /** Mean share of the image covered, over images that have this class. */
  meanFraction: number;
}

/** EDA numbers for tables; no plotting. */
export interface SeverstalSummary {
  images: number;
  defectFree: number;
  withDefects: number;
  /** Images per single label (index 0 = OK, 1..4 = first defect class). */
  labelCounts: number[];
  /** Images per number of distinct defect classes present (index 0..4). */
  imagesByDefectCount: number[];
  perClass: SeverstalClassStats[];
  skipped: number;
  source: Dataset["source"];
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Per-class defect counts, images per number of defects and mask areas. Areas are the pixel counts
 * of the decoded masks, computed from the validated runs (sum of lengths; runs never overlap, so it
 * equals counting decoded pixels without materialising 7,095 masks of 409,600 bytes).
 */
export function severstalSummary(ds: Dataset): SeverstalSummary {
  const labelCounts = new Array<number>(SEVERSTAL_NUM_CLASSES + 1).fill(0);
  const imagesByDefectCount = new Array<number>(SEVERSTAL_NUM_CLASSES + 1).fill(0);
  const areas: number[][] = Array.from({ length: SEVERSTAL_NUM_CLASSES }, () => []);
  const fractions = new Array<number>(SEVERSTAL_NUM_CLASSES).fill(0);
  for (const s of ds.samples) {
    const rle = s.rle ?? new Array<string>(SEVERSTAL_NUM_CLASSES).fill("");
    let present = 0;
    for (let c = 0; c < SEVERSTAL_NUM_CLASSES; c++) {
      const r = rle[c] ?? "";
      if (r === "") continue;
      let a: number;
      try {
        a = rleArea(r, s.height, s.width);
      } catch (e) {
        if (e instanceof RleError) throw new DataError(`sample ${s.id} ClassId ${c + 1}: ${e.message}`, s.path, undefined, s.id);
        throw e;
      }
      present++;
      areas[c].push(a);
      fractions[c] += a / (s.height * s.width);
    }
    imagesByDefectCount[present]++;
    labelCounts[s.label]++;
  }
  const perClass = areas.map((a, c) => {
    const total = a.reduce((x, y) => x + y, 0);
    return {
      classId: c + 1,
      name: SEVERSTAL_CLASS_NAMES[c + 1],
      images: a.length,
      totalPixels: total,
      meanPixels: a.length ? total / a.length : 0,
      medianPixels: median(a),
      minPixels: a.reduce((x, y) => (y < x ? y : x), a.length ? Infinity : 0),
      maxPixels: a.reduce((x, y) => (y > x ? y : x), 0),
      meanFraction: a.length ? fractions[c] / a.length : 0,
    };
  });
  return {
    images: ds.samples.length,
    defectFree: imagesByDefectCount[0],
    withDefects: ds.samples.length - imagesByDefectCount[0],
    labelCounts,
    imagesByDefectCount,
    perClass,
    skipped: ds.skipped.length,
    source: ds.source,
  };
}

export type { SeverstalCsvForm };
