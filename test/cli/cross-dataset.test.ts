/** The cross-dataset command's argument checks: one-line errors, exit 2, before any data or model loads. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectPaths } from "../../src/lib/config/paths";

const root = projectPaths().root;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "steel-cross-cli-"));
const env = { ...process.env, STEEL_BACKEND: "cpu", STEEL_OUTPUTS: path.join(tmp, "outputs"), SEED: "42", STEEL_PROFILE: "smoke" };

function run(args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "src/cli/cross-dataset.ts"), ...args], { cwd: root, env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stderr: r.stderr };
}

const errors = (s: string) => s.split("\n").filter((l) => l.startsWith("error:"));

test("bad arguments: one line, exit 2", () => {
  fs.mkdirSync(path.join(tmp, "run"), { recursive: true });
  fs.writeFileSync(path.join(tmp, "run", "config.json"), "{}");
  const cases: [string[], RegExp][] = [
    [[], /--source-checkpoint/],
    [["--source-checkpoint", path.join(tmp, "nope")], /does not exist/],
    [["--source-checkpoint", tmp], /not a training run folder/],
    [["--source-checkpoint", path.join(tmp, "run"), "--view", "sideways"], /--view/],
    [["--source-checkpoint", path.join(tmp, "run"), "--class", "crazing"], /--class/],
    [["--source-checkpoint", path.join(tmp, "run"), "--mitigation", "none,magic"], /unknown mitigation "magic"/],
    [["--source-checkpoint", path.join(tmp, "run"), "--target-root", path.join(tmp, "missing")], /--target-root .* does not exist/],
  ];
  for (const [args, want] of cases) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    const lines = errors(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], want);
  }
});
