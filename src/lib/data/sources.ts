/**
 * Where each dataset comes from: real data under `data_raw/<name>/` when it is there, otherwise the
 * seeded synthetic copy under `outputs/data_synthetic/<name>/` (the embedded default of
 * `make reproduce`). The choice is returned with the root, so every report can say loudly which
 * data it ran on. Nothing here ever writes into data_raw/.
 */
import * as fs from "fs";
import * as path from "path";
import { projectPaths, ProjectPaths } from "../config/paths";
import { Profile } from "../config/run-config";
import { DatasetName } from "./types";
import { isImageFile, walkFiles } from "./image-io";
import { neuClassOfFile, NEU_CLASSES } from "./neu";
import { findGc10ImageRoot, GC10_CLASSES } from "./gc10";
import { GENERATOR_VERSION, SYNTHETIC_SIZES, SyntheticManifest } from "./synthetic/common";
import { generateSeverstalSynthetic, planSeverstal, severstalCounts } from "./synthetic/severstal-synth";
import { generateNeuSynthetic } from "./synthetic/neu-synth";
import { generateGc10Synthetic } from "./synthetic/gc10-synth";

export interface DatasetLocation {
  root: string;
  source: "real" | "synthetic";
}

function isDir(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Whether `root` holds a usable real copy of `name` (cheap checks, no decoding). */
export function hasRealData(name: DatasetName, root: string): boolean {
  if (!isDir(root)) return false;
  if (name === "severstal") return fs.existsSync(path.join(root, "train.csv")) && isDir(path.join(root, "train_images"));
  if (name === "gc10") {
    const imageRoot = findGc10ImageRoot(root);
    if (!imageRoot) return false;
    return fs.readdirSync(imageRoot).some((d) => /^\d+$/.test(d) && isDir(path.join(imageRoot, d)) && fs.readdirSync(path.join(imageRoot, d)).some(isImageFile));
  }
  // NEU: any image whose class can be told (file name or class folder), in any accepted layout.
  return walkFiles(root).some((f) => isImageFile(f) && neuClassOfFile(f).label !== undefined);
}

/** Real data under `<dataRaw>/<name>/` if present, else the synthetic copy under `<synthetic>/<name>/`. */
export function locateDataset(name: DatasetName, paths: ProjectPaths = projectPaths()): DatasetLocation {
  const real = path.join(paths.dataRaw, name);
  if (hasRealData(name, real)) return { root: real, source: "real" };
  return { root: path.join(paths.synthetic, name), source: "synthetic" };
}

export interface EnsureSyntheticOptions {
  profile: Profile;
  seed: number;
  paths?: ProjectPaths;
  /** Regenerate even when the manifests match. */
  force?: boolean;
  /** Subset to ensure (default all three). */
  datasets?: DatasetName[];
}

/** The manifest fields a cached copy must match (everything but the measured `stats`). */
function expectedKey(name: DatasetName, profile: Profile, seed: number): Omit<SyntheticManifest, "stats"> {
  const sizes = SYNTHETIC_SIZES[profile];
  const counts =
    name === "severstal"
      ? severstalCounts(planSeverstal(seed, sizes.severstal))
      : name === "neu"
        ? { images: NEU_CLASSES.length * sizes.neuPerClass, perClass: sizes.neuPerClass, classes: NEU_CLASSES.length }
        : { images: GC10_CLASSES.length * sizes.gc10PerClass, perClass: sizes.gc10PerClass, classes: GC10_CLASSES.length };
  return { dataset: name, generatorVersion: GENERATOR_VERSION, seed, profile, counts };
}

function readManifest(dir: string): SyntheticManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as SyntheticManifest;
  } catch {
    return undefined;
  }
}

/** True when `dir` holds a synthetic copy generated with exactly these settings. */
export function syntheticIsCurrent(name: DatasetName, dir: string, profile: Profile, seed: number): boolean {
  const m = readManifest(dir);
  if (!m) return false;
  const want = expectedKey(name, profile, seed);
  const { stats: _stats, ...have } = m;
  return JSON.stringify(sortDeep(have)) === JSON.stringify(sortDeep(want));
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

async function generate(name: DatasetName, dir: string, profile: Profile, seed: number): Promise<void> {
  const sizes = SYNTHETIC_SIZES[profile];
  if (name === "severstal") await generateSeverstalSynthetic(dir, { seed, images: sizes.severstal, profile });
  else if (name === "neu") await generateNeuSynthetic(dir, { seed, perClass: sizes.neuPerClass, profile });
  else await generateGc10Synthetic(dir, { seed, perClass: sizes.gc10PerClass, profile });
}

/**
 * Generates the synthetic Severstal, NEU and GC10 sets under `paths.synthetic/<name>/` when one is
 * missing or its manifest.json (seed, profile, generator version, counts) differs. Each set is
 * drawn into a sibling temp folder and renamed into place, so a crash or a concurrent run never
 * leaves a half-written set behind a valid manifest. `generated` = whether anything was drawn.
 */
export async function ensureSyntheticData(opts: EnsureSyntheticOptions): Promise<{ generated: boolean; dir: string }> {
  const paths = opts.paths ?? projectPaths();
  const base = paths.synthetic;
  const rawReal = path.resolve(paths.dataRaw);
  if (path.resolve(base) === rawReal || path.resolve(base).startsWith(rawReal + path.sep)) {
    throw new Error(`refusing to generate synthetic data inside data_raw/ (${base}); data_raw/ is read-only input`);
  }
  fs.mkdirSync(base, { recursive: true });
  let generated = false;
  for (const name of opts.datasets ?? (["severstal", "neu", "gc10"] as DatasetName[])) {
    const dir = path.join(base, name);
    if (!opts.force && syntheticIsCurrent(name, dir, opts.profile, opts.seed)) continue;
    const tmp = path.join(base, `.tmp-${name}-${process.pid}-${Date.now()}`);
    fs.rmSync(tmp, { recursive: true, force: true });
    try {
      await generate(name, tmp, opts.profile, opts.seed);
      // A concurrent run may have finished the same set meanwhile: keep theirs, drop ours.
      if (!opts.force && syntheticIsCurrent(name, dir, opts.profile, opts.seed)) {
        fs.rmSync(tmp, { recursive: true, force: true });
        continue;
      }
      const old = path.join(base, `.old-${name}-${process.pid}-${Date.now()}`);
      if (fs.existsSync(dir)) fs.renameSync(dir, old);
      fs.renameSync(tmp, dir);
      fs.rmSync(old, { recursive: true, force: true });
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    generated = true;
  }
  return { generated, dir: base };
}
