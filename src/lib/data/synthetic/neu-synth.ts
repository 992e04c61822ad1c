/**
 * NEU-like synthetic set in the NEU-DET layout, so `loadNeu` reads it unchanged:
 * `images/<class>_<n>.jpg` (200×200, grey content in a 3-channel JPEG, like NEU-DET) and
 * `annotations/<class>_<n>.xml` (VOC; <folder> is the NEU abbreviation cr/in/pa/ps/rs/sc as in
 * the real files; one box per drawn object or object group, 1-based inclusive pixel coordinates).
 *
 * Classes: crazing — a fine network of short jagged cracks over a large area; inclusion — small dark
 * elongated spots along the rolling direction; patches — large dark or light blotches;
 * pitted_surface — many small pits in a region; rolled-in_scale — scattered small flakes, dark and
 * light, in a region; scratches — long straight thin lines.
 */
import * as fs from "fs";
import * as path from "path";
import { createRng, Rng } from "../../util/rng";
import { createProgress, Progress } from "../../util/progress";
import { writeJsonAtomic } from "../../util/atomic-write";
import { Profile } from "../../config/run-config";
import { Box } from "../types";
import { formatVocXml } from "../voc";
import { NEU_ABBREVIATIONS, NEU_CLASSES } from "../neu";
import { Footprint, applyFootprint, blob, contrast, ellipse, footprintBox, pixelNoise, polyline, randomWalk, segment } from "./raster";
import { greyToUint8, steelTexture, TextureParams } from "./texture";
import { GENERATOR_VERSION, JpegPool, SyntheticManifest, summarize } from "./common";

export const NEU_SIZE = 200;

const NEU_TEXTURE: TextureParams = {
  base: [0.35, 0.68],
  streak: [0.01, 0.05],
  noise: [0.02, 0.06],
  gradient: [0.0, 0.08],
  shading: [0.01, 0.05],
  pStreakDistractor: 0.15,
  pSpotDistractor: 0.25,
  spotScale: 2.5,
};

/** One painted object group: it becomes one VOC box. */
type Group = (rng: Rng, f: Footprint, S: number) => { amp: number; mottle: number };

const crazing: Group = (rng, f, S) => {
  const x0 = rng.uniform(0, S * 0.3);
  const y0 = rng.uniform(0, S * 0.3);
  const x1 = rng.uniform(S * 0.7, S);
  const y1 = rng.uniform(S * 0.7, S);
  const n = rng.int(18, 45);
  for (let i = 0; i < n; i++) {
    const pts = randomWalk(rng, rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(0, 2 * Math.PI), rng.int(3, 9), rng.uniform(3, 7), 0.9);
    // Cut the crack where it leaves the region (clamping would draw lines along the region's edge).
    const out = pts.findIndex(([x, y]) => x < x0 || x > x1 || y < y0 || y > y1);
    polyline(f, out < 0 ? pts : pts.slice(0, Math.max(out, 2)), 1.2);
  }
  return { amp: -contrast(rng, 0.05, 0.2), mottle: 0.4 };
};

const inclusion: Group = (rng, f, S) => {
  const cx = rng.uniform(15, S - 15);
  const cy = rng.uniform(20, S - 20);
  const len = rng.uniform(8, 45);
  const wid = rng.uniform(2, 7);
  ellipse(f, cx, cy, wid, len / 2, rng.normal(0, 0.15), 0.5);
  if (rng.bool(0.5)) ellipse(f, cx + rng.uniform(-4, 4), cy + len * rng.uniform(0.4, 0.7), wid * 0.6, len / 4, rng.normal(0, 0.2), 0.5);
  return { amp: -contrast(rng, 0.12, 0.4), mottle: 0.3 };
};

const patches: Group = (rng, f, S) => {
  const r = rng.uniform(18, 55);
  blob(f, rng, rng.uniform(r * 0.5, S - r * 0.5), rng.uniform(r * 0.5, S - r * 0.5), r, rng.int(4, 10), rng.uniform(0.7, 1.5));
  return { amp: (rng.bool(0.7) ? -1 : 1) * contrast(rng, 0.08, 0.3), mottle: 0.6 };
};

const pitted: Group = (rng, f, S) => {
  const w = rng.uniform(50, S);
  const h = rng.uniform(50, S);
  const x0 = rng.uniform(0, S - w);
  const y0 = rng.uniform(0, S - h);
  const n = rng.int(25, 110);
  for (let i = 0; i < n; i++) {
    const r = rng.uniform(0.8, 3);
    ellipse(f, x0 + rng.uniform(0, w), y0 + rng.uniform(0, h), r * rng.uniform(0.7, 1.4), r, rng.uniform(0, Math.PI));
  }
  return { amp: -contrast(rng, 0.08, 0.3), mottle: 0.35 };
};

const rolledInScale: Group = (rng, f, S) => {
  const w = rng.uniform(40, S);
  const h = rng.uniform(40, S);
  const x0 = rng.uniform(0, S - w);
  const y0 = rng.uniform(0, S - h);
  const n = rng.int(15, 60);
  for (let i = 0; i < n; i++) {
    const cx = x0 + rng.uniform(0, w);
    const cy = y0 + rng.uniform(0, h);
    const a = rng.uniform(0, Math.PI);
    // A flake: two overlapping thin ellipses (irregular, flat).
    ellipse(f, cx, cy, rng.uniform(2, 7), rng.uniform(1, 3), a, 0.8);
    ellipse(f, cx + rng.uniform(-2, 2), cy + rng.uniform(-2, 2), rng.uniform(1, 5), rng.uniform(1, 2.5), a + rng.uniform(-0.8, 0.8), 0.8);
  }
  return { amp: (rng.bool(0.6) ? -1 : 1) * contrast(rng, 0.07, 0.25), mottle: 0.7 };
};

const scratch: Group = (rng, f, S) => {
  const vertical = rng.bool(0.6);
  const ang = vertical ? rng.normal(0, 0.08) : rng.uniform(0, Math.PI);
  const len = rng.uniform(60, 260);
  const cx = rng.uniform(10, S - 10);
  const cy = rng.uniform(10, S - 10);
  const dx = Math.sin(ang) * len * 0.5;
  const dy = Math.cos(ang) * len * 0.5;
  segment(f, cx - dx, cy - dy, cx + dx, cy + dy, rng.uniform(1, 3.5), 0.6);
  return { amp: (rng.bool(0.6) ? 1 : -1) * contrast(rng, 0.08, 0.35), mottle: 0.3 };
};

/** Painter per class (NEU_CLASSES order) and how many object groups (boxes) an image gets. */
const NEU_PAINTERS: { group: Group; groups: readonly number[] }[] = [
  { group: crazing, groups: [1, 1, 1, 2] },
  { group: inclusion, groups: [1, 2, 2, 3, 4] },
  { group: patches, groups: [1, 2, 2, 3] },
  { group: pitted, groups: [1, 1, 2] },
  { group: rolledInScale, groups: [1, 2, 2, 3] },
  { group: scratch, groups: [1, 1, 2, 3] },
];

export interface RenderedNeu {
  grey: Float32Array;
  /** VOC boxes (1-based inclusive), className = the NEU class name. */
  boxes: Box[];
  /** Union mask of all painted objects (row-major S×S). */
  mask: Uint8Array;
}

/** Draws image `index` (1-based, the <n> of `<class>_<n>`) of class `label`. */
export function renderNeuImage(seed: number, label: number, index: number): RenderedNeu {
  const S = NEU_SIZE;
  const rng = createRng(seed, `synthetic/neu/${NEU_CLASSES[label]}_${index}`);
  const grey = steelTexture(rng.fork("texture"), S, S, NEU_TEXTURE);
  const mask = new Uint8Array(S * S);
  const noise = pixelNoise(rng.seed32());
  const f = new Footprint(S, S);
  const painter = NEU_PAINTERS[label];
  const boxes: Box[] = [];
  const groups = rng.pick(painter.groups);
  for (let g = 0; g < groups; g++) {
    const { amp, mottle } = painter.group(rng, f, S);
    const bb = footprintBox(f);
    applyFootprint(f, grey, mask, amp, noise, mottle);
    if (bb) boxes.push({ className: NEU_CLASSES[label], xmin: bb.x0 + 1, ymin: bb.y0 + 1, xmax: bb.x1 + 1, ymax: bb.y1 + 1 });
  }
  return { grey, boxes, mask };
}

export interface NeuSynthOptions {
  seed: number;
  perClass: number;
  profile?: Profile | "custom";
  progress?: Progress;
}

export async function generateNeuSynthetic(dir: string, opts: NeuSynthOptions): Promise<SyntheticManifest> {
  const S = NEU_SIZE;
  const imgDir = path.join(dir, "images");
  const annDir = path.join(dir, "annotations");
  fs.mkdirSync(imgDir, { recursive: true });
  fs.mkdirSync(annDir, { recursive: true });
  const pool = new JpegPool();
  const total = NEU_CLASSES.length * opts.perClass;
  const progress = opts.progress ?? createProgress({ total, label: "synthetic neu" });
  const boxCounts = NEU_CLASSES.map(() => 0);
  const boxAreas: number[] = [];
  for (let label = 0; label < NEU_CLASSES.length; label++) {
    for (let n = 1; n <= opts.perClass; n++) {
      const name = `${NEU_CLASSES[label]}_${n}`;
      const r = renderNeuImage(opts.seed, label, n);
      boxCounts[label] += r.boxes.length;
      for (const b of r.boxes) boxAreas.push((b.xmax - b.xmin + 1) * (b.ymax - b.ymin + 1));
      const xml = formatVocXml(
        { folder: NEU_ABBREVIATIONS[label], filename: `${name}.jpg`, width: S, height: S, depth: 1, objects: r.boxes },
        "NEU-DET",
      );
      // Plain write: the whole directory is renamed into place atomically by ensureSyntheticData.
      fs.writeFileSync(path.join(annDir, `${name}.xml`), xml);
      await pool.write(path.join(imgDir, `${name}.jpg`), greyToUint8(r.grey, 3), S, S, 3, 90);
      progress.tick();
    }
  }
  await pool.flush();
  progress.done();
  const manifest: SyntheticManifest = {
    dataset: "neu",
    generatorVersion: GENERATOR_VERSION,
    seed: opts.seed,
    profile: opts.profile ?? "custom",
    counts: { images: total, perClass: opts.perClass, classes: NEU_CLASSES.length },
    stats: { height: S, width: S, boxesPerClass: Object.fromEntries(NEU_CLASSES.map((c, i) => [c, boxCounts[i]])), boxAreaPx: summarize(boxAreas) },
  };
  writeJsonAtomic(path.join(dir, "manifest.json"), manifest);
  return manifest;
}
