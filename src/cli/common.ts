/** Shared pieces of the train / evaluate / predict commands. */
import { initWorkspace, Workspace } from "../lib/runtime/workspace";
import { openDataset, loadDatasetAt } from "../lib/experiments/datasets";
import { Dataset, DatasetName, DataError } from "../lib/data/types";
import { BackendError } from "../lib/runtime/backend";
import { CliError } from "./args";

export const DATASET_NAMES: DatasetName[] = ["severstal", "neu", "gc10"];

export function datasetName(v: unknown): DatasetName {
  if (typeof v !== "string" || !(DATASET_NAMES as string[]).includes(v)) throw new CliError(`--dataset must be one of ${DATASET_NAMES.join(", ")}, got "${String(v)}"`);
  return v as DatasetName;
}

/** --data-root DIR reads that folder as real data; otherwise data_raw/ or the synthetic default. */
export async function datasetFor(ws: Workspace, name: DatasetName, root: unknown): Promise<Dataset> {
  if (typeof root === "string") {
    const ds = await loadDatasetAt(name, root);
    ws.dataSources[name] = "real";
    console.log(`data: ${name} from ${root} (${ds.samples.length} images)`);
    return ds;
  }
  return openDataset(ws, name);
}

/** Environment overrides from flags (--seed, --profile) before the workspace reads them. */
export async function workspaceFromArgs(run: string, args: Record<string, unknown>): Promise<Workspace> {
  const env = { ...process.env };
  if (args.seed !== undefined) env.SEED = String(args.seed);
  if (args.profile !== undefined) env.STEEL_PROFILE = String(args.profile);
  if (args.backend !== undefined) env.STEEL_BACKEND = String(args.backend);
  return initWorkspace(run, { env });
}

/** Runs a command: clear one-line errors for bad input, a stack trace only for real bugs. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      const known = err instanceof CliError || err instanceof DataError || err instanceof BackendError || /not a folder|no image files|not a training run|must be one of|does not exist/.test(err.message);
      console.error(known ? `error: ${err.message}` : err);
      process.exit(known ? 2 : 1);
    },
  );
}
