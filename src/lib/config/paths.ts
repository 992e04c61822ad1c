/**
 * Every path of the workspace, derived from the project root (cookiecutter-data-science style).
 * Raw data is read-only; everything derived goes under `outputs/`.
 */
import * as fs from "fs";
import * as path from "path";

/** Walks up from `start` to the directory holding this project's package.json. */
export function findProjectRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, "utf8")).name === "steel-defect-lab") return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`steel-defect-lab project root not found above ${start}`);
    dir = parent;
  }
}

export interface ProjectPaths {
  root: string;
  notebooks: string;
  dataRaw: string;
  outputs: string;
  /** Generated embedded-default data (synthetic, seeded), used when data_raw/ has none. */
  synthetic: string;
  metrics: string;
  /** Run timings, kept apart from metrics so metrics JSON stays byte-identical across runs. */
  timings: string;
  reports: string;
  executed: string;
  models: string;
  figures: string;
  splits: string;
  bench: string;
  cache: string;
  /** Real public data beside the project (tests and checks only; the product never needs it). */
  sharedData: string;
}

/** Paths for a project root; `STEEL_OUTPUTS` / `STEEL_DATA_RAW` relocate the two data trees. */
export function projectPaths(root: string = findProjectRoot(), env: NodeJS.ProcessEnv = process.env): ProjectPaths {
  const outputs = path.resolve(root, env.STEEL_OUTPUTS ?? "outputs");
  return {
    root,
    notebooks: path.join(root, "notebooks"),
    dataRaw: path.resolve(root, env.STEEL_DATA_RAW ?? "data_raw"),
    outputs,
    synthetic: path.join(outputs, "data_synthetic"),
    metrics: path.join(outputs, "metrics"),
    timings: path.join(outputs, "timings"),
    reports: path.join(outputs, "reports"),
    executed: path.join(outputs, "executed"),
    models: path.join(outputs, "models"),
    figures: path.join(outputs, "figures"),
    splits: path.join(outputs, "splits"),
    bench: path.join(outputs, "bench"),
    cache: path.join(outputs, "cache"),
    sharedData: path.resolve(root, "..", "shared", "data"),
  };
}
