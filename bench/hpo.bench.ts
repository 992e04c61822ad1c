/**
 * HPO benchmark, side by side in one run:
 *  1. sampler quality: our TPE vs Optuna 3.1's TPESampler (Debian's python3-optuna, /usr/bin/python3)
 *     and our random search, on the shifted quadratic, Branin and Hartmann-6 — same budgets, the same
 *     seeds (≥ 20), default settings on both sides (10 start-up trials, 24 EI candidates). Reported:
 *     the median best value per function and the ratio of median regrets (best − optimum),
 *     ours / Optuna (< 1: ours closer to the optimum). The Python side has its own copy of the
 *     functions, so a bug in ours shows as a mismatch of the optima, not as agreement.
 *  2. storage throughput: trials/s of 1 and 3 `hpo` worker processes (random sampler, no pruner, the
 *     quadratic — a no-op next to the storage) on one SQLite file and on one PostgreSQL study. The
 *     rate is measured from the trials' own stored start/complete times, so process start-up is
 *     not counted. PostgreSQL is the private server of environment/postgres.sh (started if needed).
 * Writes outputs/bench/hpo.json. Run: `npm run bench hpo` [-- --seeds N] or `node --import tsx bench/hpo.bench.ts --seeds 20`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn, spawnSync } from "child_process";
import { BENCHMARKS, benchmarkObjective } from "../src/lib/hpo/objectives/benchmarks";
import { createStudy } from "../src/lib/hpo/study/study";
import { RandomSampler } from "../src/lib/hpo/samplers/random";
import { TpeSampler } from "../src/lib/hpo/samplers/tpe/sampler";
import { openStorage } from "../src/lib/hpo/storage/url";
import { projectPaths } from "../src/lib/config/paths";
import { textTable } from "../src/lib/report/html";
import { writeJsonAtomic } from "../src/lib/util/atomic-write";
import { createProgress } from "../src/lib/util/progress";

const ROOT = path.resolve(__dirname, "..");
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SEEDS = arg("seeds", 20);
const BUDGETS: Record<string, number> = { quadratic: 30, branin: 50, hartmann6: 80 };
const THROUGHPUT_TRIALS = arg("throughput-trials", 150);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const OPTUNA = String.raw`
import json, math, sys, time
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
cfg = json.load(sys.stdin)
def quadratic(t):
    x, y = t.suggest_float("x0", -10, 10), t.suggest_float("x1", -10, 10)
    return (x - 3.2) ** 2 + (y + 1.7) ** 2
def branin(t):
    x, y = t.suggest_float("x0", -5, 10), t.suggest_float("x1", 0, 15)
    b, c = 5.1 / (4 * math.pi ** 2), 5 / math.pi
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]
def hartmann6(t):
    x = [t.suggest_float("x%d" % j, 0, 1) for j in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))
fns = {"quadratic": quadratic, "branin": branin, "hartmann6": hartmann6}
out = {"version": optuna.__version__, "best": {}, "seconds": {}}
for name, budget in cfg["budgets"].items():
    t0 = time.time()
    best = []
    for seed in cfg["seeds"]:
        s = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        s.optimize(fns[name], n_trials=budget)
        best.append(s.best_value)
    out["best"][name] = best
    out["seconds"][name] = time.time() - t0
print(json.dumps(out))
`;

async function ours(name: string, budget: number, seeds: number[], sampler: "tpe" | "random") {
  const t0 = Date.now();
  const best: number[] = [];
  const fn = BENCHMARKS[name];
  const bar = createProgress({ total: seeds.length, label: `ours ${sampler} ${name}` });
  for (const seed of seeds) {
    const s = await createStudy({ direction: "minimize", sampler: sampler === "tpe" ? new TpeSampler({ seed }) : new RandomSampler(seed) });
    await s.optimize(benchmarkObjective(fn), { nTrials: budget, progress: false });
    best.push(await s.bestValue());
    bar.tick();
  }
  bar.done();
  return { best, seconds: (Date.now() - t0) / 1000 };
}

function pgUrl(): string | undefined {
  if (process.env.STEEL_TEST_PG_URL) return process.env.STEEL_TEST_PG_URL;
  const r = spawnSync("bash", [path.join(ROOT, "environment/postgres.sh")], { encoding: "utf8" });
  const m = /STEEL_TEST_PG_URL=(\S+)/.exec(r.stdout ?? "");
  return m?.[1];
}

/** trials/s of `workers` hpo processes on one study, from the stored trial times. */
async function throughput(url: string, study: string, workers: number, env: NodeJS.ProcessEnv): Promise<{ trials: number; seconds: number; perSecond: number }> {
  const args = ["--import", "tsx", "src/cli/hpo.ts", "--study", study, "--storage", url, "--objective", "quadratic", "--sampler", "random", "--pruner", "none", "--n-trials", String(THROUGHPUT_TRIALS)];
  const codes = await Promise.all(
    Array.from({ length: workers }, () => new Promise<number | null>((resolve) => {
      const c = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
      c.on("exit", resolve);
    })),
  );
  if (codes.some((c) => c !== 0)) throw new Error(`a throughput worker failed (exit codes ${codes.join(", ")})`);
  const storage = await openStorage(url, { ...process.env, ...env });
  try {
    const rec = (await storage.getStudy(study))!;
    const trials = await storage.getAllTrials(rec.studyId);
    const start = Math.min(...trials.map((t) => t.start!));
    const end = Math.max(...trials.map((t) => t.complete!));
    const seconds = (end - start) / 1000;
    return { trials: trials.length, seconds, perSecond: trials.length / seconds };
  } finally {
    await storage.close();
  }
}

async function main() {
  const seeds = Array.from({ length: SEEDS }, (_, i) => i);
  console.log(`hpo bench: ${SEEDS} seeds, budgets ${JSON.stringify(BUDGETS)}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const py = spawnSync("/usr/bin/python3", ["-c", OPTUNA], { input: JSON.stringify({ budgets: BUDGETS, seeds }), encoding: "utf8", maxBuffer: 64 << 20 });
  if (py.status !== 0) throw new Error(`Optuna side failed (is python3-optuna installed? environment/apt-packages-bench.txt): ${py.stderr.split("\n").filter(Boolean).pop()}`);
  const optuna = JSON.parse(py.stdout.trim().split("\n").pop()!) as { version: string; best: Record<string, number[]>; seconds: Record<string, number> };
  const quality = [];
  for (const name of Object.keys(BUDGETS)) {
    const tpe = await ours(name, BUDGETS[name], seeds, "tpe");
    const random = await ours(name, BUDGETS[name], seeds, "random");
    const opt = BENCHMARKS[name].optimum;
    const regret = (xs: number[]) => median(xs) - opt;
    quality.push({
      function: name, budget: BUDGETS[name], seeds: SEEDS, optimum: opt,
      median_ours_tpe: median(tpe.best), median_optuna_tpe: median(optuna.best[name]), median_ours_random: median(random.best),
      regret_ratio_ours_over_optuna: regret(tpe.best) / regret(optuna.best[name]),
      wins_ours_vs_optuna: tpe.best.filter((v, i) => v < optuna.best[name][i]).length,
      seconds_ours_tpe: tpe.seconds, seconds_optuna_tpe: optuna.seconds[name],
    });
  }
  console.log(`\nSampler quality (median best value over ${SEEDS} seeds; regret ratio = (ours − optimum) / (Optuna ${optuna.version} − optimum), < 1 = ours better)`);
  console.log(textTable(quality));

  const rates = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpo-bench-"));
  try {
    for (const w of [1, 3]) rates.push({ storage: "sqlite", workers: w, ...(await throughput(`sqlite:///${path.join(dir, `w${w}.db`)}`, `bench-w${w}`, w, {})) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const pg = pgUrl();
  if (pg) {
    const u = new URL(pg);
    const env = { PGPASSWORD: decodeURIComponent(u.password) };
    u.password = "";
    const tag = Date.now().toString(36);
    for (const w of [1, 3]) rates.push({ storage: "postgresql", workers: w, ...(await throughput(u.toString(), `bench-${tag}-w${w}`, w, env)) });
  } else console.log("PostgreSQL: no server (environment/postgres.sh failed); throughput measured on SQLite only");
  console.log(`\nStorage throughput (${THROUGHPUT_TRIALS} trials per worker, random sampler, no-op objective; from stored trial times)`);
  console.log(textTable(rates));
  const load = os.loadavg();
  const file = path.join(projectPaths().outputs, "bench", "hpo.json");
  writeJsonAtomic(file, { seeds: SEEDS, budgets: BUDGETS, optuna: optuna.version, quality, throughput: rates, loadavg: load, cpus: os.cpus().length, date: new Date().toISOString() });
  console.log(`\nload at the end ${load.map((l) => l.toFixed(2)).join(" ")}; ${file}`);
}

main().catch((e) => {
  console.error(`hpo bench: ${(e as Error).message}`);
  process.exit(1);
});
