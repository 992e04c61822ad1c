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
  if (grid.gates?.length && items.some((it) => it.presence === undefined)) throw new Error("searchPostprocess: gates were given but some validation items have no classifier presence");
  const bar = progress ?? createProgress({ total: C * grid.thresholds.length, label: "post-processing search" });
  const trueArea = items.map((it) => countPerClass(it.truth, C));
  const perClass: ClassSearchResult[] = [];
  for (let c = 0; c < C; c++) {
    let best: ClassSearchResult | undefined;
    const scoreAt = (threshold: number, minAreas: readonly number[], gate = base[c].gate): number[] => {
      const cfg: ClassPostprocess = { ...base[c], threshold, minArea: 0, gate };
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
