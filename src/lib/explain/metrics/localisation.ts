/**
 * Localisation of a CAM against annotated regions (VOC boxes or segmentation masks): the
 * pointing game (Zhang et al. 2016: is the CAM's peak inside a region?) and the share of CAM
 * energy inside the regions. Chance for both is the regions' area share: a peak at a uniformly
 * random pixel hits with that probability, and a flat map puts that share of energy inside.
 */
import { Box } from "../../data/types";

export interface LocalisationRow {
  className: string;
  hit: boolean;
  /** Σ CAM inside / Σ CAM. */
  energy: number;
  /** Region pixels / all pixels (the chance level). */
  areaShare: number;
}

export interface ClassLocalisation {
  images: number;
  pointingHitRate: number;
  energyShare: number;
  /** Mean area share: the chance level of both numbers above. */
  chance: number;
}

/**
 * A [H·W] 0/1 mask of VOC boxes given in an image of size `from` (VOC corners are 1-based and
 * inclusive), drawn at the CAM's size `to`.
 */
export function boxesMask(boxes: readonly Box[], from: { height: number; width: number }, to: { height: number; width: number }): Uint8Array {
  const m = new Uint8Array(to.height * to.width);
  const sy = to.height / from.height, sx = to.width / from.width;
  for (const b of boxes) {
    const y0 = Math.max(0, Math.floor((b.ymin - 1) * sy)), y1 = Math.min(to.height, Math.ceil(b.ymax * sy));
    const x0 = Math.max(0, Math.floor((b.xmin - 1) * sx)), x1 = Math.min(to.width, Math.ceil(b.xmax * sx));
    for (let y = y0; y < y1; y++) m.fill(1, y * to.width + x0, y * to.width + x1);
  }
  return m;
}

/** The CAM's peak index (first maximum). */
export function camPeak(cam: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < cam.length; i++) if (cam[i] > cam[best]) best = i;
  return best;
}

/** Pointing game, energy share and chance of one CAM against one region mask (same size). */
export function localise(cam: ArrayLike<number>, region: Uint8Array, className: string): LocalisationRow {
  if (cam.length !== region.length) throw new Error(`localise: CAM has ${cam.length} values, the region mask ${region.length}`);
  let inside = 0, total = 0, area = 0;
  for (let i = 0; i < cam.length; i++) {
    total += cam[i];
    if (region[i]) {
      inside += cam[i];
      area++;
    }
  }
  return { className, hit: region[camPeak(cam)] === 1, energy: total > 0 ? inside / total : 0, areaShare: area / region.length };
}

/** Per class (and "all"): hit rate, energy share and their chance level. */
export function summariseLocalisation(rows: readonly LocalisationRow[]): Record<string, ClassLocalisation> {
  const groups = new Map<string, LocalisationRow[]>([["all", [...rows]]]);
  for (const r of rows) groups.set(r.className, [...(groups.get(r.className) ?? []), r]);
  const out: Record<string, ClassLocalisation> = {};
  for (const [name, rs] of groups) {
    const m = (f: (r: LocalisationRow) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    out[name] = { images: rs.length, pointingHitRate: m((r) => (r.hit ? 1 : 0)), energyShare: m((r) => r.energy), chance: m((r) => r.areaShare) };
  }
  return out;
}
