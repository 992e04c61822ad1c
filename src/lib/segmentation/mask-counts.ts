/**
 * Pixel counts of post-processed validation masks, cached per (image, class, threshold, min
 * component size, connectivity, TTA). The search, the switch-effect table and the chosen/base
 * scores all ask for the same few masks again and again; labelling the connected components of a
 * 256×1600 channel is the expensive step, and everything else (min area, gate) is read off the
 * counts. Each mask is therefore built once, and only its (tp, area) is kept — not the pixels.
 */
import type { PairCounts } from "../metrics/segmentation";
import { postprocessChannel, type ClassPostprocess } from "./postprocess";

/** One validation image: probabilities [H, W, C], truth [H, W, C] (0/1), optional classifier presence [C]. */
export interface ValidationPrediction {
  imageId: string;
  prob: Float32Array;
  truth: Uint8Array;
  presence?: number[];
  /** The same image's probabilities with flip TTA, when it was run. */
  probTta?: Float32Array;
}

export interface MaskCounts {
  /** Predicted pixels that are true. */
  tp: number;
  /** Predicted pixels. */
  area: number;
}

export class MaskCountCache {
  private readonly cache = new Map<string, MaskCounts>();
  private readonly truthArea: number[][];

  constructor(
    private readonly items: readonly ValidationPrediction[],
    readonly height: number,
    readonly width: number,
    readonly channels: number,
  ) {
    this.truthArea = items.map((it) => {
      const out = new Array<number>(channels).fill(0);
      for (let i = 0; i < it.truth.length; i++) out[i % channels] += it.truth[i] ? 1 : 0;
      return out;
    });
  }

  get size(): number {
    return this.items.length;
  }

  trueArea(n: number, c: number): number {
    return this.truthArea[n][c];
  }

  /** (tp, area) of image n, class c after the threshold and small-component removal only (no gate, no min area). */
  counts(n: number, c: number, p: Pick<ClassPostprocess, "threshold" | "minComponentSize" | "connectivity">, tta = false): MaskCounts {
    const size = p.minComponentSize > 1 ? p.minComponentSize : 0;
    const key = `${n}|${c}|${p.threshold}|${size}|${size ? p.connectivity : 0}|${tta ? 1 : 0}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const it = this.items[n];
    const prob = tta ? it.probTta : it.prob;
    if (!prob) throw new Error(`MaskCountCache: ${it.imageId} has no TTA probabilities (probTta)`);
    const cfg: ClassPostprocess = { threshold: p.threshold, minComponentSize: size, connectivity: p.connectivity, minArea: 0 };
    const m = postprocessChannel(prob, this.height, this.width, this.channels, c, cfg);
    let area = 0;
    let tp = 0;
    for (let i = 0, j = c; i < m.length; i++, j += this.channels) {
      area += m[i];
      tp += m[i] & it.truth[j];
    }
    const out = { tp, area };
    this.cache.set(key, out);
    return out;
  }

  /** Whether the full post-processing `p` leaves image n's class-c mask empty (gate shut, or below the min area). */
  isEmptied(n: number, c: number, p: ClassPostprocess, counts: MaskCounts): boolean {
    if (p.gate !== undefined) {
      const presence = this.items[n].presence?.[c];
      if (presence === undefined || !Number.isFinite(presence)) throw new Error(`postprocess class ${c}: gating is on (gate ${p.gate}) but no presence probability was given`);
      if (presence < p.gate) return true;
    }
    return counts.area < p.minArea;
  }

  /** tp/fp/fn/tn of image n, class c under the full post-processing `p` (what imageCounts of postprocessMasks gives). */
  pair(n: number, c: number, p: ClassPostprocess, tta = false): PairCounts {
    const t = this.trueArea(n, c);
    const total = this.height * this.width;
    const k = this.counts(n, c, p, tta);
    if (this.isEmptied(n, c, p, k)) return { tp: 0, fp: 0, fn: t, tn: total - t };
    return { tp: k.tp, fp: k.area - k.tp, fn: t - k.tp, tn: total - k.area - t + k.tp };
  }
}
