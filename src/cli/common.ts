/** Shared pieces of the train / evaluate / predict commands. */
import * as fs from "fs";
import { initWorkspace, Workspace } from "../lib/runtime/workspace";
import { loadCheckedDataset, openDataset } from "../lib/experiments/datasets";
import { Dataset, DatasetName, DataError } from "../lib/data/types";
import { BackendError } from "../lib/runtime/backend";
import { CliError } from "./args";

export const DATASET_NAMES: DatasetName[] = ["severstal", "neu", "gc10"];

export function datasetName(v: unknown): DatasetName {
  if (typeof v !== "string" || !(DATASET_NAMES as string[]).includes(v)) throw new CliError(`--dataset must be one of ${DATASET_NAMES.join(", ")}, got "${String(v)}"`);
  return v as DatasetName;
}

/** A flag naming a folder (or file) that must exist: checked before anything loads. */
export function existingPath(flag: string, v: unknown, kind: "folder" | "file"): string | undefined {
  if (v === undefined) return undefined;
  const p = String(v);
  if (!fs.existsSync(p)) throw new CliError(`--${flag} ${p} does not exist`);
  const isDir = fs.statSync(p).isDirectory();
  if (kind === "folder" && !isDir) throw new CliError(`--${flag} ${p} is not a folder`);
  if (kind === "file" && isDir) throw new CliError(`--${flag} ${p} is a folder, not a file`);
  return p;
}

/**
 * --data-root DIR reads that folder as real data; otherwise data_raw/ or the synthetic default.
 * `lenient` (--lenient): bad rows/files become counted skips, summarised in one line here.
 */
export async function datasetFor(ws: Workspace, name: DatasetName, root: unknown, opts: { lenient?: boolean } = {}): Promise<Dataset> {
  const mode = opts.lenient ? "lenient" : "strict";
  let ds: Dataset;
  if (typeof root === "string") {
    // Pre-flight: every image header and label checked now, not when first sampled in epoch 2.
    const checked = await loadCheckedDataset(ws, name, root, { mode });
    ds = checked.dataset;
    ws.dataSources[name] = "real";
    console.log(`data: ${name} from ${root} (${ds.samples.length} images)`);
    console.log(`data: ${checked.summary}${checked.reportFile ? ` (every skip in ${checked.reportFile})` : ""}`);
  } else {
    // openDataset runs the same pre-flight check and prints its summary line.
    ds = await openDataset(ws, name, { mode });
  }
  return ds;
}

/** Environment overrides from flags (--seed, --profile) before the workspace reads them. */
export async function workspaceFromArgs(run: string, args: Record<string, unknown>): Promise<Workspace> {
  const env = { ...process.env };
  if (args.seed !== undefined) env.SEED = String(args.seed);
  if (args.profile !== undefined) env.STEEL_PROFILE = String(args.profile);
  if (args.backend !== undefined) env.STEEL_BACKEND = String(args.backend);
  return initWorkspace(run, { env });
}

/** Errors of the user's input (exit 2) as opposed to bugs (exit 1). */
function isInputError(err: Error): boolean {
  return err instanceof CliError || err.name === "ResumeRefused" || err instanceof DataError || err instanceof BackendError || /not a folder|no image files|not a training run|must be one of|does not exist|trained on classes|no samples to evaluate/.test(err.message);
}

/**
 * Runs a command: every failure is ONE line on stderr (`--debug` adds the stack trace); exit 2
 * for bad input, 1 for anything else. `main` resolves to the exit code (default 0).
 */
export function runCli(main: () => Promise<number | void>): void {
  const debug = process.argv.includes("--debug");
  main().then(
    (code) => process.exit(code ?? 0),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      console.error(`error: ${e.message.split("\n")[0]}`);
      if (debug) console.error(e.stack);
      process.exit(isInputError(e) ? 2 : 1);
    },
  );
}
