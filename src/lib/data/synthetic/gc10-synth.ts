/**
 * GC10-like synthetic set in the GC10-DET layout, so `loadGc10` reads it unchanged: class folders
 * `1`…`10` of 2048×1000 grey JPGs (quality 85, the real size — only the counts are small) named
 * like the real ones (`img_0<camera>_<10 digits>_<5 digits>.jpg`), and VOC XML under `lable/`
 * (the real spelling) with the real pinyin names (`7_yiwu`, …) and <folder> = the class folder.
 *
 * Each image gets 1–3 objects of its folder's class and, in 12 % of images, one object of another
 * class (as in the real XML, where images have several classes — this is what the inclusion view
 * of other folders picks up). Drawing per class: see the painter comments below.
 */
import * as fs from "fs";
import * as path from "path";
import { createRng, Rng } from "../../util/rng";
import { createProgress, Progress } from "../../util/progress";
import { writeJsonAtomic } from "../../util/atomic-write";
import { Profile } from "../../config/run-config";
import { Box } from "../types";
import { formatVocXml } from "../voc";
import { GC10_CLASSES, GC10_PINYIN } from "../gc10";
import { Footprint, applyFootprint, blob, contrast, ellipse, footprintBox, pixelNoise, polyline, segment } from "./raster";
import { greyToUint8, steelTexture, TextureParams } from "./texture";
import { GENERATOR_VERSION, JpegPool, SyntheticManifest, summarize } from "./common";

export const GC10_HEIGHT = 1000;
export const GC10_WIDTH = 2048;

const GC10_TEXTURE: TextureParams = {
  base: [0.3, 0.6],
  streak: [0.01, 0.04],
  noise: [0.015, 0.04],
  gradient: [0.02, 0.15],
  shading: [0.01, 0.06],
  pStreakDistractor: 0.25,
  pSpotDistractor: 0.3,
  spotScale: 8,
};

/** Draws ONE object (one VOC box) into the footprint; may apply extra strokes itself. */
type Painter = (rng: Rng, f: Footprint, H: number, W: number) => { amp: number; mottle: number };

const PAINTERS: Painter[] = [
  // 1 punching_hole: a round, very dark hole.
  (rng, f, H, W) => {
    const r = rng.uniform(18, 65);
    ellipse(f, rng.uniform(r, W - r), rng.uniform(r, H - r), r * rng.uniform(0.9, 1.1), r, 0, 0.9);
    return { amp: -contrast(rng, 0.25, 0.55, 1), mottle: 0.15 };
  },
  // 2 welding_line: a horizontal band across the full width.
  (rng, f, H, W) => {
    const y = rng.uniform(40, H - 40);
    const th = rng.uniform(12, 70);
    const tilt = rng.uniform(-0.02, 0.02) * W;
    segment(f, -5, y, W + 5, y + tilt, th, 0.75);
    return { amp: (rng.bool(0.6) ? 1 : -1) * contrast(rng, 0.05, 0.25), mottle: 0.5 };
  },
  // 3 crescent_gap: a half-moon cut into the left or right edge (a disc minus a disc shifted outwards).
  (rng, f, H, W) => {
    const R = rng.uniform(80, 260);
    const out = rng.bool() ? -1 : 1;
    const d = rng.uniform(0.2, 0.7) * R;
    const cx = out < 0 ? -d : W + d;
    const cy = rng.uniform(R * 0.4, H - R * 0.4);
    const inner = new Footprint(H, W);
    ellipse(inner, cx + out * R * rng.uniform(0.3, 0.45), cy, R * 0.9, R * 0.9);
    const disc = new Footprint(H, W);
    ellipse(disc, cx, cy, R, R, 0, 0.8);
    disc.drain((p, s) => {
      if (inner.s[p] === 0) f.plot(p % W, Math.floor(p / W), s);
    });
    return { amp: -contrast(rng, 0.12, 0.4), mottle: 0.3 };
  },
  // 4 water_spot: a faint, lighter irregular blob.
  (rng, f, H, W) => {
    const r = rng.uniform(50, 220);
    blob(f, rng, rng.uniform(r * 0.6, W - r * 0.6), rng.uniform(r * 0.6, H - r * 0.6), r, rng.int(5, 12), rng.uniform(0.8, 1.6));
    return { amp: contrast(rng, 0.03, 0.14), mottle: 0.5 };
  },
  // 5 oil_spot: a darker, mottled irregular blob.
  (rng, f, H, W) => {
    const r = rng.uniform(35, 180);
    blob(f, rng, rng.uniform(r * 0.6, W - r * 0.6), rng.uniform(r * 0.6, H - r * 0.6), r, rng.int(4, 10), rng.uniform(0.8, 1.4));
    return { amp: -contrast(rng, 0.06, 0.25), mottle: 0.6 };
  },
  // 6 silk_spot: a patch of many thin, wavy, mostly horizontal streaks.
  (rng, f, H, W) => {
    const w = rng.uniform(150, 550);
    const h = rng.uniform(50, 260);
    const x0 = rng.uniform(0, W - w);
    const y0 = rng.uniform(0, H - h);
    const n = rng.int(12, 45);
    for (let i = 0; i < n; i++) {
      const y = y0 + rng.uniform(0, h);
      const xa = x0 + rng.uniform(0, w * 0.5);
      const len = rng.uniform(0.2, 0.5) * w;
      const amp = rng.uniform(1, 6);
      const pts: [number, number][] = [];
      for (let k = 0; k <= 8; k++) pts.push([xa + (len * k) / 8, y + amp * Math.sin(k * 0.9 + i)]);
      polyline(f, pts, rng.uniform(1.5, 4));
    }
    return { amp: (rng.bool(0.5) ? 1 : -1) * contrast(rng, 0.04, 0.18), mottle: 0.5 };
  },
  // 7 inclusion: small dark spots elongated along the rolling direction (vertical).
  (rng, f, H, W) => {
    const len = rng.uniform(25, 200);
    const wid = rng.uniform(3, 14);
    const cx = rng.uniform(20, W - 20);
    const cy = rng.uniform(len / 2, H - len / 2);
    ellipse(f, cx, cy, wid, len / 2, rng.normal(0, 0.08), 0.5);
    if (rng.bool(0.4)) ellipse(f, cx + rng.uniform(-8, 8), cy + rng.uniform(-0.6, 0.6) * len, wid * 0.6, len * 0.2, rng.normal(0, 0.1), 0.5);
    return { amp: -contrast(rng, 0.1, 0.4), mottle: 0.3 };
  },
  // 8 rolled_pit: a few small dark pits close together.
  (rng, f, H, W) => {
    const cx = rng.uniform(30, W - 30);
    const cy = rng.uniform(30, H - 30);
    const n = rng.int(1, 5);
    for (let i = 0; i < n; i++) {
      const r = rng.uniform(5, 18);
      ellipse(f, cx + rng.uniform(-30, 30), cy + rng.uniform(-30, 30), r * rng.uniform(0.8, 1.3), r, rng.uniform(0, Math.PI), 0.6);
    }
    return { amp: -contrast(rng, 0.1, 0.4), mottle: 0.3 };
  },
  // 9 crease: a long, nearly vertical fold line over most of the height.
  (rng, f, H, W) => {
    const x = rng.uniform(50, W - 50);
    const len = rng.uniform(0.4, 1) * H;
    const y = rng.uniform(0, H - len);
    const pts: [number, number][] = [];
    let xx = x;
    for (let k = 0; k <= 10; k++) {
      pts.push([xx, y + (len * k) / 10]);
      xx += rng.uniform(-12, 12);
    }
    polyline(f, pts, rng.uniform(3, 10));
    return { amp: (rng.bool(0.5) ? 1 : -1) * contrast(rng, 0.06, 0.25), mottle: 0.35 };
  },
  // 10 waist_folding: a band of several wavy, roughly horizontal wrinkles.
  (rng, f, H, W) => {
    const y0 = rng.uniform(50, H - 250);
    const x0 = rng.uniform(0, W * 0.5);
    const w = rng.uniform(0.3, 0.5) * W;
    const n = rng.int(2, 6);
    for (let i = 0; i < n; i++) {
      const y = y0 + rng.uniform(0, 200);
      const pts: [number, number][] = [];
      const phase = rng.uniform(0, 6);
      for (let k = 0; k <= 12; k++) pts.push([x0 + (w * k) / 12, y + 12 * Math.sin(phase + k * 0.7)]);
      polyline(f, pts, rng.uniform(3, 9));
    }
    return { amp: (rng.bool(0.5) ? 1 : -1) * contrast(rng, 0.05, 0.2), mottle: 0.4 };
  },
];

export interface RenderedGc10 {
  grey: Float32Array;
  /** VOC boxes (1-based inclusive) with the canonical pinyin names, as written to the XML. */
  boxes: Box[];
}

/** Draws image `id` of class `label` (0..9). */
export function renderGc10Image(seed: number, label: number, id: string): RenderedGc10 {
  const H = GC10_HEIGHT;
  const W = GC10_WIDTH;
  const rng = createRng(seed, `synthetic/gc10/${id}`);
  const grey = steelTexture(rng.fork("texture"), H, W, GC10_TEXTURE);
  const noise = pixelNoise(rng.seed32());
  const f = new Footprint(H, W);
  const classes = new Array<number>(rng.pick([1, 1, 1, 2, 2, 3])).fill(label);
  if (rng.bool(0.12)) {
    const other = rng.int(0, 9);
    classes.push(other >= label ? other + 1 : other);
  }
  const boxes: Box[] = [];
  for (const c of classes) {
    const { amp, mottle } = PAINTERS[c](rng, f, H, W);
    const bb = footprintBox(f);
    applyFootprint(f, grey, undefined, amp, noise, mottle);
    if (bb) boxes.push({ className: GC10_PINYIN[c], xmin: bb.x0 + 1, ymin: bb.y0 + 1, xmax: bb.x1 + 1, ymax: bb.y1 + 1 });
  }
  return { grey, boxes };
}

/** Real-looking unique GC10 ids: img_0<1|2>_<10 digits>_<5 digits>. */
export function gc10Ids(rng: Rng, n: number, taken: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const id = `img_0${rng.int(1, 3)}_${rng.int(4e8, 45e8)}_${String(rng.int(1, 1300)).padStart(5, "0")}`;
    if (taken.has(id)) continue;
    taken.add(id);
    out.push(id);
  }
  return out;
}

export interface Gc10SynthOptions {
  seed: number;
  perClass: number;
  profile?: Profile | "custom";
  progress?: Progress;
}

export async function generateGc10Synthetic(dir: string, opts: Gc10SynthOptions): Promise<SyntheticManifest> {
  const H = GC10_HEIGHT;
  const W = GC10_WIDTH;
  const labelDir = path.join(dir, "lable");
  fs.mkdirSync(labelDir, { recursive: true });
  const pool = new JpegPool(4);
  const total = GC10_CLASSES.length * opts.perClass;
  const progress = opts.progress ?? createProgress({ total, label: "synthetic gc10" });
  const taken = new Set<string>();
  const idRng = createRng(opts.seed, "synthetic/gc10/ids");
  const boxAreas: number[] = [];
  const boxesPerClass = GC10_CLASSES.map(() => 0);
  for (let label = 0; label < GC10_CLASSES.length; label++) {
    const folder = String(label + 1);
    for (const id of gc10Ids(idRng, opts.perClass, taken)) {
      const r = renderGc10Image(opts.seed, label, id);
      for (const b of r.boxes) {
        boxAreas.push((b.xmax - b.xmin + 1) * (b.ymax - b.ymin + 1));
        boxesPerClass[GC10_PINYIN.indexOf(b.className)]++;
      }
      const xml = formatVocXml({ folder, filename: `${id}.jpg`, width: W, height: H, depth: 1, objects: r.boxes });
      // Plain writes: the whole directory is renamed into place atomically by ensureSyntheticData.
      fs.writeFileSync(path.join(labelDir, `${id}.xml`), xml);
      await pool.write(path.join(dir, folder, `${id}.jpg`), greyToUint8(r.grey, 1), H, W, 1, 85);
      progress.tick();
    }
  }
  await pool.flush();
  progress.done();
  const manifest: SyntheticManifest = {
    dataset: "gc10",
    generatorVersion: GENERATOR_VERSION,
    seed: opts.seed,
    profile: opts.profile ?? "custom",
    counts: { images: total, perClass: opts.perClass, classes: GC10_CLASSES.length },
    stats: {
      height: H,
      width: W,
      boxesPerClass: Object.fromEntries(GC10_CLASSES.map((c, i) => [c, boxesPerClass[i]])),
      boxAreaPx: summarize(boxAreas),
    },
  };
  writeJsonAtomic(path.join(dir, "manifest.json"), manifest);
  return manifest;
}
