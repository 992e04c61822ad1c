/**
 * Train/val/test splits and k-fold assignments: STRATIFIED (class proportions kept per split) and
 * GROUPED (all samples of one group — e.g. the tiles of one image — land in the same split, so
 * nothing leaks between train and evaluation). Seeded: same samples + seed → same split.
 *
 * Algorithm (greedy, like sklearn's StratifiedGroupKFold): each group gets the stratum of its
 * majority key; within a stratum the groups are shuffled (seeded), ordered largest first, and each
 * goes to the bucket with the largest remaining deficit (target - assigned, in samples) for that
 * stratum, ties broken by the overall deficit, then by bucket order. With single-sample groups
 * every stratum's count per bucket ends within ±1 of n_stratum * fraction.
 *
 * Results are indices into the given `samples` array (ascending), which is what the loader takes.
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../util/atomic-write";
import { createRng } from "../util/rng";
import { projectPaths } from "../config/paths";
import { DataError, type Sample } from "./types";
import { readCsv, writeCsv } from "./csv";

export type SplitName = "train" | "val" | "test";
export const SPLIT_NAMES: readonly SplitName[] = ["train", "val", "test"];

export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

/**
 * What to keep balanced: "label" = Sample.label; "combo" = the multi-label presence pattern
 * (Severstal "0110"); "none"; or a custom key.
 */
export type Stratify = "label" | "combo" | "none" | ((s: Sample) => string);

export interface GroupingOptions {
  seed: number;
  /** Group key; samples sharing it never cross splits. Default: `s.id`. */
  groupOf?: (s: Sample) => string;
  /** Default "label". */
  stratify?: Stratify;
}

export interface SplitOptions extends GroupingOptions {
  /** Default 0.7 / 0.15 / 0.15; must be >= 0 and sum to 1. */
  fractions?: SplitFractions;
}

/** Sample indices per split, each ascending. */
export interface DatasetSplit {
  train: number[];
  val: number[];
  test: number[];
}

export const DEFAULT_FRACTIONS: SplitFractions = { train: 0.7, val: 0.15, test: 0.15 };

function stratumKey(stratify: Stratify): (s: Sample) => string {
  if (typeof stratify === "function") return stratify;
  switch (stratify) {
    case "label":
      return (s) => String(s.label);
    case "combo":
      return (s) => s.labels.map((v) => (v ? 1 : 0)).join("");
    case "none":
      return () => "all";
    default:
      throw new Error(`unknown stratify "${stratify as string}" (expected label, combo, none or a function)`);
  }
}

/**
 * Core: assigns every sample a bucket 0..fractions.length-1 (grouped, stratified, seeded).
 * Exported for custom bucketings; `splitDataset` and `kFold` are the usual entry points.
 */
export function assignBuckets(samples: readonly Sample[], fractions: readonly number[], options: GroupingOptions): number[] {
  const B = fractions.length;
  const total = fractions.reduce((a, b) => a + b, 0);
  if (B === 0 || fractions.some((f) => !(f >= 0)) || Math.abs(total - 1) > 1e-6) {
    throw new Error(`split fractions must be >= 0 and sum to 1, got [${fractions.join(", ")}]`);
  }
  const groupOf = options.groupOf ?? ((s: Sample) => s.id);
  const keyOf = stratumKey(options.stratify ?? "label");

  // Groups in order of first appearance.
  const groups = new Map<string, number[]>();
  samples.forEach((s, i) => {
    const g = groupOf(s);
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  });

  // Stratum of each group = its majority key (ties → smallest key, deterministic).
  const strata = new Map<string, string[]>();
  for (const [g, members] of groups) {
    const counts = new Map<string, number>();
    for (const i of members) {
      const k = keyOf(samples[i]);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let best = "";
    let bestN = -1;
    for (const [k, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      if (n > bestN) {
        best = k;
        bestN = n;
      }
    }
    const list = strata.get(best);
    if (list) list.push(g);
    else strata.set(best, [g]);
  }

  const globalTarget = fractions.map((f) => f * samples.length);
  const globalCount = new Array<number>(B).fill(0);
  const bucketOfSample = new Array<number>(samples.length).fill(-1);
  const eps = 1e-9;
  for (const key of [...strata.keys()].sort()) {
    const gs = createRng(options.seed, `splits/${key}`).shuffle([...strata.get(key)!]);
    // Stable sort keeps the shuffled order among equal sizes.
    gs.sort((a, b) => groups.get(b)!.length - groups.get(a)!.length);
    const n = gs.reduce((a, g) => a + groups.get(g)!.length, 0);
    const target = fractions.map((f) => f * n);
    const count = new Array<number>(B).fill(0);
    for (const g of gs) {
      const members = groups.get(g)!;
      let best = -1;
      for (let b = 0; b < B; b++) {
        if (fractions[b] === 0) continue;
        if (best < 0) {
          best = b;
          continue;
        }
        const d = target[b] - count[b] - (target[best] - count[best]);
        const dg = globalTarget[b] - globalCount[b] - (globalTarget[best] - globalCount[best]);
        if (d > eps || (Math.abs(d) <= eps && dg > eps)) best = b;
      }
      count[best] += members.length;
      globalCount[best] += members.length;
      for (const i of members) bucketOfSample[i] = best;
    }
  }
  return bucketOfSample;
}

/** Stratified, grouped train/val/test split. */
export function splitDataset(samples: readonly Sample[], options: SplitOptions): DatasetSplit {
  const f = options.fractions ?? DEFAULT_FRACTIONS;
  const buckets = assignBuckets(samples, [f.train, f.val, f.test], options);
  const out: DatasetSplit = { train: [], val: [], test: [] };
  buckets.forEach((b, i) => out[SPLIT_NAMES[b]].push(i));
  return out;
}

/** Stratified, grouped k-fold: the fold (0..k-1) of every sample. */
export function kFold(samples: readonly Sample[], options: GroupingOptions & { k: number }): number[] {
  const { k } = options;
  if (!Number.isInteger(k) || k < 2) throw new Error(`kFold: k must be an integer >= 2, got ${k}`);
  const groupOf = options.groupOf ?? ((s: Sample) => s.id);
  const nGroups = new Set(samples.map(groupOf)).size;
  if (nGroups < k) throw new Error(`kFold: ${nGroups} groups cannot fill ${k} folds; lower k`);
  return assignBuckets(samples, new Array<number>(k).fill(1 / k), options);
}

/** Fold `fold` as validation, the rest as training (indices ascending). */
export function foldSplit(folds: readonly number[], fold: number): { train: number[]; val: number[] } {
  const train: number[] = [];
  const val: number[] = [];
  folds.forEach((f, i) => (f === fold ? val : train).push(i));
  if (val.length === 0) throw new Error(`foldSplit: fold ${fold} is empty (folds present: ${[...new Set(folds)].sort().join(", ")})`);
  return { train, val };
}

// ---------------------------------------------------------------------------------------------
// CSV files under outputs/splits/

/** outputs/splits/<name>.csv */
export function splitCsvPath(name: string, dir: string = projectPaths().splits): string {
  return path.join(dir, `${name}.csv`);
}

function writeAssignmentCsv(file: string, column: string, samples: readonly Sample[], values: readonly string[]): string {
  const rows = [["id", column], ...samples.map((s, i) => [s.id, values[i]])];
  writeFileAtomic(file, writeCsv(rows));
  return file;
}

/** Writes `id,split` (one row per sample, in sample order) atomically; returns the path. */
export function writeSplitCsv(file: string, samples: readonly Sample[], split: DatasetSplit): string {
  const values = new Array<string>(samples.length).fill("");
  for (const name of SPLIT_NAMES) for (const i of split[name]) values[i] = name;
  const missing = values.findIndex((v) => v === "");
  if (missing >= 0) throw new Error(`writeSplitCsv: sample ${missing} (id ${samples[missing].id}) is in no split`);
  return writeAssignmentCsv(file, "split", samples, values);
}

/** Writes `id,fold` atomically; returns the path. */
export function writeFoldCsv(file: string, samples: readonly Sample[], folds: readonly number[]): string {
  if (folds.length !== samples.length) throw new Error(`writeFoldCsv: ${folds.length} folds for ${samples.length} samples`);
  return writeAssignmentCsv(file, "fold", samples, folds.map(String));
}

/** Reads an `id,<column>` CSV into id → value, checking every sample is covered exactly once. */
function readAssignmentCsv(file: string, column: string, samples: readonly Sample[]): string[] {
  if (!fs.existsSync(file)) throw new DataError(`split file ${file} not found; write it with writeSplitCsv/writeFoldCsv first`, file);
  const records = readCsv(fs.readFileSync(file, "utf8"), file);
  const header = records[0]?.fields ?? [];
  if (records[0]?.line !== 1 || header[0] !== "id" || header[1] !== column) {
    throw new DataError(`${file}:1: expected header "id,${column}", got "${header.join(",")}"`, file, 1);
  }
  const known = new Set(samples.map((s) => s.id));
  const byId = new Map<string, string>();
  for (const { fields, line } of records.slice(1)) {
    const [id, value] = fields;
    if (value === undefined || value === "") {
      throw new DataError(`${file}:${line}: row "${fields.join(",")}" has no ${column}`, file, line, id);
    }
    if (!known.has(id)) {
      throw new DataError(`${file}:${line}: id "${id}" is not in the dataset; the split was written for other data — regenerate it`, file, line, id);
    }
    const prev = byId.get(id);
    if (prev !== undefined && prev !== value) {
      throw new DataError(`${file}:${line}: id "${id}" is assigned both ${prev} and ${value}`, file, line, id);
    }
    byId.set(id, value);
  }
  return samples.map((s) => {
    const v = byId.get(s.id);
    if (v === undefined) throw new DataError(`${file}: sample id "${s.id}" is missing; regenerate the split`, file, undefined, s.id);
    return v;
  });
}

export function readSplitCsv(file: string, samples: readonly Sample[]): DatasetSplit {
  const values = readAssignmentCsv(file, "split", samples);
  const out: DatasetSplit = { train: [], val: [], test: [] };
  values.forEach((v, i) => {
    if (!(SPLIT_NAMES as readonly string[]).includes(v)) {
      throw new DataError(`${file}: id "${samples[i].id}" has split "${v}" (expected train, val or test)`, file, undefined, samples[i].id);
    }
    out[v as SplitName].push(i);
  });
  return out;
}

export function readFoldCsv(file: string, samples: readonly Sample[]): number[] {
  return readAssignmentCsv(file, "fold", samples).map((v, i) => {
    const f = Number(v);
    if (!Number.isInteger(f) || f < 0) {
      throw new DataError(`${file}: id "${samples[i].id}" has fold "${v}" (expected an integer >= 0)`, file, undefined, samples[i].id);
    }
    return f;
  });
}
