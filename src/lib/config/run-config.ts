/**
 * Run configuration shared by every notebook and script, read from the environment so that
 * Make can set it (papermill has no TypeScript translator).
 */
export type Profile = "smoke" | "quick" | "full";
export const PROFILES: readonly Profile[] = ["smoke", "quick", "full"];

export interface RunConfig {
  seed: number;
  profile: Profile;
  /** Backend forced by STEEL_BACKEND, or undefined for automatic selection. */
  backend?: string;
}

export const DEFAULT_SEED = 42;

export function readRunConfig(env: NodeJS.ProcessEnv = process.env): RunConfig {
  const seedText = env.SEED ?? env.STEEL_SEED;
  const seed = seedText === undefined || seedText === "" ? DEFAULT_SEED : Number(seedText);
  if (!Number.isInteger(seed) || seed < 0) {
    throw new Error(`SEED must be a non-negative integer, got "${seedText}"`);
  }
  const profileText = (env.STEEL_PROFILE ?? env.PROFILE ?? "quick").trim();
  if (!(PROFILES as readonly string[]).includes(profileText)) {
    throw new Error(`STEEL_PROFILE must be one of ${PROFILES.join(", ")}, got "${profileText}"`);
  }
  const backend = env.STEEL_BACKEND?.trim() || undefined;
  return { seed, profile: profileText as Profile, backend };
}

/** Picks the value for the active profile: `byProfile(cfg, {smoke: 1, quick: 5, full: 30})`. */
export function byProfile<T>(cfg: { profile: Profile }, values: Record<Profile, T>): T {
  return values[cfg.profile];
}
