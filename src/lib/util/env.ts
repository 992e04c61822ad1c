/**
 * Reading settings from the environment (Make passes them that way), with errors that name the
 * variable and the accepted range.
 */

/** The integer in `env[name]` (1..max), or `fallback` when unset or blank. */
export function threadCountFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  max: number,
  fallback: number,
  makeError: (message: string) => Error = (m) => new Error(m),
): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw makeError(`${name} must be an integer in 1..${max}, got "${text}"`);
  return n;
}
