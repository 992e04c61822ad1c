/**
 * Opening a dataset from a notebook or script: real data under data_raw/ when present, else the
 * seeded synthetic copy (generated on first use). Says loudly which one, and reports skipped rows
 * — through an `announce` sink, so this pipeline never renders (views/datasets.ts passes a banner).
 */
import * as path from "path";
import { ensureSyntheticData, locateDataset } from "../data/sources";
import { LENIENT_HINT, preflight, type PreflightOptions } from "../data/preflight";
import { formatSkipSummary, type DataSkipReport } from "../data/skip-report";
import { writeJsonAtomic } from "../util/atomic-write";
import { loadSeverstal } from "../data/severstal";
import { loadNeu } from "../data/neu";
import { loadGc10 } from "../data/gc10";
import { DataError, Dataset, DatasetName, ValidationMode } from "../data/types";
import type { Workspace } from "../runtime/workspace";

/** Where announcements go: a terminal line by default, a banner in notebooks. */
export type Announce = (text: string, kind: "info" | "warning") => void;

export const consoleAnnounce: Announce = (text) => console.log(`*** ${text} ***`);

export interface OpenDatasetOptions {
  /** "strict" (default): bad rows are errors naming file and line; "lenient": counted skips. */
  mode?: ValidationMode;
  /** Shorthand for mode "lenient" (the CLIs' --lenient). */
  lenient?: boolean;
  /** false: say nothing; a function: where to say it (default: the terminal). */
  announce?: boolean | Announce;
  /** Progress of the pre-flight check (default: a bar labelled "preflight <dataset>"). */
  progress?: PreflightOptions["progress"];
}

export interface CheckedDataset {
  dataset: Dataset;
  report: DataSkipReport;
  /** The one-line summary ("36 images used; 0 skipped"). */
  summary: string;
  /** outputs/data_check/<dataset>.json when something was skipped. */
  reportFile?: string;
}

/**
 * The pre-flight check of a loaded dataset (data/preflight.ts: every image header and label, before
 * training): strict throws one DataError naming the first bad file; lenient leaves bad samples out
 * and, when any were skipped, writes every skip to outputs/data_check/<dataset>.json.
 */
export async function checkDataset(ws: Workspace, ds: Dataset, opts: { lenient?: boolean; progress?: PreflightOptions["progress"] } = {}): Promise<CheckedDataset> {
  const checked = await preflight(ds, { lenient: opts.lenient, ...(opts.progress ? { progress: opts.progress } : {}) });
  const out: CheckedDataset = { ...checked, summary: formatSkipSummary(checked.report) };
  if (checked.report.skipped > 0) {
    out.reportFile = path.join(ws.paths.outputs, "data_check", `${ds.name}.json`);
    writeJsonAtomic(out.reportFile, checked.report);
  }
  return out;
}

function modeOf(opts: { mode?: ValidationMode; lenient?: boolean }): ValidationMode {
  return opts.lenient ? "lenient" : opts.mode ?? "strict";
}

/** Loads `name` from an explicit folder (the CLI's --data-root), in its real on-disk format. */
export async function loadDatasetAt(name: DatasetName, root: string, source: "real" | "synthetic" = "real", mode: ValidationMode = "strict"): Promise<Dataset> {
  if (!["severstal", "neu", "gc10"].includes(name)) throw new Error(`unknown dataset "${name}" (severstal, neu or gc10)`);
  const ds = name === "severstal" ? await loadSeverstal(root, { mode, source }) : name === "neu" ? await loadNeu(root, { mode, source }) : await loadGc10(root, { mode, source });
  ds.source = source;
  return ds;
}

/**
 * loadDatasetAt, then the pre-flight check (checkDataset): what openDataset and the commands'
 * --data-root run before any training. A strict loader error gets the --lenient hint too.
 */
export async function loadCheckedDataset(
  ws: Workspace,
  name: DatasetName,
  root: string,
  opts: { source?: "real" | "synthetic"; mode?: ValidationMode; progress?: PreflightOptions["progress"] } = {},
): Promise<CheckedDataset> {
  const mode = opts.mode ?? "strict";
  let loaded: Dataset;
  try {
    loaded = await loadDatasetAt(name, root, opts.source ?? "real", mode);
  } catch (err) {
    if (!(err instanceof DataError) || mode === "lenient" || err.message.includes(LENIENT_HINT)) throw err;
    throw new DataError(`${err.message} (${LENIENT_HINT})`, err.file, err.line, err.id, err.code);
  }
  return checkDataset(ws, loaded, { lenient: mode === "lenient", progress: opts.progress });
}

/**
 * One line for the skips of a lenient load ("" when nothing was skipped). To be replaced by the
 * data layer's formatSkipSummary when it lands.
 */
export function skipSummaryLine(ds: Dataset): string {
  if (!ds.skipped.length) return "";
  const first = ds.skipped[0];
  return `${ds.name}: ${ds.skipped.length} bad rows/files skipped (lenient mode), first: ${first.file}${first.line ? ` line ${first.line}` : ""}: ${first.reason}`;
}

export async function openDataset(ws: Workspace, name: DatasetName, opts: OpenDatasetOptions = {}): Promise<Dataset> {
  const loc = locateDataset(name, ws.paths);
  if (loc.source === "synthetic") {
    await ensureSyntheticData({ profile: ws.config.profile, seed: ws.config.seed, paths: ws.paths, datasets: [name] });
  }
  // Pre-flight as the commands do: a broken file is found now, in seconds, not when first sampled.
  const checked = await loadCheckedDataset(ws, name, loc.root, { source: loc.source, mode: modeOf(opts), progress: opts.progress });
  const ds = checked.dataset;
  ws.dataSources[name] = loc.source;
  const announce = opts.announce === false ? undefined : typeof opts.announce === "function" ? opts.announce : consoleAnnounce;
  if (announce) {
    const what = `${name}: ${ds.samples.length} images, ${ds.classNames.length} classes`;
    if (loc.source === "synthetic") {
      announce(
        `${what} — SYNTHETIC data (seed ${ws.config.seed}, profile ${ws.config.profile}) generated by the workspace because ` +
          `data_raw/${name}/ holds no real data. Results check the pipeline; they say nothing about real-data performance.`,
        "warning",
      );
    } else {
      announce(`${what} — REAL data from ${loc.root}`, "info");
    }
    if (checked.report.skipped > 0) announce(`${name} pre-flight check: ${checked.summary} (every skip in ${checked.reportFile})`, "warning");
    else announce(`${name} pre-flight check: ${checked.summary}`, "info");
  }
  return ds;
}
