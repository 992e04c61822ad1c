/** `make data`: generate the embedded synthetic datasets where data_raw/ has no real data. `--force` redraws them. */
import { projectPaths } from "../lib/config/paths";
import { readRunConfig } from "../lib/config/run-config";
import { CliError, parseArgs } from "./args";
import { prepareData } from "./prepare-data";

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { usage: "generate-data [--force]   (SEED and STEEL_PROFILE from the environment)", flags: { force: "boolean" } });
  await prepareData(readRunConfig(), projectPaths(), Boolean(args.force));
}

main().catch((e: Error) => {
  console.error(e instanceof CliError ? `error: ${e.message}` : e);
  process.exit(e instanceof CliError ? 2 : 1);
});
