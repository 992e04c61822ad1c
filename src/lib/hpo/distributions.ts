/**
 * Parameter distributions (Optuna's FloatDistribution / IntDistribution / CategoricalDistribution).
 * Storage keeps every value in its "internal" form — a number: the value itself for float/int,
 * the index into `choices` for categorical — so one REAL column holds all parameters.
 */
export type CategoricalChoice = string | number | boolean | null;

export interface FloatDistribution {
  kind: "float";
  low: number;
  high: number;
  log: boolean;
  step: number | null;
}

export interface IntDistribution {
  kind: "int";
  low: number;
  high: number;
  log: boolean;
  step: number;
}

export interface CategoricalDistribution {
  kind: "categorical";
  choices: CategoricalChoice[];
}

export type Distribution = FloatDistribution | IntDistribution | CategoricalDistribution;
export type ParamValue = number | CategoricalChoice;

export function floatDistribution(low: number, high: number, opts: { log?: boolean; step?: number } = {}): FloatDistribution {
  const log = opts.log ?? false;
  const step = opts.step ?? null;
  if (!(low <= high)) throw new Error(`float distribution: low (${low}) must be <= high (${high})`);
  if (log && step !== null) throw new Error("float distribution: log and step cannot be used together");
  if (log && low <= 0) throw new Error(`float distribution: log needs low > 0, got ${low}`);
  if (step !== null && !(step > 0)) throw new Error(`float distribution: step must be > 0, got ${step}`);
  // As Optuna: with a step, high snaps down to the last reachable value.
  const top = step === null ? high : low + Math.floor((high - low) / step + 1e-9) * step;
  return { kind: "float", low, high: top, log, step };
}

export function intDistribution(low: number, high: number, opts: { log?: boolean; step?: number } = {}): IntDistribution {
  const log = opts.log ?? false;
  const step = opts.step ?? 1;
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new Error(`int distribution: bounds must be integers, got ${low}, ${high}`);
  if (!(low <= high)) throw new Error(`int distribution: low (${low}) must be <= high (${high})`);
  if (log && step !== 1) throw new Error("int distribution: log needs step 1");
  if (log && low < 1) throw new Error(`int distribution: log needs low >= 1, got ${low}`);
  if (!Number.isInteger(step) || step < 1) throw new Error(`int distribution: step must be a positive integer, got ${step}`);
  return { kind: "int", low, high: low + Math.floor((high - low) / step) * step, log, step };
}

export function categoricalDistribution(choices: readonly CategoricalChoice[]): CategoricalDistribution {
  if (choices.length === 0) throw new Error("categorical distribution needs at least one choice");
  return { kind: "categorical", choices: [...choices] };
}

/** Same distribution (Optuna raises when one name is suggested with two different ones). */
export function sameDistribution(a: Distribution, b: Distribution): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function describeDistribution(d: Distribution): string {
  if (d.kind === "categorical") return `categorical(${JSON.stringify(d.choices)})`;
  const extra = d.log ? ", log" : d.step !== null && d.step !== 1 ? `, step ${d.step}` : "";
  return `${d.kind}(${d.low}, ${d.high}${extra})`;
}

/** A single-valued distribution (low == high or one choice): samplers need not be asked. */
export function isSingle(d: Distribution): boolean {
  return d.kind === "categorical" ? d.choices.length === 1 : d.low === d.high;
}

export function toInternal(d: Distribution, value: ParamValue): number {
  if (d.kind === "categorical") {
    const i = d.choices.findIndex((c) => c === value);
    if (i < 0) throw new Error(`${JSON.stringify(value)} is not one of ${JSON.stringify(d.choices)}`);
    return i;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`${describeDistribution(d)} needs a finite number, got ${JSON.stringify(value)}`);
  return value;
}

export function toExternal(d: Distribution, internal: number): ParamValue {
  if (d.kind === "categorical") return d.choices[Math.round(internal)];
  return d.kind === "int" ? Math.round(internal) : internal;
}

/** Whether an internal value lies in the distribution (and on its grid). */
export function contains(d: Distribution, internal: number): boolean {
  if (d.kind === "categorical") return Number.isInteger(internal) && internal >= 0 && internal < d.choices.length;
  if (internal < d.low || internal > d.high) return false;
  if (d.kind === "int") return Number.isInteger(internal) && (internal - d.low) % d.step === 0;
  if (d.step !== null) return Math.abs(Math.round((internal - d.low) / d.step) * d.step + d.low - internal) < 1e-8 * Math.max(1, Math.abs(internal));
  return true;
}

/** Snaps a float onto a distribution's grid and bounds (used after continuous sampling). */
export function snap(d: FloatDistribution | IntDistribution, x: number): number {
  let v = x;
  if (d.kind === "int") v = Math.round((v - d.low) / d.step) * d.step + d.low;
  else if (d.step !== null) v = Math.round((v - d.low) / d.step) * d.step + d.low;
  return Math.min(d.high, Math.max(d.low, v));
}
