/**
 * One call seeds everything: Math.random (which tfjs falls back to for unseeded initialisers and
 * dropout), and returns the root Rng from which shuffles, augmentation and synthetic data take
 * their own named streams.
 */
import seedrandom from "seedrandom";
import { createRng, Rng } from "../util/rng";

let currentSeed: number | undefined;

export function seedEverything(seed: number): Rng {
  // seedrandom's `global: true` replaces Math.random with a seeded generator.
  seedrandom(String(seed), { global: true });
  currentSeed = seed;
  return createRng(seed, "root");
}

/** The seed set by the last seedEverything(), if any. */
export function activeSeed(): number | undefined {
  return currentSeed;
}
