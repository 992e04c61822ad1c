/**
 * Choosing post-processing on validation predictions for the Kaggle score, and measuring what
 * each switch is worth.
 *
 * The Kaggle score is the mean over classes of the per-class mean pair Dice, so the classes are
 * independent: threshold and minimum area are searched per class. For one class and threshold
 * the per-image (tp, predicted area) are computed once (MaskCountCache, shared by the search, the
 * effect table and the scores when the caller passes one); every minimum area and gate is then
 * scored from those counts without touching pixels again.
 */
import { diceFromCounts, segmentationScores, type SegmentationScores } from "../metrics/segmentation";
import { createProgress, type Progress } from "../util/progress";
import { MaskCountCache, type ValidationPrediction } from "./mask-counts";
import type { ClassPostprocess } from "./postprocess";

export type { ValidationPrediction } from "./mask-counts";

export interface SearchGrid {
  thresholds: readonly number[];
  minAreas: readonly number[];
  /**
   * Classifier gates tried per class after threshold × minArea (needs `presence` on every item);
   * a gate is kept only when it beats the ungated mask on the validation frames.
   */
  gates?: readonly number[];
}

export interface ClassSearchResult {
  classIndex: number;
  threshold: number;
  minArea: number;
  /** Mean pair Dice of this class with the chosen values. */
  dice: number;
  /** Mean pair Dice of this class with the base settings' threshold and minArea. */
  baseDice: number;
  /** The chosen classifier gate (undefined: no gate beat the ungated mask, or none searched). */
  gate?: number;
  /** Mean pair Dice of the chosen threshold and minArea without the gate (set when gates were searched). */
  ungatedDice?: number;
}

export interface SearchResult {
  perClass: ClassSearchResult[];
  /** Base settings with each class's chosen threshold and minArea. */
  settings: ClassPostprocess[];
  /** Kaggle score with the chosen settings. */
  kaggle: number;
}

/** Scores closer than this are ties (sums of a few hundred pair Dice in different orders). */
const TIE = 1e-9;

/**
 * Grid search per class over threshold × minArea. Other switches (components, gating) stay as in
 * `base`. On a few validation frames many settings tie; a tie goes to the LARGER minimum area (the
 * setting that predicts fewer false masks on the clean images not in the sample), then to the
 * earlier grid entry, so the result is deterministic. A minArea > H·W turns the class off (always
 * empty): put it in the grid to let a class the model cannot segment fall back to the empty mask.
 */
export interface SearchOptions {
  progress?: Progress;
  /** Counts shared with later scoring of the same items (built here when absent). */
  cache?: MaskCountCache;
  /** Search on the flip-TTA maps (probTta). */
  tta?: boolean;
}

export function searchPostprocess(
  items: readonly ValidationPrediction[],
  height: number,
  width: number,
  base: readonly ClassPostprocess[],
  grid: SearchGrid,
  opts: SearchOptions = {},
): SearchResult {
  if (items.length === 0) throw new Error("searchPostprocess: no validation predictions");
  if (grid.thresholds.length === 0 || grid.minAreas.length === 0) throw new Error("searchPostprocess: the grid needs at least one threshold and one minArea");
  const C = base.length;
  if (grid.gates?.length && items.some((it) => it.presence === undefined)) throw new Error("searchPostprocess: gates were given but some validation items have no classifier presence");
  const cache = cacheFor(items, height, width, C, opts.cache);
  const tta = opts.tta ?? false;
  const bar = opts.progress ?? createProgress({ total: C * grid.thresholds.length, label: "post-processing search" });
  const perClass: ClassSearchResult[] = [];
  for (let c = 0; c < C; c++) {
    let best: ClassSearchResult | undefined;
    const scoreAt = (threshold: number, minAreas: readonly number[], gate = base[c].gate): number[] => {
      const sums = new Array<number>(minAreas.length).fill(0);
      for (let n = 0; n < items.length; n++) {
        const k = cache.counts(n, c, { ...base[c], threshold }, tta);
        const t = cache.trueArea(n, c);
        const shut = cache.isEmptied(n, c, { ...base[c], threshold, minArea: 0, gate }, k);
        minAreas.forEach((a, j) => {
          sums[j] += shut || k.area < a ? diceFromCounts(0, 0, t) : diceFromCounts(k.tp, k.area, t);
        });
      }
      return sums.map((s) => s / items.length);
    };
    for (const t of grid.thresholds) {
      scoreAt(t, grid.minAreas).forEach((dice, k) => {
        const minArea = grid.minAreas[k];
        if (!best || dice > best.dice + TIE || (dice >= best.dice - TIE && minArea > best.minArea)) best = { classIndex: c, threshold: t, minArea, dice, baseDice: NaN };
      });
      bar.tick(1, { class: c, best: best!.dice });
    }
    const chosen = best!;
    chosen.baseDice = scoreAt(base[c].threshold, [base[c].minArea])[0];
    if (grid.gates?.length) {
      chosen.ungatedDice = chosen.dice;
      for (const g of grid.gates) {
        const dice = scoreAt(chosen.threshold, [chosen.minArea], g)[0];
        if (dice > chosen.dice + TIE) Object.assign(chosen, { gate: g, dice });
      }
    }
    perClass.push(chosen);
  }
  bar.done();
  const settings = base.map((b, c) => {
    const r = perClass[c];
    const gate = grid.gates?.length ? r.gate : b.gate;
    return { ...b, threshold: r.threshold, minArea: r.minArea, gate };
  });
  return { perClass, settings, kaggle: perClass.reduce((a, r) => a + r.dice, 0) / C };
}

/** The caller's cache when it covers these items, else a fresh one. */
function cacheFor(items: readonly ValidationPrediction[], height: number, width: number, channels: number, cache?: MaskCountCache): MaskCountCache {
  if (!cache) return new MaskCountCache(items, height, width, channels);
  if (cache.size !== items.length || cache.height !== height || cache.width !== width || cache.channels !== channels) {
    throw new Error(`postprocess search: the count cache holds ${cache.size} images of ${cache.height}×${cache.width}×${cache.channels}, not ${items.length} of ${height}×${width}×${channels}`);
  }
  return cache;
}

/** Scores of a post-processing on validation predictions (`tta` reads probTta). */
export function scorePostprocess(items: readonly ValidationPrediction[], height: number, width: number, settings: readonly ClassPostprocess[], tta = false, cache?: MaskCountCache): SegmentationScores {
  const C = settings.length;
  const cc = cacheFor(items, height, width, C, cache);
  return segmentationScores(items.map((_, n) => settings.map((p, c) => cc.pair(n, c, p, tta))));
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
export function postprocessEffects(items: readonly ValidationPrediction[], height: number, width: number, settings: readonly ClassPostprocess[], tta = false, cache?: MaskCountCache): SwitchEffectTable {
  const cc = cacheFor(items, height, width, settings.length, cache);
  const score = (s: readonly ClassPostprocess[], useTta: boolean) => scorePostprocess(items, height, width, s, useTta, cc).kaggle;
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
