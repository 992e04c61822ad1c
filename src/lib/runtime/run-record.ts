/**
 * Every run writes its metrics as JSON under outputs/metrics/<run>.json, so reports and
 * comparisons read numbers, not logs. Metrics files hold only deterministic values (same seed,
 * same backend → same bytes); wall-clock timings go to outputs/timings/<run>.json.
 */
import * as fs from "fs";
import * as path from "path";
import { writeJsonAtomic } from "../util/atomic-write";
import { ProjectPaths, projectPaths } from "../config/paths";

export interface Provenance {
  seed: number;
  profile: string;
  backend: string;
  /** Which data each dataset came from, e.g. {severstal: "synthetic"}. */
  data: Record<string, "real" | "synthetic">;
}

export interface RunMetrics {
  run: string;
  title: string;
  provenance: Provenance;
  /** A few headline numbers shown in the report index (name → value). */
  headline: Record<string, number | string>;
  /** Everything else, free-form but deterministic. */
  details?: Record<string, unknown>;
}

/** Rounds floats to `digits` significant digits: metrics files stay short and readable. */
export function roundDeep(value: unknown, digits = 8): unknown {
  if (typeof value === "number") {
    return !Number.isFinite(value) || Number.isInteger(value) ? value : Number(value.toPrecision(digits));
  }
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, digits));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = roundDeep(v, digits);
    return out;
  }
  return value;
}

export function metricsFile(run: string, paths: ProjectPaths = projectPaths()): string {
  return path.join(paths.metrics, `${run}.json`);
}

export function writeRunMetrics(metrics: RunMetrics, paths: ProjectPaths = projectPaths()): string {
  const file = metricsFile(metrics.run, paths);
  writeJsonAtomic(file, roundDeep(metrics));
  return file;
}

export function writeRunTimings(run: string, timings: Record<string, number>, paths: ProjectPaths = projectPaths()): string {
  const file = path.join(paths.timings, `${run}.json`);
  writeJsonAtomic(file, { run, seconds: roundDeep(timings, 4) });
  return file;
}

export function readAllRunMetrics(paths: ProjectPaths = projectPaths()): RunMetrics[] {
  if (!fs.existsSync(paths.metrics)) return [];
  return fs
    .readdirSync(paths.metrics)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(paths.metrics, f), "utf8")) as RunMetrics);
}

/** One run's metrics, or undefined when that notebook has not run (yet) in this outputs tree. */
export function readRunMetrics(run: string, paths: ProjectPaths = projectPaths()): RunMetrics | undefined {
  const file = metricsFile(run, paths);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as RunMetrics) : undefined;
}
