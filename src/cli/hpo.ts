/**
 * hpo: one worker of a study (Optuna-style). Running it N times at once — N processes on one
 * SQLite file, or N machines against one PostgreSQL — shares the study: trial numbers, WAITING
 * (enqueued / retried) trials and the sampler's history all live in the storage.
 *   hpo --study NAME --storage URL --n-trials N --objective classifier|quadratic|branin|hartmann6 …
 *   hpo show --study NAME --storage URL      (a running study: trials table and best; no --study lists studies)
 * Every trial start is one stdout line "trial N started" (workers' logs); with --trial-delay-ms a
 * line "trial N holding" says its parameters are stored (the kill test waits for it).
 * Storage URLs are printed redacted; a password never reaches stdout, stderr or the run record.
 */
import * as path from "path";
import { COMMON_FLAGS, CliError, parseArgs } from "./args";
import { datasetFor, datasetName, runCli, workspaceFromArgs } from "./common";
import { classifierStudy } from "../lib/hpo/objectives/classifier-study";
import { OBJECTIVE_DIRECTIONS, OBJECTIVE_NAMES, ObjectiveName, isTestFunction, testFunctionObjective } from "../lib/hpo/objectives/registry";
import { summarizeStudy } from "../lib/hpo/results/summary";
import { trialRows } from "../lib/hpo/results/rows";
import { PRUNER_NAMES, PrunerName, SAMPLER_NAMES, SamplerName, prunerByName, samplerByName } from "../lib/hpo/study/by-name";
import { Objective, createStudy } from "../lib/hpo/study/study";
import { openStorage, redactUrl, scrub } from "../lib/hpo/storage/url";
import type { Storage } from "../lib/hpo/storage/types";
import type { TrialLike } from "../lib/hpo/trial/trial-like";
import { projectPaths } from "../lib/config/paths";
import { textTable } from "../lib/report/html";
import { writeJsonAtomic } from "../lib/util/atomic-write";

const USAGE = `hpo --study NAME --storage sqlite:///outputs/hpo/NAME.db|postgresql://USER@HOST:PORT/DB --objective ${OBJECTIVE_NAMES.join("|")}
           (--n-trials N | --max-trials N | --timeout S) [--sampler ${SAMPLER_NAMES.join("|")}] [--pruner ${PRUNER_NAMES.join("|")}] [--seed N]
           [--profile smoke|quick|full] [--dataset severstal|neu|gc10] [--data-root DIR] [--backend NAME]
           [--heartbeat S] [--grace S] [--retry-failed N] [--trial-delay-ms MS] [--debug]
       hpo show --storage URL [--study NAME] [--limit N]
--n-trials: trials this worker runs; --max-trials: stop once the study has that many non-FAIL trials (all workers).
--heartbeat/--grace: a RUNNING trial silent for --grace seconds (default 6 × heartbeat) is marked FAIL by the next
worker; --retry-failed N re-queues it (at most N times). --trial-delay-ms holds each test-function trial (tests).
The PostgreSQL password comes from the URL, PGPASSWORD or ~/.pgpass; prefer the last two (no secret in ps).`;

function choice<T extends string>(flag: string, v: unknown, all: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (!(all as readonly string[]).includes(String(v))) throw new CliError(`--${flag} must be one of ${all.join(", ")}, got "${String(v)}"`);
  return v as T;
}

function storageUrl(v: unknown): string {
  const url = String(v);
  if (!/^(sqlite:\/\/\/.+|postgres(ql)?:\/\/.+|memory)$/.test(url)) throw new CliError(`--storage must be sqlite:///outputs/hpo/NAME.db or postgresql://user@host:port/db, got "${redactUrl(url)}"`);
  return url;
}

/** The URL's password, to scrub from any error message a driver composes. */
function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

async function show(storage: Storage, study: string | undefined, limit: number): Promise<void> {
  if (!study) {
    const all = await storage.listStudies();
    console.log(all.length ? textTable(all.map((s) => ({ study: s.name, direction: s.directions.join(",") }))) : `no studies in ${storage.description}`);
    return;
  }
  const record = await storage.getStudy(study);
  if (!record) throw new CliError(`no study "${study}" in ${storage.description}`);
  const trials = await storage.getAllTrials(record.studyId);
  const s = summarizeStudy(record.name, storage.description, record.directions[0], trials);
  console.log(`study ${s.study} (${s.direction}) in ${s.storage}: ${s.trials} trials — ${Object.entries(s.states).map(([k, n]) => `${n} ${k}`).join(", ")}`);
  const rows = trialRows(trials).slice(-limit);
  if (rows.length) console.log(textTable(rows));
  if (trials.length > limit) console.log(`(last ${limit} of ${trials.length}; --limit N for more)`);
  console.log(s.best ? `best: trial ${s.best.number}, value ${s.best.value} ${JSON.stringify(s.best.params)}` : "best: none yet (no COMPLETE trial)");
}

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: {
      study: "string", storage: "string", objective: "string", "n-trials": "int", "max-trials": "int", timeout: "positive",
      sampler: "string", pruner: "string", seed: "number", profile: "string", dataset: "string", "data-root": "string", backend: "string",
      heartbeat: "positive", grace: "positive", "retry-failed": "number", "trial-delay-ms": "number", limit: "int", ...COMMON_FLAGS,
    },
    required: ["storage"],
    choices: { profile: ["smoke", "quick", "full"] },
    positionals: 1,
  });
  const url = storageUrl(a.storage);
  const secret = passwordOf(url);
  try {
    if (a._[0] !== undefined && a._[0] !== "show") throw new CliError(`unknown subcommand "${a._[0]}" (only "show"); see 'hpo --help'`);
    if (a._[0] === "show") {
      const storage = await openStorage(url);
      try {
        await show(storage, a.study === undefined ? undefined : String(a.study), Number(a.limit ?? 50));
      } finally {
        await storage.close();
      }
      return 0;
    }
    return await work(a, url);
  } catch (e) {
    if (e instanceof Error) e.message = scrub(e.message, secret);
    throw e;
  }
});

async function work(a: ReturnType<typeof parseArgs>, url: string): Promise<number> {
  if (a.study === undefined) throw new CliError("--study is required; see 'hpo --help'");
  if (a.objective === undefined) throw new CliError("--objective is required; see 'hpo --help'");
  const objectiveName = choice<ObjectiveName>("objective", a.objective, OBJECTIVE_NAMES, "classifier");
  const sampler = choice<SamplerName>("sampler", a.sampler, SAMPLER_NAMES, "tpe");
  const pruner = choice<PrunerName>("pruner", a.pruner, PRUNER_NAMES, "median");
  if (a["n-trials"] === undefined && a["max-trials"] === undefined && a.timeout === undefined) throw new CliError("give --n-trials, --max-trials or --timeout; see 'hpo --help'");
  const retry = a["retry-failed"] === undefined ? undefined : Number(a["retry-failed"]);
  if (retry !== undefined && !(Number.isInteger(retry) && retry >= 0)) throw new CliError(`--retry-failed must be a whole number >= 0, got "${String(a["retry-failed"])}"`);
  const delayMs = Number(a["trial-delay-ms"] ?? 0);
  if (!(delayMs >= 0)) throw new CliError(`--trial-delay-ms must be >= 0, got "${String(a["trial-delay-ms"])}"`);
  if (delayMs > 0 && !isTestFunction(objectiveName)) throw new CliError("--trial-delay-ms applies to the test functions only");
  const study = String(a.study);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(study)) throw new CliError(`--study must be letters, digits, _ . - (it names files), got "${study}"`);
  const seed = Number(a.seed ?? process.env.SEED ?? 42);
  const intervalS = Number(a.heartbeat ?? 10);
  const heartbeat = url === "memory" ? undefined : { intervalS, graceS: a.grace === undefined ? 6 * intervalS : Number(a.grace), retry: retry ? { maxRetry: retry } : false as const };

  let inner: (trial: TrialLike) => Promise<number>;
  let profile: string | undefined;
  if (isTestFunction(objectiveName)) inner = testFunctionObjective(objectiveName, { delayMs, onHold: (t) => console.log(`trial ${t.number} holding for ${delayMs} ms (parameters stored)`) });
  else {
    const ws = await workspaceFromArgs(`hpo_${study}`, a);
    profile = ws.config.profile;
    const ds = await datasetFor(ws, datasetName(a.dataset ?? "severstal"), a["data-root"], { lenient: Boolean(a.lenient) });
    inner = classifierStudy(ws, ds, { outDir: path.join(ws.paths.outputs, "hpo", study) }).objective;
  }
  const s = await createStudy({
    name: study,
    storage: await openStorage(url),
    direction: OBJECTIVE_DIRECTIONS[objectiveName],
    sampler: samplerByName(sampler, seed),
    pruner: prunerByName(pruner),
    loadIfExists: true,
    heartbeat,
  });
  console.log(`hpo: study ${study} in ${s.storage.description} (${objectiveName}, ${s.direction}, sampler ${sampler}, pruner ${pruner}, seed ${seed}${profile ? `, profile ${profile}` : ""})`);
  const objective: Objective = (trial) => {
    console.log(`trial ${trial.number} started`);
    return inner(trial);
  };
  try {
    await s.optimize(objective, { nTrials: a["n-trials"] as number | undefined, maxTrials: a["max-trials"] as number | undefined, timeoutS: a.timeout as number | undefined, catch: true });
    const summary = summarizeStudy(s.name, s.storage.description, s.direction, await s.getTrials());
    const file = path.join(projectPaths().outputs, "hpo", `${study}.json`);
    writeJsonAtomic(file, { ...summary, objective: objectiveName, sampler, pruner, seed, profile: profile ?? null });
    console.log(`hpo: ${summary.trials} trials (${Object.entries(summary.states).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(", ")})`);
    console.log(summary.best ? `best: trial ${summary.best.number}, value ${summary.best.value} ${JSON.stringify(summary.best.params)}` : "best: none yet");
    console.log(file);
  } finally {
    await s.storage.close();
  }
  return 0;
}
