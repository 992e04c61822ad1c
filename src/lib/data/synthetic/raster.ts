/**
 * Rasterising primitives for the synthetic defect painters. A defect is first drawn into a
 * `Footprint` (per-pixel strength in (0, 1], max-combined so overlapping strokes of ONE defect do
 * not darken twice), then applied to the grey image once. The pixels a footprint covers are exactly
 * the pixels whose intensity the defect changes, and exactly the pixels written to its mask — which
 * is what makes the synthetic masks ground truth ("masks are exactly the pixels painted").
 */
import { Rng } from "../../util/rng";

/** Strength field over an H×W image with a dirty bounding box (so clearing costs the box, not the image). */
export class Footprint {
  readonly s: Float32Array;
  x0 = Infinity;
  y0 = Infinity;
  x1 = -Infinity;
  y1 = -Infinity;

  constructor(
    readonly height: number,
    readonly width: number,
  ) {
    this.s = new Float32Array(height * width);
  }

  get empty(): boolean {
    return this.x1 < this.x0;
  }

  /** Marks pixel (x, y) with strength w (max with what is there); ignores pixels off the image. */
  plot(x: number, y: number, w: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || w <= 0) return;
    const p = y * this.width + x;
    if (w > this.s[p]) this.s[p] = w;
    if (x < this.x0) this.x0 = x;
    if (x > this.x1) this.x1 = x;
    if (y < this.y0) this.y0 = y;
    if (y > this.y1) this.y1 = y;
  }

  /** Calls fn(p, strength) for every covered pixel p = y*W + x, then clears the footprint. */
  drain(fn: (p: number, s: number) => void): void {
    if (this.empty) return;
    const W = this.width;
    for (let y = this.y0; y <= this.y1; y++) {
      for (let x = this.x0, p = y * W + this.x0; x <= this.x1; x++, p++) {
        const v = this.s[p];
        if (v > 0) {
          fn(p, v);
          this.s[p] = 0;
        }
      }
    }
    this.x0 = this.y0 = Infinity;
    this.x1 = this.y1 = -Infinity;
  }
}

/**
 * Filled ellipse centred at (cx, cy), radii rx, ry, rotated by `angle` (radians). Strength falls
 * from 1 at the centre to `edge` at the rim (a dome), so pits look round, not flat.
 */
export function ellipse(f: Footprint, cx: number, cy: number, rx: number, ry: number, angle = 0, edge = 0.55): void {
  rx = Math.max(rx, 0.6);
  ry = Math.max(ry, 0.6);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const ext = Math.ceil(Math.max(rx, ry)) + 1;
  const xa = Math.max(0, Math.floor(cx - ext));
  const xb = Math.min(f.width - 1, Math.ceil(cx + ext));
  const ya = Math.max(0, Math.floor(cy - ext));
  const yb = Math.min(f.height - 1, Math.ceil(cy + ext));
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const u = (dx * c + dy * s) / rx;
      const v = (-dx * s + dy * c) / ry;
      const d2 = u * u + v * v;
      if (d2 <= 1) f.plot(x, y, 1 - (1 - edge) * d2);
    }
  }
}

/**
 * Thick segment from (x0, y0) to (x1, y1) of full width `width`; strength 1 on the axis, `edge` at
 * the border. Thin widths are kept ≥ ~1.4 px so a line never breaks into dots.
 */
export function segment(f: Footprint, x0: number, y0: number, x1: number, y1: number, width: number, edge = 0.6, strength = 1): void {
  const r = Math.max(width / 2, 0.72);
  const xa = Math.max(0, Math.floor(Math.min(x0, x1) - r - 1));
  const xb = Math.min(f.width - 1, Math.ceil(Math.max(x0, x1) + r + 1));
  const ya = Math.max(0, Math.floor(Math.min(y0, y1) - r - 1));
  const yb = Math.min(f.height - 1, Math.ceil(Math.max(y0, y1) + r + 1));
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const px = x + 0.5 - x0;
      const py = y + 0.5 - y0;
      let t = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - t * dx;
      const ey = py - t * dy;
      const d = Math.sqrt(ex * ex + ey * ey) / r;
      if (d <= 1) f.plot(x, y, strength * (1 - (1 - edge) * d * d));
    }
  }
}

/** Polyline through `pts` ([x, y] pairs), optionally with per-vertex strength (fading strokes). */
export function polyline(f: Footprint, pts: readonly (readonly [number, number])[], width: number, strengths?: readonly number[]): void {
  for (let i = 0; i + 1 < pts.length; i++) {
    const st = strengths ? (strengths[i] + strengths[i + 1]) / 2 : 1;
    segment(f, pts[i][0], pts[i][1], pts[i + 1][0], pts[i + 1][1], width, 0.6, st);
  }
}

/**
 * A jagged random walk (crack): `steps` segments of length `stepLen`, heading jittered by up to
 * `jitter` radians each step. Returns the vertices (for branches).
 */
export function randomWalk(
  rng: Rng,
  x: number,
  y: number,
  heading: number,
  steps: number,
  stepLen: number,
  jitter: number,
): [number, number][] {
  const pts: [number, number][] = [[x, y]];
  let h = heading;
  for (let i = 0; i < steps; i++) {
    h += rng.uniform(-jitter, jitter);
    x += Math.cos(h) * stepLen * rng.uniform(0.6, 1.4);
    y += Math.sin(h) * stepLen * rng.uniform(0.6, 1.4);
    pts.push([x, y]);
  }
  return pts;
}

/**
 * An irregular blob: union of `lobes` rotated ellipses around (cx, cy) whose sizes scale with
 * `r`; `stretch` > 1 widens it horizontally.
 */
export function blob(f: Footprint, rng: Rng, cx: number, cy: number, r: number, lobes: number, stretch = 1): void {
  ellipse(f, cx, cy, r * 0.6 * stretch, r * 0.6, rng.uniform(-0.3, 0.3), 0.7);
  for (let i = 0; i < lobes; i++) {
    const a = rng.uniform(0, 2 * Math.PI);
    const d = r * rng.uniform(0.15, 0.6);
    ellipse(
      f,
      cx + Math.cos(a) * d * stretch,
      cy + Math.sin(a) * d,
      r * rng.uniform(0.25, 0.6) * stretch,
      r * rng.uniform(0.25, 0.6),
      rng.uniform(0, Math.PI),
      0.7,
    );
  }
}

/** Skews a uniform draw towards `lo`: many faint defects, some strong (hard, but learnable). */
export function contrast(rng: Rng, lo: number, hi: number, skew = 1.6): number {
  return lo + (hi - lo) * Math.pow(rng.next(), skew);
}

/**
 * Fast seeded pixel noise (xorshift32): Box–Muller per pixel through `Rng` would dominate the
 * generation time of a 256×1600 image. Seeded from an `Rng`, so it is as reproducible.
 */
export function pixelNoise(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * Applies a drained footprint to the grey image: value += amp * strength * (1 − mottle·u), u
 * uniform noise; records the pixels in `mask` (value 1). Every covered pixel changes by at least
 * |amp| · min-strength · (1 − mottle), so the mask is exactly the painted region. Returns the number of pixels.
 */
export function applyFootprint(
  f: Footprint,
  img: Float32Array,
  mask: Uint8Array | undefined,
  amp: number,
  noise: () => number,
  mottle = 0.3,
): number {
  let n = 0;
  f.drain((p, s) => {
    img[p] += amp * s * (1 - mottle * noise());
    if (mask) mask[p] = 1;
    n++;
  });
  return n;
}

/** Bounding box (0-based inclusive) of the current footprint, or undefined when empty. */
export function footprintBox(f: Footprint): { x0: number; y0: number; x1: number; y1: number } | undefined {
  return f.empty ? undefined : { x0: f.x0, y0: f.y0, x1: f.x1, y1: f.y1 };
}
