/**
 * The one call at the top of every notebook and script: reads the run configuration, seeds
 * everything, selects the backend (saying why), and records provenance so that the run's
 * metrics JSON says which seed, profile, backend and data produced it.
 */
import { readRunConfig, RunConfig } from "../config/run-config";
import { ProjectPaths, projectPaths } from "../config/paths";
import { BackendChoice, backendLabel, describeBackendChoice, selectBackend } from "./backend";
import { seedEverything } from "./seed";
import { Rng } from "../util/rng";
import { RunMetrics, writeRunMetrics, writeRunTimings } from "./run-record";

export interface Workspace {
  run: string;
  config: RunConfig;
  paths: ProjectPaths;
  backend: BackendChoice;
  /** Root random stream; take named forks for each consumer. */
  rng: Rng;
  /** Which data each dataset came from, filled in as datasets are opened. */
  dataSources: Record<string, "real" | "synthetic">;
  /** Records a wall-clock timing (seconds) for the run's timings file. */
  time<T>(label: string, fn: () => Promise<T>): Promise<T>;
  /** Writes outputs/metrics/<run>.json (deterministic) and outputs/timings/<run>.json. */
  finish(result: { title: string; headline: RunMetrics["headline"]; details?: Record<string, unknown> }): string;
}

export interface WorkspaceOptions {
  env?: NodeJS.ProcessEnv;
  paths?: ProjectPaths;
  /** Print the backend choice (default true). */
  verbose?: boolean;
}

export async function initWorkspace(run: string, opts: WorkspaceOptions = {}): Promise<Workspace> {
  const started = Date.now();
  const env = opts.env ?? process.env;
  const config = readRunConfig(env);
  const paths = opts.paths ?? projectPaths(undefined, env);
  const rng = seedEverything(config.seed);
  const backend = await selectBackend(config.backend);
  if (opts.verbose !== false) console.log(`[${run}] seed=${config.seed} profile=${config.profile}\n${describeBackendChoice(backend)}`);
  const timings: Record<string, number> = {};
  const ws: Workspace = {
    run,
    config,
    paths,
    backend,
    rng,
    dataSources: {},
    async time(label, fn) {
      const t0 = Date.now();
      try {
        return await fn();
      } finally {
        timings[label] = (timings[label] ?? 0) + (Date.now() - t0) / 1000;
      }
    },
    finish(result) {
      const file = writeRunMetrics(
        {
          run,
          title: result.title,
          provenance: { seed: config.seed, profile: config.profile, backend: backendLabel(backend), data: { ...ws.dataSources } },
          headline: result.headline,
          details: result.details,
        },
        paths,
      );
      writeRunTimings(run, { ...timings, total: (Date.now() - started) / 1000 }, paths);
      return file;
    },
  };
  return ws;
}
