/**
 * Choosing post-processing on validation predictions for the Kaggle score, and measuring what
 * each switch is worth.
 *
 * The Kaggle score is the mean over classes of the per-class mean pair Dice, so the classes are
 * independent: threshold and minimum area are searched per class. For one class and threshold
 * the per-image (tp, predicted area, true area) are computed once; every minimum area is then
 * scored from those counts without touching pixels again.
 */
import { diceFromCounts, imageCounts, segmentationScores, type SegmentationScores } from "../metrics/segmentation";
import { createProgress, type Progress } from "../util/progress";
import { postprocessChannel, postprocessMasks, type ClassPostprocess } from "./postprocess";

/** One validation image: probabilities [H, W, C], truth [H, W, C] (0/1), optional classifier presence [C]. */
export interface ValidationPrediction {
  imageId: string;
  prob: Float32Array;
  truth: Uint8Array;
  presence?: number[];
  /** The same image's probabilities with flip TTA, when it was run. */
  probTta?: Float32Array;
}

export interface SearchGrid {
  thresholds: readonly number[];
  minAreas: readonly number[];
}

export interface ClassSearchResult {
  classIndex: number;
  threshold: number;
  minArea: number;
  /** Mean pair Dice of this class with the chosen values. */
  dice: number;
  /** Mean pair Dice of this class with the base settings' threshold and minArea. */
  baseDice: number;
}

export interface SearchResult {
  perClass: ClassSearchResult[];
  /** Base settings with each class's chosen threshold and minArea. */
  settings: ClassPostprocess[];
  /** Kaggle score with the chosen settings. */
  kaggle: number;
}

/**
 * Grid search per class over threshold × minArea. Other switches (components, gating) stay as in
 * `base`. Ties keep the earlier grid entry, so the result is deterministic.
 */
export function searchPostprocess(
  items: readonly ValidationPrediction[],
  height: number,
  width: number,
  base: readonly ClassPostprocess[],
  grid: SearchGrid,
  progress?: Progress,
): SearchResult {
  if (items.length === 0) throw new Error("searchPostprocess: no validation predictions");
  if (grid.thresholds.length === 0 || grid.minAreas.length === 0) throw new Error("searchPostprocess: the grid needs at least one threshold and one minArea");
  const C = base.length;
  const bar = progress ?? createProgress({ total: C * grid.thresholds.length, label: "post-processing search" });
  const trueArea = items.map((it) => countPerClass(it.truth, C));
  const perClass: ClassSearchResult[] = [];
  for (let c = 0; c < C; c++) {
    let best: ClassSearchResult | undefined;
    const scoreAt = (threshold: number, minAreas: readonly number[]): number[] => {
      const cfg: ClassPostprocess = { ...base[c], threshold, minArea: 0 };
      const sums = new Array<number>(minAreas.length).fill(0);
      items.forEach((it, n) => {
        const m = postprocessChannel(it.prob, height, width, C, c, cfg, it.presence?.[c]);
        let area = 0;
        let tp = 0;
        for (let i = 0, j = c; i < m.length; i++, j += C) {
          area += m[i];
          tp += m[i] & it.truth[j];
        }
        minAreas.forEach((a, k) => {
          sums[k] += area < a ? diceFromCounts(0, 0, trueArea[n][c]) : diceFromCounts(tp, area, trueArea[n][c]);
        });
      });
      return sums.map((s) => s / items.length);
    };
    for (const t of grid.thresholds) {
      scoreAt(t, grid.minAreas).forEach((dice, k) => {
        if (!best || dice > best.dice) best = { classIndex: c, threshold: t, minArea: grid.minAreas[k], dice, baseDice: NaN };
      });
      bar.tick(1, { class: c, best: best!.dice });
    }
    best!.baseDice = scoreAt(base[c].threshold, [base[c].minArea])[0];
    perClass.push(best!);
  }
  bar.done();
  const settings = base.map((b, c) => ({ ...b, threshold: perClass[c].threshold, minArea: perClass[c].minArea }));
  return { perClass, settings, kaggle: perClass.reduce((a, r) => a + r.dice, 0) / C };
}

function countPerClass(mask: Uint8Array, C: number): number[] {
  const out = new Array<number>(C).fill(0);
  for (let i = 0; i < mask.length; i++) out[i % C] += mask[i] ? 1 : 0;
  return out;
}

/** Scores of a post-processing on validation predictions (`tta` reads probTta). */
export function scorePostprocess(items: readonly ValidationPrediction[], height: number, width: number, settings: readonly ClassPostprocess[], tta = false): SegmentationScores {
  const C = settings.length;
  const counts = items.map((it, n) => {
    const prob = tta ? it.probTta : it.prob;
    if (!prob) throw new Error(`scorePostprocess: ${it.imageId} has no TTA probabilities (probTta)`);
    return imageCounts(postprocessMasks(prob, height, width, settings, it.presence), it.truth, C, n);
  });
  return segmentationScores(counts);
}

export type PostprocessSwitch = "minComponentSize" | "minArea" | "gating" | "tta";

export interface SwitchEffect {
  switch: PostprocessSwitch;
  /** Kaggle score of the full configuration. */
  on: number;
  /** Kaggle score of the full configuration with only this switch off. */
  off: number;
  /** on − off: what the switch adds given all the others. */
  delta: number;
}

export interface SwitchEffectTable {
  /** Threshold only (every switch off, no TTA). */
  thresholdOnly: number;
  /** Every switch in `settings` on (and TTA when `tta`). */
  full: number;
  rows: SwitchEffect[];
}

/**
 * Each switch's effect: the full configuration against the same with that one switch off. Only
 * switches that are on somewhere in `settings` (or TTA when `tta`) get a row.
 */
export function postprocessEffects(items: readonly ValidationPrediction[], height: number, width: number, settings: readonly ClassPostprocess[], tta = false): SwitchEffectTable {
  const score = (s: readonly ClassPostprocess[], useTta: boolean) => scorePostprocess(items, height, width, s, useTta).kaggle;
  const off: Record<Exclude<PostprocessSwitch, "tta">, (p: ClassPostprocess) => ClassPostprocess> = {
    minComponentSize: (p) => ({ ...p, minComponentSize: 0 }),
    minArea: (p) => ({ ...p, minArea: 0 }),
    gating: (p) => ({ ...p, gate: undefined }),
  };
  const isOn: Record<Exclude<PostprocessSwitch, "tta">, (p: ClassPostprocess) => boolean> = {
    minComponentSize: (p) => p.minComponentSize > 1,
    minArea: (p) => p.minArea > 0,
    gating: (p) => p.gate !== undefined,
  };
  const full = score(settings, tta);
  const rows: SwitchEffect[] = [];
  for (const name of Object.keys(off) as Exclude<PostprocessSwitch, "tta">[]) {
    if (!settings.some(isOn[name])) continue;
    const o = score(settings.map(off[name]), tta);
    rows.push({ switch: name, on: full, off: o, delta: full - o });
  }
  if (tta) {
    const o = score(settings, false);
    rows.push({ switch: "tta", on: full, off: o, delta: full - o });
  }
  const bare = settings.map((p) => ({ ...p, minComponentSize: 0, minArea: 0, gate: undefined }));
  return { thresholdOnly: score(bare, false), full, rows };
}
