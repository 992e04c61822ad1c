/**
 * historyLogger({dir}) (Keras CSVLogger's role): writes <dir>/history.csv and history.json after
 * every epoch and at the end of training (atomic writes), so a crashed run still leaves its curve.
 * After a resume the files hold the whole history, restored epochs included.
 *
 * CSV columns, in this FIXED order (a column only when some row has it):
 *   epoch, lr, loss, accuracy, macroF1, microF1, dice,
 *   val_loss, val_accuracy, val_macroF1, val_microF1, val_dice,
 *   then any other key in alphabetical order.
 * Cells are full-precision numbers (String(v)); a row without a key leaves its cell empty.
 */
import * as path from "path";
import { writeFileAtomic, writeJsonAtomic } from "../../util/atomic-write";
import { Callback, EpochLogs } from "../types";

const METRICS = ["loss", "accuracy", "macroF1", "microF1", "dice"];
export const HISTORY_COLUMN_ORDER: readonly string[] = ["epoch", "lr", ...METRICS, ...METRICS.map((m) => `val_${m}`)];

export function historyColumns(history: readonly EpochLogs[]): string[] {
  const present = new Set<string>();
  for (const row of history) for (const k of Object.keys(row)) present.add(k);
  const known = HISTORY_COLUMN_ORDER.filter((c) => present.has(c) || c === "epoch" || c === "lr");
  const rest = [...present].filter((k) => !HISTORY_COLUMN_ORDER.includes(k)).sort();
  return [...known, ...rest];
}

/** CSV text of a history (full float precision; empty cell where a row lacks a key). */
export function historyToCsv(history: readonly EpochLogs[]): string {
  const cols = historyColumns(history);
  const lines = [cols.join(",")];
  for (const row of history) lines.push(cols.map((c) => (row[c] === undefined || row[c] === null ? "" : String(row[c]))).join(","));
  return lines.join("\n") + "\n";
}

export interface HistoryFiles {
  csv: string;
  json: string;
}

/** Writes `<dir>/<basename>.csv` and `.json`; returns their paths. */
export function writeHistory(dir: string, history: readonly EpochLogs[], basename = "history"): HistoryFiles {
  const files = { csv: path.join(dir, `${basename}.csv`), json: path.join(dir, `${basename}.json`) };
  writeFileAtomic(files.csv, historyToCsv(history));
  writeJsonAtomic(files.json, history);
  return files;
}

export interface HistoryLoggerOptions {
  dir: string;
  /** File name without extension; default "history". */
  basename?: string;
}

export interface HistoryLoggerCallback extends Callback {
  /** Where the files go (written from the first epoch end on). */
  readonly files: HistoryFiles;
}

export function historyLogger(options: HistoryLoggerOptions): HistoryLoggerCallback {
  const basename = options.basename ?? "history";
  const files = { csv: path.join(options.dir, `${basename}.csv`), json: path.join(options.dir, `${basename}.json`) };
  return {
    name: `historyLogger:${path.join(options.dir, basename)}`,
    files,
    onEpochEnd(_epoch, _logs, ctx) {
      writeHistory(options.dir, ctx.history, basename);
    },
    onTrainEnd(history) {
      writeHistory(options.dir, history, basename);
    },
  };
}
