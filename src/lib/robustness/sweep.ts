/**
 * The robustness sweep: a classifier × a data split × perturbation × severity → the
 * classification track's metric set (accuracy, macro-F1, per-class recall with the critical class
 * first) beside the clean score, the ΔF1 of bright vs dim at matched severity and the verdict
 * against the goal (the write-up: ΔF1 ≤ 0.03; it measured 0.062). Decoded frames are kept in memory
 * once; every condition perturbs them afresh with the per-image seed `${seed}/${sample id}`.
 */
import * as tf from "@tensorflow/tfjs";
import { readImage } from "../data/image-io";
import type { ImageData32 } from "../data/types";
import type { DatasetView, ImageSize } from "../data/views";
import { scoreClassification, type Predictions } from "../metrics/classification-scores";
import { createProgress } from "../util/progress";
import { cameraOutput } from "./capture";
import { mitigationImage, mitigationUsesTta, type TestTimeMitigation } from "./mitigations";
import { perturb, PERTURBATION_KINDS } from "./registry";
import type { PerturbationKind } from "./types";

export interface SweepOptions {
  model: tf.LayersModel;
  /** A classification view (its imageSize and channels are the model's input). */
  view: DatasetView;
  /** Sample indices of the split to evaluate (the test split). */
  indices: readonly number[];
  mode: "single" | "multi";
  kinds?: PerturbationKind[];
  severities?: number[];
  seed: number;
  batchSize?: number;
  /** Test-time mitigations evaluated on the same perturbed frames (each frame is perturbed once). */
  mitigations?: TestTimeMitigation[];
  /**
   * Resolution the perturbations act at. Default: each file's own (the physics happens at
   * capture). A smaller size — a lower-resolution camera, e.g. twice the model input — makes
   * sweeps over 256×1600 frames fast; blur lengths and spot sizes scale with the frame, so each
   * severity keeps its relative meaning. Clean frames go through the same path.
   */
  captureSize?: ImageSize;
  /** Class reported first (safety-first: the class whose misses cost most), e.g. "class_2". */
  criticalClass?: string;
  /** ΔF1 goal (default 0.03) and the severity the verdict is read at (default 3). */
  goal?: number;
  verdictSeverity?: number;
  label?: string;
}

export interface ConditionScore {
  kind: PerturbationKind | "clean";
  severity: number;
  accuracy: number;
  macroF1: number;
  /** Per-class recall, the critical class first. */
  recall: { className: string; recall: number }[];
}

export interface DeltaF1 {
  severity: number;
  dimF1: number;
  brightF1: number;
  /** |F1(dim) − F1(bright)| at this severity. */
  delta: number;
}

export interface SweepResult {
  mitigation: TestTimeMitigation;
  samples: number;
  clean: ConditionScore;
  rows: ConditionScore[];
  deltaF1: DeltaF1[];
  verdict?: { severity: number; delta: number; goal: number; pass: boolean };
}

function score(kind: ConditionScore["kind"], severity: number, pred: Predictions, mode: "single" | "multi", critical?: string): ConditionScore {
  const ev = scoreClassification(pred, mode);
  const recall = ev.report.classes.map((r) => ({ className: r.label, recall: r.recall }));
  recall.sort((a, b) => (a.className === critical ? -1 : b.className === critical ? 1 : 0));
  return { kind, severity, accuracy: ev.summary.accuracy, macroF1: ev.summary.macro_f1, recall };
}

/** Probabilities [B][K] of one batch of model inputs, optionally averaged over flip TTA. */
function predictBatch(model: tf.LayersModel, images: ImageData32[], tta: boolean): number[][] {
  const [H, W, C] = [images[0].height, images[0].width, images[0].channels];
  const flat = new Float32Array(images.length * H * W * C);
  images.forEach((im, i) => flat.set(im.data, i * H * W * C));
  return tf.tidy(() => {
    const x = tf.tensor4d(flat, [images.length, H, W, C]);
    let p = model.apply(x, { training: false }) as tf.Tensor;
    if (tta) {
      const ph = model.apply(tf.reverse(x, 2), { training: false }) as tf.Tensor;
      const pv = model.apply(tf.reverse(x, 1), { training: false }) as tf.Tensor;
      p = p.add(ph).add(pv).div(3);
    }
    return p.arraySync() as number[][];
  });
}

/** One sweep per mitigation, all on the same perturbed frames. */
export async function robustnessSweep(o: SweepOptions): Promise<SweepResult[]> {
  const kinds = o.kinds ?? PERTURBATION_KINDS;
  const severities = o.severities ?? [1, 2, 3, 4, 5];
  const batchSize = o.batchSize ?? 16;
  const mitigations = o.mitigations ?? ["none"];
  if (o.indices.length === 0) throw new Error("robustnessSweep: the split is empty");
  if (mitigations.length === 0) throw new Error("robustnessSweep: no mitigation given (use [\"none\"] for the plain sweep)");
  for (const s of severities) if (!Number.isInteger(s) || s < 1 || s > 5) throw new Error(`robustnessSweep: severities must be integers 1..5, got ${s}`);
  const size = o.view.imageSize;
  const native: ImageData32[] = [];
  for (const i of o.indices) {
    const frame = await readImage(o.view.samples[i].path, { channels: o.view.channels });
    native.push(o.captureSize ? await cameraOutput(frame, o.captureSize) : frame);
  }
  const targets = o.indices.map((i, k) => Array.from(o.view.makeItem(i, native[k]).y));
  const ids = o.indices.map((i) => o.view.samples[i].id);
  const conditions: { kind: ConditionScore["kind"]; severity: number }[] = [{ kind: "clean", severity: 0 }, ...kinds.flatMap((kind) => severities.map((severity) => ({ kind, severity })))];
  const batches = Math.ceil(o.indices.length / batchSize);
  const bar = createProgress({ total: conditions.length * batches, label: o.label ?? `robustness (${mitigations.join(", ")})` });
  const scores: ConditionScore[][] = mitigations.map(() => []);
  for (const c of conditions) {
    const probs: number[][][] = mitigations.map(() => []);
    for (let b = 0; b < o.indices.length; b += batchSize) {
      const frames: ImageData32[] = [];
      for (let k = b; k < Math.min(b + batchSize, o.indices.length); k++) {
        frames.push(c.kind === "clean" ? native[k] : await perturb(native[k], c.kind, c.severity, `${o.seed}/${ids[k]}`));
      }
      for (let m = 0; m < mitigations.length; m++) {
        const inputs: ImageData32[] = [];
        for (const f of frames) inputs.push(await cameraOutput(mitigationImage(mitigations[m], f), size));
        probs[m].push(...predictBatch(o.model, inputs, mitigationUsesTta(mitigations[m])));
      }
      bar.tick(1, { condition: c.kind === "clean" ? "clean" : `${c.kind} s${c.severity}` });
    }
    mitigations.forEach((_, m) => scores[m].push(score(c.kind, c.severity, { ids, classNames: o.view.classNames, probs: probs[m], targets }, o.mode, o.criticalClass)));
  }
  bar.done();
  return mitigations.map((mitigation, m) => summarise(mitigation, o, severities, scores[m]));
}

function summarise(mitigation: TestTimeMitigation, o: SweepOptions, severities: number[], scores: ConditionScore[]): SweepResult {
  const [clean, ...rows] = scores;
  const at = (kind: PerturbationKind, s: number) => rows.find((r) => r.kind === kind && r.severity === s);
  const deltaF1: DeltaF1[] = [];
  for (const s of severities) {
    const d = at("dim", s);
    const br = at("bright", s);
    if (d && br) deltaF1.push({ severity: s, dimF1: d.macroF1, brightF1: br.macroF1, delta: Math.abs(d.macroF1 - br.macroF1) });
  }
  const vs = o.verdictSeverity ?? 3;
  const goal = o.goal ?? 0.03;
  const v = deltaF1.find((d) => d.severity === vs);
  return { mitigation, samples: o.indices.length, clean, rows, deltaF1, ...(v ? { verdict: { severity: vs, delta: v.delta, goal, pass: v.delta <= goal } } : {}) };
}
