/** Shared pieces of the HPO tests: Debian's python with Optuna as the independent reference. */
import { spawnSync } from "child_process";

const PY = "/usr/bin/python3";

let optunaOk: boolean | undefined;
/** Whether `import optuna` works with Debian's python (tests using it skip otherwise). */
export function hasOptuna(): boolean {
  optunaOk ??= spawnSync(PY, ["-c", "import optuna"], { encoding: "utf8" }).status === 0;
  return optunaOk;
}

/** Runs a python script that reads JSON on stdin and prints JSON on its last stdout line. */
export function python<T>(script: string, input: unknown): T {
  const r = spawnSync(PY, ["-c", script], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** One-sided sign test: P(X >= wins) for X ~ Binomial(n, 1/2). */
export function signTestP(wins: number, n: number): number {
  let p = 0;
  let c = 1; // C(n, 0)
  for (let k = 0; k <= n; k++) {
    if (k >= wins) p += c;
    c = (c * (n - k)) / (k + 1);
  }
  return p / 2 ** n;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The PostgreSQL URL for tests (environment/postgres.sh exports it). Unset → skip, unless
 * STEEL_PG_REQUIRED=1, where the test fails instead.
 */
export function pgUrl(): { url?: string; skip: string | false } {
  const url = process.env.STEEL_TEST_PG_URL;
  if (url) return { url, skip: false };
  if (process.env.STEEL_PG_REQUIRED === "1") return { skip: false };
  return { skip: "STEEL_TEST_PG_URL unset (eval \"$(environment/postgres.sh)\" to run the PostgreSQL tests)" };
}

export function requirePg(url: string | undefined): string {
  if (!url) throw new Error("STEEL_PG_REQUIRED=1 but STEEL_TEST_PG_URL is unset: run eval \"$(environment/postgres.sh)\"");
  return url;
}

export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
