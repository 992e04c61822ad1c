/**
 * Exploratory data analysis for the three datasets: the numbers (pure functions, tested) and
 * the images they show; the notebook views are in src/lib/views/eda.ts.
 */
import * as dfd from "danfojs-node";
import { Dataset, Sample } from "../data/types";
import { parseRleRuns, decodeMasks } from "../data/rle";
import { severstalSummary, SeverstalSummary } from "../data/severstal";
import { readImage, maskOverlayPng, encodePng } from "../data/image-io";
import { Cell } from "../report/html";

/** One defect (image × class) with its mask area and bounding box, from the RLE runs alone. */
export interface DefectRow {
  imageId: string;
  classId: number;
  className: string;
  area: number;
  bboxHeight: number;
  bboxWidth: number;
  /** area / bbox area: thin scratches are low, blobs high. */
  fill: number;
}

/**
 * Bounding box of a column-major RLE mask (runs go down a column, then wrap to the next).
 * A run that wraps a column spans the full height of the columns it touches.
 */
export function rleBoundingBox(rle: string, height: number, width: number): { top: number; left: number; bottom: number; right: number; area: number } | undefined {
  const { starts, lengths } = parseRleRuns(rle, height, width);
  if (starts.length === 0) return undefined;
  let top = Infinity;
  let bottom = -Infinity;
  let left = Infinity;
  let right = -Infinity;
  let area = 0;
  for (let i = 0; i < starts.length; i++) {
    const first = starts[i] - 1;
    const last = first + lengths[i] - 1;
    area += lengths[i];
    const c0 = Math.floor(first / height);
    const c1 = Math.floor(last / height);
    left = Math.min(left, c0);
    right = Math.max(right, c1);
    if (c0 === c1) {
      top = Math.min(top, first % height);
      bottom = Math.max(bottom, last % height);
    } else {
      // Wraps a column boundary: it reaches the bottom of column c0 and the top of column c1.
      top = 0;
      bottom = height - 1;
    }
  }
  return { top, left, bottom, right, area };
}

export function severstalDefects(ds: Dataset): DefectRow[] {
  const rows: DefectRow[] = [];
  for (const s of ds.samples) {
    (s.rle ?? []).forEach((rle, c) => {
      if (!rle) return;
      const b = rleBoundingBox(rle, s.height, s.width);
      if (!b) return;
      const h = b.bottom - b.top + 1;
      const w = b.right - b.left + 1;
      rows.push({ imageId: s.id, classId: c + 1, className: ds.classNames[c + 1], area: b.area, bboxHeight: h, bboxWidth: w, fill: b.area / (h * w) });
    });
  }
  return rows;
}

/** Aggregates rows per group with danfojs (count, mean, min, max of each numeric column). */
export function aggregate(rows: Record<string, Cell>[], by: string, columns: string[]): Record<string, Cell>[] {
  if (rows.length === 0) return [];
  const df = new dfd.DataFrame(rows.map((r) => Object.fromEntries([by, ...columns].map((k) => [k, r[k]]))));
  const spec: Record<string, string[]> = {};
  columns.forEach((c, i) => (spec[c] = i === 0 ? ["count", "mean", "min", "max"] : ["mean", "min", "max"]));
  const out = dfd.toJSON(df.groupby([by]).agg(spec)) as Record<string, Cell>[];
  return out.sort((a, b) => String(a[by]).localeCompare(String(b[by]), "en", { numeric: true }));
}

export interface SeverstalEda {
  summary: SeverstalSummary;
  defects: DefectRow[];
}

export function severstalEda(ds: Dataset): SeverstalEda {
  return { summary: severstalSummary(ds), defects: severstalDefects(ds) };
}

function firstWith(ds: Dataset, pred: (s: Sample) => boolean): Sample | undefined {
  return ds.samples.find(pred);
}

/** One example image per defect class with its masks overlaid (downscaled for display). */
export async function severstalOverlays(ds: Dataset): Promise<{ className: string; imageId: string; png: Buffer }[]> {
  const out: { className: string; imageId: string; png: Buffer }[] = [];
  for (let c = 0; c < 4; c++) {
    const s = firstWith(ds, (x) => Boolean(x.rle?.[c]));
    if (!s || !s.rle) continue;
    const img = await readImage(s.path, { channels: 3 });
    const mask = decodeMasks(s.rle, img.height, img.width);
    out.push({ className: ds.classNames[c + 1], imageId: s.id, png: await maskOverlayPng(img, mask) });
  }
  return out;
}

/** Class counts and box statistics for NEU or GC10 (boxes when annotations exist). */
export function classBoxStats(ds: Dataset): { counts: number[]; boxes: { className: string; width: number; height: number }[] } {
  const counts = new Array<number>(ds.classNames.length).fill(0);
  const boxes: { className: string; width: number; height: number }[] = [];
  for (const s of ds.samples) {
    counts[s.label]++;
    for (const b of s.boxes ?? []) boxes.push({ className: b.className, width: b.xmax - b.xmin + 1, height: b.ymax - b.ymin + 1 });
  }
  return { counts, boxes };
}

/** A grid of one example per class, for NEU (200×200) or downscaled GC10 frames. */
export async function classExamplesPng(ds: Dataset, size: { height: number; width: number }): Promise<Buffer> {
  const tiles: Float32Array[] = [];
  for (let c = 0; c < ds.classNames.length; c++) {
    const s = firstWith(ds, (x) => x.label === c);
    tiles.push(s ? (await readImage(s.path, { channels: 1, ...size })).data : new Float32Array(size.height * size.width));
  }
  const pad = 4;
  const W = tiles.length * (size.width + pad) - pad;
  const data = new Float32Array(size.height * W).fill(1);
  tiles.forEach((t, i) => {
    for (let y = 0; y < size.height; y++) data.set(t.subarray(y * size.width, (y + 1) * size.width), y * W + i * (size.width + pad));
  });
  return encodePng({ data, height: size.height, width: W, channels: 1 });
}
