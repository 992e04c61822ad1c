/**
 * `compose([...], p)`: runs transforms in order, each with its own probability (default `p`).
 * For every entry the parent rng draws a coin and a child-stream seed whether or not the transform
 * runs, and the transform draws only from its child stream, so what one step does never shifts
 * the random numbers a later step sees.
 * Transforms marked `always` (normalisation) always run and draw no coin.
 */
import type { Rng } from "../../util/rng";
import type { AugSample, Transform } from "./types";

export type ComposeEntry = Transform | { transform: Transform; p: number };

export interface Composed extends Transform {
  transforms: readonly Transform[];
  probabilities: readonly number[];
}

export function compose(entries: readonly ComposeEntry[], p = 1): Composed {
  const transforms: Transform[] = [];
  const probabilities: number[] = [];
  for (const e of entries) {
    const t = "transform" in e ? e.transform : e;
    const prob = "transform" in e ? e.p : p;
    if (!(prob >= 0 && prob <= 1)) throw new Error(`compose: probability of "${t.name}" must be in [0, 1], got ${prob}`);
    transforms.push(t);
    probabilities.push(prob);
  }
  const anyGeometric = transforms.some((t) => t.kind === "geometric");
  return {
    name: `compose(${transforms.map((t) => t.name).join(", ")})`,
    kind: anyGeometric ? "geometric" : "photometric",
    transforms,
    probabilities,
    apply(sample: AugSample, rng: Rng): AugSample {
      let s = sample;
      for (let i = 0; i < transforms.length; i++) {
        const t = transforms[i];
        if (t.always) {
          s = t.apply(s, rng);
          continue;
        }
        // A child stream per step: the transform's own draws cannot shift the next coin.
        const coin = rng.next();
        const child = rng.fork(`${i}:${t.name}:${rng.seed32()}`);
        if (coin < probabilities[i]) s = t.apply(s, child);
      }
      return s;
    },
  };
}
