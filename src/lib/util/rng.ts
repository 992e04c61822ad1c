/**
 * Seeded random streams. Every consumer (shuffle, augmentation, synthetic data, initialisers)
 * takes its own named stream derived from the run seed, so adding a consumer does not shift
 * the numbers another one sees.
 */
import seedrandom from "seedrandom";

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number;
  uniform(lo: number, hi: number): number;
  normal(mean?: number, std?: number): number;
  bool(p?: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** In-place Fisher–Yates shuffle; returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** A child stream, independent of this one's later draws. */
  fork(name: string): Rng;
  /** A 32-bit integer seed (e.g. for tfjs initialisers). */
  seed32(): number;
}

export function createRng(seed: number | string, stream = "main"): Rng {
  const key = `${seed}/${stream}`;
  const prng = seedrandom(key);
  let spare: number | undefined;
  const rng: Rng = {
    next: () => prng.quick(),
    int: (lo, hi) => lo + Math.floor(prng.quick() * (hi - lo)),
    uniform: (lo, hi) => lo + prng.quick() * (hi - lo),
    normal(mean = 0, std = 1) {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return mean + std * s;
      }
      // Box–Muller; 1 - u keeps log away from 0.
      const u = 1 - prng.quick();
      const v = prng.quick();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return mean + std * r * Math.cos(2 * Math.PI * v);
    },
    bool: (p = 0.5) => prng.quick() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error("pick() from an empty list");
      return items[Math.floor(prng.quick() * items.length)];
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(prng.quick() * (i + 1));
        const t = items[i];
        items[i] = items[j];
        items[j] = t;
      }
      return items;
    },
    fork: (name) => createRng(seed, `${stream}/${name}`),
    seed32: () => prng.int32() >>> 0,
  };
  return rng;
}
