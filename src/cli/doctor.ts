/** `make doctor`: prints node/tfjs/backend/Jupyter/kernel status and exactly how to fix what is missing. */
import { projectPaths } from "../lib/config/paths";
import { readRunConfig } from "../lib/config/run-config";
import { selectBackend } from "../lib/runtime/backend";
import { environmentReport, formatEnvironmentReport, REQUIRED_TOOLS } from "../lib/runtime/environment";

async function main(): Promise<number> {
  const config = readRunConfig();
  const paths = projectPaths();
  let backendError: string | undefined;
  const backend = await selectBackend(config.backend).catch((e: Error) => {
    backendError = e.message;
    return undefined;
  });
  const report = environmentReport(config, paths, backend);
  console.log(formatEnvironmentReport(report));
  const missing = report.tools.filter((t) => !t.ok && REQUIRED_TOOLS.includes(t.name));
  if (backendError) console.log(`\n✘ backend: ${backendError}`);
  if (missing.length || backendError) {
    console.log(`\nNot ready: ${[...missing.map((t) => t.name), ...(backendError ? ["backend"] : [])].join(", ")}. Run 'make setup' or the fixes above.`);
    return 1;
  }
  console.log("\nReady: 'make reproduce' can run.");
  return 0;
}

main().then((c) => process.exit(c), (e) => { console.error(`doctor failed: ${(e as Error).message}`); process.exit(1); });
