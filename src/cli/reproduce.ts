/**
 * `make reproduce` / `make notebooks`: generate the embedded default data if needed, execute the
 * numbered notebooks headlessly in order, render HTML reports and the index.
 *   tsx src/cli/reproduce.ts [--only 00,01] [--no-html] [--cell-timeout S]
 */
import { projectPaths } from "../lib/config/paths";
import { readRunConfig } from "../lib/config/run-config";
import { NotebookSetupError, runNotebooks } from "./notebook-runner";
import { writeIndex } from "../lib/report/index-page";
import { formatDuration } from "../lib/util/progress";
import { parseArgs, CliError } from "./args";

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), {
    usage: "reproduce [--only 00,01] [--no-html] [--cell-timeout SECONDS]",
    flags: { only: "string", "no-html": "boolean", "cell-timeout": "number" },
  });
  const cfg = readRunConfig();
  const paths = projectPaths();
  const { prepareData } = await import("./prepare-data");
  await prepareData(cfg, paths);
  const t0 = Date.now();
  const runs = runNotebooks({
    paths,
    only: typeof args.only === "string" ? args.only.split(",").filter(Boolean) : [],
    html: !args["no-html"],
    cellTimeout: typeof args["cell-timeout"] === "number" ? args["cell-timeout"] : undefined,
  });
  const index = writeIndex(paths);
  const failed = runs.filter((r) => !r.ok);
  console.log(`\n${runs.length - failed.length}/${runs.length} notebooks ok in ${formatDuration(Date.now() - t0)}; reports: ${index}`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof NotebookSetupError || err instanceof CliError) {
      console.error(`error: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
