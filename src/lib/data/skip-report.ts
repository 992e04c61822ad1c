/**
 * What lenient loading left out, in one JSON-ready object, and the one-line summary every command
 * prints ("1,193 images used; 7 skipped: 4 unreadable (crazing_3.jpg, …), 3 unknown class (…)").
 */
import * as path from "path";
import type { Dataset, DatasetName, Skip } from "./types";

/** RLE codec reason codes, counted together as one reason "bad-rle-row". */
const RLE_CODES = new Set(["odd-tokens", "not-a-number", "non-positive", "past-end", "unsorted", "overlap"]);
/** Severstal CSV row shapes, counted together as "bad-csv-row". */
const CSV_CODES = new Set(["column-count", "empty-image-id", "bad-image-class-id"]);

/** Words for the summary line; codes not listed print with "-" as spaces. */
const REASON_WORDS: Record<string, string> = {
  "unreadable-image": "unreadable",
  "truncated-image": "truncated",
  "wrong-size": "wrong size",
  "size-mismatch": "XML size ≠ image size",
  "box-outside-image": "box outside image",
  "bad-rle-row": "bad RLE row",
  "bad-csv-row": "bad CSV row",
  "orphan-annotation": "annotation without image",
};

/** Number of examples kept per reason. */
export const SKIP_EXAMPLES = 3;

export interface DataSkipReport {
  dataset: DatasetName;
  root: string;
  source: Dataset["source"];
  /** Samples handed to training/evaluation after the check. */
  imagesUsed: number;
  /** Skip entries (images, rows or annotation files) in all. */
  skipped: number;
  /** Skip entries per reason code, keys sorted. */
  byReason: Record<string, number>;
  /** First SKIP_EXAMPLES file names (`train.csv:12` for rows) per reason. */
  examples: Record<string, string[]>;
  /** Boxes clipped to the image (boxes: "clip"); not skips, the samples stay. */
  boxesClipped: number;
  /** Every skip, with its reason code filled in. */
  skips: (Skip & { code: string })[];
}

/** The counting code of a skip: its `code`, else a leading `code:` of the reason, else "other". */
export function skipCode(s: Skip): string {
  const raw = s.code ?? /^([a-z][a-z0-9-]*):/.exec(s.reason)?.[1] ?? "other";
  if (RLE_CODES.has(raw)) return "bad-rle-row";
  if (CSV_CODES.has(raw)) return "bad-csv-row";
  return raw;
}

function exampleName(s: Skip): string {
  const base = path.basename(s.file);
  return s.line !== undefined ? `${base}:${s.line}` : base;
}

export function buildSkipReport(ds: Dataset, boxesClipped = 0): DataSkipReport {
  const byReason: Record<string, number> = {};
  const examples: Record<string, string[]> = {};
  const skips = ds.skipped.map((s) => ({ ...s, code: skipCode(s) }));
  for (const s of skips) {
    byReason[s.code] = (byReason[s.code] ?? 0) + 1;
    const ex = (examples[s.code] ??= []);
    if (ex.length < SKIP_EXAMPLES) ex.push(exampleName(s));
  }
  const sortedKeys = Object.keys(byReason).sort();
  return {
    dataset: ds.name,
    root: ds.root,
    source: ds.source,
    imagesUsed: ds.samples.length,
    skipped: skips.length,
    byReason: Object.fromEntries(sortedKeys.map((k) => [k, byReason[k]])),
    examples: Object.fromEntries(sortedKeys.map((k) => [k, examples[k]])),
    boxesClipped,
    skips,
  };
}

const count = (n: number): string => n.toLocaleString("en-US");

/** "1,193 images used; 7 skipped: 4 unreadable (crazing_3.jpg, crazing_9.jpg, …), 3 unknown class (…)". */
export function formatSkipSummary(report: DataSkipReport): string {
  let line = `${count(report.imagesUsed)} images used; ${count(report.skipped)} skipped`;
  const parts = Object.entries(report.byReason)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([code, n]) => {
      const ex = report.examples[code] ?? [];
      const shown = ex.slice(0, 2).join(", ") + (n > 2 ? ", …" : "");
      return `${count(n)} ${REASON_WORDS[code] ?? code.replace(/-/g, " ")} (${shown})`;
    });
  if (parts.length > 0) line += `: ${parts.join(", ")}`;
  if (report.boxesClipped > 0) line += `; ${count(report.boxesClipped)} boxes clipped to the image`;
  return line;
}
