/**
 * Severstal-like synthetic set, in the real Kaggle format so `loadSeverstal` reads it unchanged:
 * `train_images/<9 hex>.jpg` (256×1600 RGB JPEG, grey content) and `train.csv` in the current long
 * form `ImageId,ClassId,EncodedPixels` — one row per (image, present class); defect-free images
 * appear only in train_images/, as in the competition's train.csv.
 *
 * Classes (ClassId): 1 small dark pits in clusters; 2 short jagged thin cracks; 3 long scratches
 * along the rolling direction (vertical or diagonal; dark or bright; the most common class);
 * 4 large dark patches. Contrast is skewed low, sizes and positions vary, and the background has
 * unlabelled look-alikes (see texture.ts). Masks are exactly the painted pixels (raster.ts).
 *
 * Class balance follows the real train set (12,568 images): 47.0 % defect-free, defect rows per
 * class 897 / 247 / 5,150 / 801, 3.4 % of images with two classes — by QUOTA (rounded expected
 * counts, with a floor per class), not by chance, so even 48 images contain every class.
 */
import * as fs from "fs";
import * as path from "path";
import { createRng, Rng } from "../../util/rng";
import { createProgress, Progress } from "../../util/progress";
import { writeFileAtomic, writeJsonAtomic } from "../../util/atomic-write";
import { encodeRle, SEVERSTAL_HEIGHT, SEVERSTAL_WIDTH } from "../rle";
import { writeSeverstalCsv, type SeverstalRowOut } from "../severstal-csv";
import { Profile } from "../../config/run-config";
import { Footprint, applyFootprint, blob, contrast, ellipse, pixelNoise, polyline, randomWalk } from "./raster";
import { greyToUint8, steelTexture, TextureParams } from "./texture";
import { GENERATOR_VERSION, JpegPool, SyntheticManifest, summarize } from "./common";

/** Real Severstal train-set statistics the plan reproduces. */
export const SEVERSTAL_REAL_STATS = {
  images: 12568,
  defectFree: 5902,
  rowsPerClass: [897, 247, 5150, 801],
  /** Images with two (425) or three (2) classes. */
  multiClassImages: 427,
} as const;

export interface SeverstalPlanEntry {
  /** File name without ".jpg": 9 lowercase hex digits, like the real ImageIds. */
  id: string;
  /** Present ClassIds (1..4), ascending; empty = defect-free. */
  classes: number[];
}

export const SEVERSTAL_TEXTURE: TextureParams = {
  base: [0.28, 0.55],
  streak: [0.01, 0.045],
  noise: [0.015, 0.045],
  gradient: [0.02, 0.12],
  shading: [0.01, 0.05],
  pStreakDistractor: 0.3,
  pSpotDistractor: 0.35,
  spotScale: 4,
};

/**
 * Which classes each image gets. Quotas: defect-free = round(47.0 % of n); two-class images =
 * round(3.4 % of n); defect rows per class = round(real share × rows), at least `minPerClass`,
 * class 3 taking the remainder. Sorted by id.
 */
export function planSeverstal(seed: number, images: number, minPerClass = 4): SeverstalPlanEntry[] {
  const R = SEVERSTAL_REAL_STATS;
  const rng = createRng(seed, "synthetic/severstal/plan");
  const nFree = Math.round((R.defectFree / R.images) * images);
  const nDefect = images - nFree;
  const nMulti = Math.min(Math.floor(nDefect / 2), Math.round((R.multiClassImages / R.images) * images));
  const rows = nDefect + nMulti;
  const totalRows = R.rowsPerClass.reduce((a, b) => a + b, 0);
  const quota = R.rowsPerClass.map((r) => Math.max(minPerClass, Math.round((r / totalRows) * rows)));
  quota[2] = rows - quota[0] - quota[1] - quota[3];
  if (quota[2] < minPerClass) {
    throw new Error(`planSeverstal: ${images} images are too few for ${minPerClass} rows of every class; use more images or a lower minPerClass`);
  }
  const tokens: number[] = [];
  quota.forEach((q, i) => {
    for (let k = 0; k < q; k++) tokens.push(i + 1);
  });
  rng.shuffle(tokens);
  const sets: number[][] = [];
  for (let i = 0; i < nMulti; i++) {
    const a = tokens.pop()!;
    let j = tokens.length - 1;
    while (j >= 0 && tokens[j] === a) j--;
    if (j < 0) {
      sets.push([a]);
      continue;
    }
    const b = tokens.splice(j, 1)[0];
    sets.push(a < b ? [a, b] : [b, a]);
  }
  for (const t of tokens) sets.push([t]);
  while (sets.length < images) sets.push([]);
  rng.shuffle(sets);
  const ids = new Set<string>();
  const out: SeverstalPlanEntry[] = [];
  for (const classes of sets) {
    let id: string;
    do {
      id = rng.int(0, 0x10000000).toString(16).padStart(7, "0") + rng.int(0, 256).toString(16).padStart(2, "0");
    } while (ids.has(id));
    ids.add(id);
    out.push({ id, classes });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

type Painter = (rng: Rng, f: Footprint, H: number, W: number) => { amp: number; mottle: number };

/** ClassId 1: clusters of small dark pits. */
const paintPits: Painter = (rng, f, H, W) => {
  const clusters = rng.pick([1, 1, 1, 2, 2, 3]);
  for (let c = 0; c < clusters; c++) {
    const cx = rng.uniform(10, W - 10);
    const cy = rng.uniform(8, H - 8);
    const sx = rng.uniform(6, 50);
    const sy = rng.uniform(5, 35);
    const n = rng.int(3, 19);
    for (let i = 0; i < n; i++) {
      const r = rng.uniform(1.2, 4.5);
      ellipse(f, cx + rng.normal(0, sx / 2), cy + rng.normal(0, sy / 2), r * rng.uniform(0.7, 1.5), r, rng.uniform(0, Math.PI));
    }
  }
  return { amp: -contrast(rng, 0.06, 0.38), mottle: 0.35 };
};

/** ClassId 2: a few short, jagged, thin cracks close together (sometimes branching). */
const paintCracks: Painter = (rng, f, H, W) => {
  const cx = rng.uniform(20, W - 20);
  const cy = rng.uniform(15, H - 15);
  const n = rng.pick([1, 1, 2, 3]);
  const width = rng.uniform(1, 2.4);
  for (let i = 0; i < n; i++) {
    const pts = randomWalk(rng, cx + rng.uniform(-25, 25), cy + rng.uniform(-15, 15), rng.uniform(0, 2 * Math.PI), rng.int(4, 13), rng.uniform(3, 7), 0.75);
    polyline(f, pts, width);
    if (rng.bool(0.35)) {
      const at = pts[rng.int(1, pts.length)];
      polyline(f, randomWalk(rng, at[0], at[1], rng.uniform(0, 2 * Math.PI), rng.int(2, 6), rng.uniform(2, 5), 0.8), Math.max(1, width - 0.6));
    }
  }
  return { amp: -contrast(rng, 0.1, 0.42, 1.3), mottle: 0.3 };
};

/** ClassId 3: long scratches along the rolling direction — vertical or diagonal, dark or bright. */
const paintScratches: Painter = (rng, f, H, W) => {
  const n = rng.pick([1, 1, 1, 2, 2, 3, 4]);
  const diagonal = rng.bool(0.4);
  const baseAngle = diagonal ? rng.uniform(15, 45) * (rng.bool() ? 1 : -1) : rng.normal(0, 4);
  const gx = rng.uniform(0, W);
  for (let i = 0; i < n; i++) {
    const ang = ((baseAngle + rng.normal(0, 2)) * Math.PI) / 180;
    const len = rng.uniform(60, 420);
    const cx = Math.min(W - 2, Math.max(2, gx + rng.normal(0, 60)));
    const cy = rng.uniform(10, H - 10);
    const dx = Math.sin(ang);
    const dy = Math.cos(ang);
    const width = rng.uniform(1.5, 6);
    const pts: [number, number][] = [];
    const strengths: number[] = [];
    const segs = Math.max(2, Math.round(len / 20));
    const fadeA = rng.uniform(0.5, 1);
    const fadeB = rng.uniform(0.5, 1);
    for (let k = 0; k <= segs; k++) {
      const t = k / segs - 0.5;
      const wob = rng.uniform(-1, 1);
      pts.push([cx + dx * t * len + dy * wob, cy + dy * t * len - dx * wob]);
      strengths.push(fadeA + (fadeB - fadeA) * (k / segs));
    }
    polyline(f, pts, width, strengths);
  }
  const bright = rng.bool(0.3);
  return { amp: (bright ? 1 : -1) * contrast(rng, 0.05, 0.32), mottle: 0.3 };
};

/** ClassId 4: large dark patches (irregular blobs, stretched along x), mottled inside. */
const paintPatches: Painter = (rng, f, H, W) => {
  const n = rng.pick([1, 1, 1, 2]);
  for (let i = 0; i < n; i++) {
    const r = rng.uniform(18, 110);
    blob(f, rng, rng.uniform(0, W), rng.uniform(0.15 * H, 0.85 * H), r, rng.int(4, 12), rng.uniform(1, 3));
  }
  return { amp: -contrast(rng, 0.07, 0.35), mottle: 0.5 };
};

const PAINTERS: Painter[] = [paintPits, paintCracks, paintScratches, paintPatches];

export interface RenderedSeverstal {
  /** Grey image [H, W] in [0, 1] before quantisation. */
  grey: Float32Array;
  /** Row-major H×W masks for ClassId 1..4 (index 0..3); all-zero for absent classes. */
  masks: Uint8Array[];
  /** Painted pixels per ClassId 1..4 (0 when absent). */
  areas: number[];
}

/** Draws one image; depends only on (seed, entry), so tests can re-draw any single image. */
export function renderSeverstalImage(seed: number, entry: SeverstalPlanEntry): RenderedSeverstal {
  const H = SEVERSTAL_HEIGHT;
  const W = SEVERSTAL_WIDTH;
  const rng = createRng(seed, `synthetic/severstal/${entry.id}`);
  const grey = steelTexture(rng.fork("texture"), H, W, SEVERSTAL_TEXTURE);
  const masks = [0, 1, 2, 3].map(() => new Uint8Array(H * W));
  const areas = [0, 0, 0, 0];
  const f = new Footprint(H, W);
  const noise = pixelNoise(rng.seed32());
  for (const c of entry.classes) {
    const { amp, mottle } = PAINTERS[c - 1](rng.fork(`class${c}`), f, H, W);
    areas[c - 1] = applyFootprint(f, grey, masks[c - 1], amp, noise, mottle);
  }
  return { grey, masks, areas };
}

export interface SeverstalSynthOptions {
  seed: number;
  images: number;
  /** Floor of defect rows per class (default 4: the smoke profile still shows every class). */
  minPerClass?: number;
  profile?: Profile | "custom";
  progress?: Progress;
}

/** Writes the dataset into `dir` (train_images/, train.csv, manifest.json); returns the manifest. */
export async function generateSeverstalSynthetic(dir: string, opts: SeverstalSynthOptions): Promise<SyntheticManifest> {
  const H = SEVERSTAL_HEIGHT;
  const W = SEVERSTAL_WIDTH;
  const plan = planSeverstal(opts.seed, opts.images, opts.minPerClass ?? 4);
  const imgDir = path.join(dir, "train_images");
  fs.mkdirSync(imgDir, { recursive: true });
  const pool = new JpegPool();
  const progress = opts.progress ?? createProgress({ total: plan.length, label: "synthetic severstal" });
  const rows: SeverstalRowOut[] = [];
  const areas: number[][] = [[], [], [], []];
  for (const entry of plan) {
    const r = renderSeverstalImage(opts.seed, entry);
    for (const c of entry.classes) {
      rows.push({ imageId: `${entry.id}.jpg`, classId: c, rle: encodeRle(r.masks[c - 1], H, W) });
      areas[c - 1].push(r.areas[c - 1]);
    }
    await pool.write(path.join(imgDir, `${entry.id}.jpg`), greyToUint8(r.grey, 3), H, W, 3, 90);
    progress.tick();
  }
  await pool.flush();
  progress.done();
  writeFileAtomic(path.join(dir, "train.csv"), writeSeverstalCsv(rows, "long"));
  const manifest: SyntheticManifest = {
    dataset: "severstal",
    generatorVersion: GENERATOR_VERSION,
    seed: opts.seed,
    profile: opts.profile ?? "custom",
    counts: severstalCounts(plan),
    stats: {
      height: H,
      width: W,
      defectFreeShare: plan.filter((e) => e.classes.length === 0).length / plan.length,
      maskAreaPx: { class1: summarize(areas[0]), class2: summarize(areas[1]), class3: summarize(areas[2]), class4: summarize(areas[3]) },
    },
  };
  writeJsonAtomic(path.join(dir, "manifest.json"), manifest);
  return manifest;
}

/** Planned counts (the manifest key): images, defect-free, multi-class images, rows per ClassId. */
export function severstalCounts(plan: SeverstalPlanEntry[]): Record<string, number | number[]> {
  const rowsPerClass = [1, 2, 3, 4].map((c) => plan.filter((e) => e.classes.includes(c)).length);
  return {
    images: plan.length,
    defectFree: plan.filter((e) => e.classes.length === 0).length,
    multiClassImages: plan.filter((e) => e.classes.length > 1).length,
    rowsPerClass,
  };
}
