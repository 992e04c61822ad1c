/**
 * Writes the history as CSV and JSON after every epoch (atomic writes), so a crashed run still
 * leaves its curve on disk. Columns: epoch, lr, then every other key in first-seen order.
 */
import * as path from "path";
import { writeFileAtomic, writeJsonAtomic } from "../../util/atomic-write";
import { Callback, EpochLogs } from "../types";

export function historyColumns(history: readonly EpochLogs[]): string[] {
  const cols = ["epoch", "lr"];
  for (const row of history) for (const k of Object.keys(row)) if (!cols.includes(k)) cols.push(k);
  return cols;
}

/** CSV text of a history (full float precision; empty cell where a row lacks a key). */
export function historyToCsv(history: readonly EpochLogs[]): string {
  const cols = historyColumns(history);
  const lines = [cols.join(",")];
  for (const row of history) lines.push(cols.map((c) => (row[c] === undefined ? "" : String(row[c]))).join(","));
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

export function historyWriter(dir: string, basename = "history"): Callback {
  return {
    name: `historyWriter:${path.join(dir, basename)}`,
    onEpochEnd(_epoch, _logs, ctx) {
      writeHistory(dir, ctx.history, basename);
    },
    onTrainEnd(history) {
      writeHistory(dir, history, basename);
    },
  };
}
