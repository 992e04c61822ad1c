/**
 * `npm run bench [filter]`: runs every bench/*.bench.ts in its own process (so one benchmark's
 * heap does not distort another's) and prints their tables. Benchmarks write JSON under outputs/bench/.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const filter = process.argv[2];
const dir = __dirname;
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts") && (!filter || f.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches "${filter}" in ${dir}`);
  process.exit(1);
}
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.error(`${f} failed (exit ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
