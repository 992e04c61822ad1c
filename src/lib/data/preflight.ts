/**
 * Pre-flight check: every image header read once (size, format, end marker; no pixel decode) and
 * every label file parsed, before any training starts, so a broken file is found in seconds and not
 * in epoch 2. Strict (default) throws ONE DataError naming the first bad file (and row), with the
 * number of problems and the hint that --lenient skips and counts them. Lenient returns the dataset
 * minus the bad samples and a DataSkipReport (see skip-report.ts).
 *
 * Checks on top of the loaders' own (CSV rows, RLE, XML, class names):
 * - unreadable / truncated images;
 * - Severstal: every image has the size its masks are decoded at (256×1600 unless declared);
 * - NEU / GC10: the XML <size> matches the real image; every box lies inside the real image
 *   (VOC pixel coordinates, 1..W × 1..H), refused or clipped as `boxes` says;
 * - a sample with any label problem (unknown class, bad annotation, bad RLE row) is left out whole;
 * - an empty dataset is an error naming the folder and what was expected there.
 */
import * as path from "path";
import { createProgress, type Progress } from "../util/progress";
import { loadGc10 } from "./gc10";
import { probeImage } from "./image-io";
import { loadNeu } from "./neu";
import { loadSeverstal } from "./severstal";
import { buildSkipReport, formatSkipSummary, skipCode, type DataSkipReport } from "./skip-report";
import { Box, DataError, Dataset, DatasetName, Sample, Skip, ValidationMode } from "./types";

/** Boxes outside the real image: "refuse" (a problem: strict throws, lenient skips the image) or "clip" (clipped and counted). */
export type BoxPolicy = "refuse" | "clip";

export interface PreflightOptions {
  /** Skip and count bad inputs instead of throwing (the CLI's --lenient). Default false. */
  lenient?: boolean;
  /** Default "refuse". A box with nothing inside the image is refused under "clip" too. */
  boxes?: BoxPolicy;
  /**
   * Severstal: the size every image must have and its RLE is checked against (default: the size the
   * dataset declares on its samples; 256×1600 when preflight loads it).
   */
  imageSize?: { height: number; width: number };
  /** Progress display (default: a bar labelled "preflight <dataset>"). */
  progress?: Progress;
}

/** A dataset not loaded yet: preflight loads it (strict or lenient) and checks it. */
export interface DatasetTarget {
  name: DatasetName;
  root: string;
  source?: "real" | "synthetic";
}

export interface PreflightResult {
  /** The usable samples (sizes from the real images, boxes clipped when asked); `skipped` = every problem. */
  dataset: Dataset;
  report: DataSkipReport;
}

/** Images probed at once. */
const CONCURRENCY = 8;

export const LENIENT_HINT = "--lenient skips and counts bad inputs";

/** Datasets preflight returned, so a later stage (runClassification) does not check them twice. */
const checkedDatasets = new WeakSet<Dataset>();

/** Whether `ds` is a dataset preflight returned (samples not replaced since). */
export function wasPreflighted(ds: Dataset): boolean {
  return checkedDatasets.has(ds);
}

/** Codes of skips that do not make a kept sample bad (the first copy was kept; the file has no image). */
const HARMLESS = new Set(["duplicate", "orphan-annotation"]);

const EXPECTED_LAYOUT: Record<DatasetName, string> = {
  severstal: "train.csv (ImageId,ClassId,EncodedPixels) and train_images/*.jpg",
  neu: "images named <class>_<n>.jpg (e.g. crazing_1.jpg, or class folders), VOC XML in annotations/",
  gc10: "class folders 1 … 10 holding the images, VOC XML in lable/",
};

async function load(t: DatasetTarget, mode: ValidationMode, imageSize?: { height: number; width: number }): Promise<Dataset> {
  const o = { mode, source: t.source };
  if (t.name === "severstal") return loadSeverstal(t.root, { ...o, ...imageSize });
  if (t.name === "neu") return loadNeu(t.root, o);
  if (t.name === "gc10") return loadGc10(t.root, o);
  throw new Error(`preflight: unknown dataset "${t.name as string}" (severstal, neu or gc10)`);
}

function where(p: Skip): string {
  return `${p.file}${p.line !== undefined ? `:${p.line}` : ""}`;
}

function strictError(problems: Skip[], root: string): DataError {
  const p = problems[0];
  const text = p.reason.includes(p.file) ? p.reason : `${where(p)}: ${p.reason}`;
  const more = problems.length > 1 ? ` (${problems.length} problems in ${root}; this is the first)` : "";
  return new DataError(`${text}${more}. ${LENIENT_HINT}`, p.file, p.line, p.id, skipCode(p));
}

/** VOC pixel coordinates are 1-based and inclusive. */
function boxInside(b: Box, height: number, width: number): boolean {
  return b.xmin >= 1 && b.ymin >= 1 && b.xmax <= width && b.ymax <= height;
}

function clipBox(b: Box, height: number, width: number): Box | undefined {
  const c = { ...b, xmin: Math.max(1, b.xmin), ymin: Math.max(1, b.ymin), xmax: Math.min(width, b.xmax), ymax: Math.min(height, b.ymax) };
  return c.xmin <= c.xmax && c.ymin <= c.ymax ? c : undefined;
}

interface SampleCheck {
  sample?: Sample;
  problems: Skip[];
  clipped: number;
}

async function checkSample(s: Sample, ds: Dataset, opts: PreflightOptions): Promise<SampleCheck> {
  const problem = (code: string, reason: string): SampleCheck => ({ problems: [{ file: s.path, id: s.id, code, reason }], clipped: 0 });
  let header;
  try {
    header = await probeImage(s.path);
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    return problem(err.code ?? "unreadable-image", err.message);
  }
  const { height, width } = header;
  if (ds.name === "severstal") {
    const want = opts.imageSize ?? { height: s.height, width: s.width };
    if (height !== want.height || width !== want.width) {
      return problem("wrong-size", `image is ${height}x${width} (${header.format}); its masks are decoded at ${want.height}x${want.width}`);
    }
    return { sample: s, problems: [], clipped: 0 };
  }
  if (s.boxes !== undefined && (s.height !== height || s.width !== width)) {
    return problem("size-mismatch", `XML <size> says ${s.width}x${s.height} (WxH) but the image is ${width}x${height}`);
  }
  let clipped = 0;
  const boxes: Box[] = [];
  for (const [i, b] of (s.boxes ?? []).entries()) {
    if (boxInside(b, height, width)) {
      boxes.push(b);
      continue;
    }
    const c = opts.boxes === "clip" ? clipBox(b, height, width) : undefined;
    if (!c) {
      return problem(
        "box-outside-image",
        `box ${i + 1} (${b.className}) x ${b.xmin}..${b.xmax}, y ${b.ymin}..${b.ymax} is outside the ${width}x${height} image` +
          (opts.boxes === "clip" ? " (nothing left to clip)" : ""),
      );
    }
    boxes.push(c);
    clipped++;
  }
  return { sample: { ...s, height, width, ...(s.boxes ? { boxes } : {}) }, problems: [], clipped };
}

/**
 * Loads (when given a location) and checks a dataset. Strict: throws a DataError on any problem;
 * lenient: returns the usable samples and the report. Empty or fully skipped data is always an error.
 */
export async function preflight(target: Dataset | DatasetTarget, opts: PreflightOptions = {}): Promise<PreflightResult> {
  const mode: ValidationMode = opts.lenient ? "lenient" : "strict";
  let ds: Dataset;
  if ("samples" in target) ds = target;
  else {
    try {
      ds = await load(target, mode, opts.imageSize);
    } catch (err) {
      if (!(err instanceof DataError) || mode === "lenient") throw err;
      throw new DataError(`${err.message} (${LENIENT_HINT})`, err.file, err.line, err.id, err.code);
    }
  }
  const root = path.resolve(ds.root);
  if (ds.samples.length === 0 && ds.skipped.length === 0) {
    throw new DataError(`${root}: no ${ds.name} images found; expected ${EXPECTED_LAYOUT[ds.name]}`, root);
  }
  const problems: Skip[] = ds.skipped.map((s) => ({ ...s, code: skipCode(s) }));
  const labelProblemIds = new Set(problems.filter((p) => p.id !== undefined && !HARMLESS.has(p.code as string)).map((p) => p.id));
  const progress = opts.progress ?? createProgress({ total: ds.samples.length, label: `preflight ${ds.name}` });
  const kept: Sample[] = [];
  let clipped = 0;
  // Header reads overlap a little (sharp works on libuv threads); results are taken in sample order.
  for (let start = 0; start < ds.samples.length; start += CONCURRENCY) {
    const chunk = ds.samples.slice(start, start + CONCURRENCY);
    const checks = await Promise.all(chunk.map((s) => checkSample(s, ds, opts)));
    checks.forEach((c, k) => {
      problems.push(...c.problems);
      clipped += c.clipped;
      if (c.sample && !labelProblemIds.has(chunk[k].id)) kept.push(c.sample);
    });
    progress.tick(chunk.length);
  }
  progress.done();
  if (mode === "strict" && problems.length > 0) throw strictError(problems, root);
  const checked: Dataset = { ...ds, samples: kept, skipped: problems };
  const report = buildSkipReport(checked, clipped);
  if (kept.length === 0) {
    throw new DataError(`${root}: all ${ds.name} images were skipped, nothing left to train on — ${formatSkipSummary(report)}`, root);
  }
  checkedDatasets.add(checked);
  return { dataset: checked, report };
}
