/**
 * Which data each notebook will use, before any of them runs (notebook 00's "data found"):
 * the datasets a notebook opens (its `openDataset(ws, "name")` calls), and for each whether
 * real data sits under data_raw/ or the seeded synthetic copy is used, and where. Read from the
 * notebooks themselves so the table stays right when a notebook changes; generates nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { ProjectPaths } from "../config/paths";
import { locateDataset } from "../data/sources";
import { DatasetName } from "../data/types";

export interface DataPlanRow {
  notebook: string;
  dataset: DatasetName;
  source: "real" | "synthetic";
  /** Folder the notebook will read, relative to the project root when inside it. */
  where: string;
  /** Synthetic data only: whether the copy exists yet (otherwise generated on first use). */
  generated?: boolean;
}

const DATASETS: readonly DatasetName[] = ["severstal", "neu", "gc10"];

/** Dataset names a notebook's code cells open, in first-use order. */
export function datasetsOpenedBy(notebookJson: string): DatasetName[] {
  const nb = JSON.parse(notebookJson) as { cells?: { cell_type: string; source: string | string[] }[] };
  const code = (nb.cells ?? [])
    .filter((c) => c.cell_type === "code")
    .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source))
    .join("\n");
  const found: DatasetName[] = [];
  for (const m of code.matchAll(/openDataset\(\s*\w+\s*,\s*["'](\w+)["']/g)) {
    const name = m[1] as DatasetName;
    if (DATASETS.includes(name) && !found.includes(name)) found.push(name);
  }
  return found;
}

function shown(paths: ProjectPaths, dir: string): string {
  const rel = path.relative(paths.root, dir);
  return rel.startsWith("..") || path.isAbsolute(rel) ? dir : rel;
}

/** One row per (notebook, dataset) over notebooks/NN_*.ipynb, in notebook order. */
export function dataPlan(paths: ProjectPaths): DataPlanRow[] {
  if (!fs.existsSync(paths.notebooks)) return [];
  const rows: DataPlanRow[] = [];
  const files = fs.readdirSync(paths.notebooks).filter((f) => /^\d{2}_.+\.ipynb$/.test(f)).sort();
  for (const f of files) {
    for (const dataset of datasetsOpenedBy(fs.readFileSync(path.join(paths.notebooks, f), "utf8"))) {
      const loc = locateDataset(dataset, paths);
      rows.push({
        notebook: path.basename(f, ".ipynb"),
        dataset,
        source: loc.source,
        where: shown(paths, loc.root),
        ...(loc.source === "synthetic" ? { generated: fs.existsSync(path.join(loc.root, "manifest.json")) } : {}),
      });
    }
  }
  return rows;
}
