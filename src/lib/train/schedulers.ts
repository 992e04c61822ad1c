/**
 * Learning-rate schedules as PURE functions of (position, state) → lr, so a checkpoint only needs
 * the small state object to resume exactly, and every schedule is testable by value.
 *
 *   none     lr = base
 *   cosine   lr = min + (base − min)·(1 + cos(π·t/T))/2 over the steps after warmup (per step)
 *   step     lr = base · γ^⌊epoch / stepSize⌋ (per epoch, torch StepLR)
 *   plateau  lr = max(minLr, base · factor^k) after k reductions (torch ReduceLROnPlateau, per epoch)
 *   one-cycle  torch OneCycleLR (anneal "cos", two phases, no momentum cycling): base/div → base over
 *            the first pct·T steps, then base → base/(div·finalDiv) (per step; base = max lr)
 * Any of them composes with a linear warmup: the first W steps are multiplied by a factor rising
 * linearly from `startFactor` to 1 (torch LinearLR); cosine then anneals over the remaining steps.
 */

export interface WarmupSpec {
  /** Warmup length in optimizer steps… */
  steps?: number;
  /** …or in epochs (× stepsPerEpoch). */
  epochs?: number;
  /** Factor at step 0 (default 0.1). */
  startFactor?: number;
}

export type SchedulerSpec =
  | { type: "none"; warmup?: WarmupSpec }
  | { type: "cosine"; minLr?: number; warmup?: WarmupSpec }
  | { type: "step"; stepSize: number; gamma?: number; warmup?: WarmupSpec }
  | {
      type: "one-cycle";
      /** Share of the steps spent rising (torch pct_start, default 0.3). */
      pctStart?: number;
      /** Start lr = base / divFactor (default 25). */
      divFactor?: number;
      /** Final lr = start lr / finalDivFactor (default 1e4). */
      finalDivFactor?: number;
      warmup?: WarmupSpec;
    }
  | {
      type: "plateau";
      /** Epoch metric to watch (default "val_loss"). */
      monitor?: string;
      mode?: "min" | "max";
      factor?: number;
      patience?: number;
      /** Relative improvement needed (torch threshold_mode "rel"), default 1e-4. */
      threshold?: number;
      cooldown?: number;
      minLr?: number;
      warmup?: WarmupSpec;
    };

export interface SchedulePoint {
  /** Global optimizer step, 0-based. */
  step: number;
  /** Epoch, 0-based. */
  epoch: number;
  stepsPerEpoch: number;
  totalSteps: number;
}

/** Mutable-free scheduler state; only plateau uses it. JSON-serialisable for checkpoints. */
export interface SchedulerState {
  /** lr = base · scale (plateau reductions). */
  scale: number;
  best: number | null;
  badEpochs: number;
  cooldownLeft: number;
  reductions: number;
}

export const initialSchedulerState = (): SchedulerState => ({ scale: 1, best: null, badEpochs: 0, cooldownLeft: 0, reductions: 0 });

/** Cosine annealing from base to min over T steps; t clamped to [0, T]. */
export function cosineLr(baseLr: number, minLr: number, t: number, T: number): number {
  if (T <= 0) return baseLr;
  const u = Math.min(Math.max(t, 0), T) / T;
  return minLr + ((baseLr - minLr) * (1 + Math.cos(Math.PI * u))) / 2;
}

/** Step decay: base · γ^⌊epoch / stepSize⌋. */
export function stepLr(baseLr: number, gamma: number, epoch: number, stepSize: number): number {
  if (!(stepSize >= 1)) throw new Error(`step scheduler: stepSize must be ≥ 1 epoch, got ${stepSize}`);
  return baseLr * Math.pow(gamma, Math.floor(epoch / stepSize));
}

/** Cosine interpolation from `start` (pct 0) to `end` (pct 1), torch's _annealing_cos. */
function annealCos(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
}

/**
 * torch.optim.lr_scheduler.OneCycleLR at `step` of `totalSteps` (three_phase false): phase 1 ends
 * at step pct·T − 1, phase 2 at T − 1; steps past the end stay at the final lr.
 */
export function oneCycleLr(maxLr: number, step: number, totalSteps: number, o: { pctStart?: number; divFactor?: number; finalDivFactor?: number } = {}): number {
  const pct = o.pctStart ?? 0.3;
  const div = o.divFactor ?? 25;
  const finalDiv = o.finalDivFactor ?? 1e4;
  if (!(pct > 0 && pct < 1)) throw new Error(`one-cycle scheduler: pctStart must be in (0, 1), got ${pct}`);
  const initial = maxLr / div;
  const final = initial / finalDiv;
  const end1 = pct * totalSteps - 1;
  const end2 = totalSteps - 1;
  const t = Math.min(Math.max(step, 0), end2);
  if (t <= end1) return end1 <= 0 ? maxLr : annealCos(initial, maxLr, t / end1);
  return end2 - end1 <= 0 ? final : annealCos(maxLr, final, (t - end1) / (end2 - end1));
}

/** Linear warmup multiplier at a step: startFactor → 1 over `warmupSteps`, then 1. */
export function warmupFactor(step: number, warmupSteps: number, startFactor = 0.1): number {
  if (warmupSteps <= 0 || step >= warmupSteps) return 1;
  return startFactor + ((1 - startFactor) * step) / warmupSteps;
}

export function warmupSteps(spec: SchedulerSpec, stepsPerEpoch: number): number {
  const w = spec.warmup;
  if (!w) return 0;
  return Math.round(w.steps ?? (w.epochs ?? 0) * stepsPerEpoch);
}

/** The learning rate at a point of training. Pure. */
export function lrAt(spec: SchedulerSpec, baseLr: number, p: SchedulePoint, state: SchedulerState = initialSchedulerState()): number {
  const W = warmupSteps(spec, p.stepsPerEpoch);
  const warm = warmupFactor(p.step, W, spec.warmup?.startFactor ?? 0.1);
  let lr: number;
  switch (spec.type) {
    case "none":
      lr = baseLr;
      break;
    case "cosine":
      lr = cosineLr(baseLr, spec.minLr ?? 0, p.step - W, p.totalSteps - W);
      break;
    case "step":
      lr = stepLr(baseLr, spec.gamma ?? 0.1, p.epoch, spec.stepSize);
      break;
    case "plateau":
      lr = Math.max(spec.minLr ?? 0, baseLr * state.scale);
      break;
    case "one-cycle":
      lr = oneCycleLr(baseLr, p.step - W, p.totalSteps - W, spec);
      break;
    default:
      throw new Error(`unknown scheduler "${(spec as { type: string }).type}"; use none, cosine, step, plateau or one-cycle`);
  }
  return lr * warm;
}

export interface PlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  cooldown?: number;
  minLr?: number;
}

/**
 * One epoch of ReduceLROnPlateau (torch semantics, threshold_mode "rel", sign-aware so negative
 * metrics also work): returns the new state.
 * The lr is reduced when the metric has not improved for more than `patience` epochs.
 */
export function plateauUpdate(state: SchedulerState, metric: number, baseLr: number, o: PlateauOptions = {}): SchedulerState {
  const mode = o.mode ?? "min";
  const factor = o.factor ?? 0.1;
  const patience = o.patience ?? 10;
  const threshold = o.threshold ?? 1e-4;
  const cooldown = o.cooldown ?? 0;
  const minLr = o.minLr ?? 0;
  if (!(factor > 0 && factor < 1)) throw new Error(`plateau scheduler: factor must be in (0, 1), got ${factor}`);
  if (!Number.isFinite(metric)) throw new Error(`plateau scheduler: monitored metric is ${metric}; it must be a finite number`);
  const s = { ...state };
  const better =
    s.best === null || (mode === "min" ? metric < s.best * (1 - Math.sign(s.best) * threshold) : metric > s.best * (1 + Math.sign(s.best) * threshold));
  if (better) {
    s.best = metric;
    s.badEpochs = 0;
  } else {
    s.badEpochs += 1;
  }
  if (s.cooldownLeft > 0) {
    s.cooldownLeft -= 1;
    s.badEpochs = 0;
  }
  if (s.badEpochs > patience) {
    const oldLr = Math.max(minLr, baseLr * s.scale);
    const newLr = Math.max(oldLr * factor, minLr);
    if (oldLr - newLr > 1e-8 * baseLr) {
      s.scale = newLr / baseLr;
      s.reductions += 1;
    }
    s.cooldownLeft = cooldown;
    s.badEpochs = 0;
  }
  return s;
}

/** End-of-epoch state transition (plateau only; other schedules keep their state). Pure. */
export function schedulerEpochEnd(spec: SchedulerSpec, state: SchedulerState, baseLr: number, logs: Record<string, number>): SchedulerState {
  if (spec.type !== "plateau") return state;
  const key = spec.monitor ?? "val_loss";
  const metric = logs[key];
  if (metric === undefined) {
    throw new Error(`plateau scheduler monitors "${key}" but the epoch logs have only ${Object.keys(logs).join(", ")}; set scheduler.monitor (e.g. "loss" without validation data)`);
  }
  return plateauUpdate(state, metric, baseLr, spec);
}
