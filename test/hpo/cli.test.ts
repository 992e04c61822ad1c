/**
 * The `hpo` command as a user meets it: bad input is one line on stderr with exit 2, a password in
 * a storage URL never appears in any output, a run resumes the same study with the next numbers,
 * and `hpo show` prints the trials table and the best trial (checked against the storage).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { openStorage } from "../../src/lib/hpo/storage/url";

const ROOT = path.resolve(__dirname, "../..");
const hpo = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, ["--import", "tsx", "src/cli/hpo.ts", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });

test("hpo: bad flags are one-line errors with exit 2", () => {
  for (const [args, want] of [
    [["--storage", "sqlite:///x.db", "--study", "s", "--objective", "nope", "--n-trials", "1"], /--objective must be one of classifier, quadratic/],
    [["--storage", "mysql://u:pw@h/db", "--study", "s", "--objective", "branin", "--n-trials", "1"], /--storage must be/],
    [["--storage", "sqlite:///x.db", "--study", "s", "--objective", "branin"], /give --n-trials, --max-trials or --timeout/],
    [["--storage", "sqlite:///x.db", "--study", "s", "--objective", "branin", "--n-trials", "0"], /--n-trials must be a whole number/],
  ] as const) {
    const r = hpo([...args]);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  const leak = hpo(["--storage", "mysql://u:s3cretpw@h/db", "--study", "s", "--objective", "branin", "--n-trials", "1"]);
  assert.ok(!leak.stderr.includes("s3cretpw") && !leak.stdout.includes("s3cretpw"), "password redacted");
});

test("hpo: a second run resumes the study with the next numbers; show prints the table and the best trial", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpo-cli-"));
  const url = `sqlite:///${path.join(dir, "s.db")}`;
  try {
    const args = ["--study", "cli", "--storage", url, "--objective", "branin", "--sampler", "random", "--n-trials", "3"];
    for (let i = 0; i < 2; i++) assert.equal(hpo(args, { STEEL_OUTPUTS: dir }).status, 0);
    const storage = await openStorage(url);
    const trials = await storage.getAllTrials((await storage.getStudy("cli"))!.studyId);
    await storage.close();
    assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3, 4, 5]);
    const best = trials.reduce((a, b) => (b.values![0] < a.values![0] ? b : a));
    const show = hpo(["show", "--study", "cli", "--storage", url]);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /6 trials — 0 RUNNING, 6 COMPLETE/);
    assert.match(show.stdout, new RegExp(`best: trial ${best.number}, value ${best.values![0]}`));
    assert.equal(show.stdout.split("\n").filter((l) => /^\d+\s+COMPLETE/.test(l)).length, 6);
    const record = JSON.parse(fs.readFileSync(path.join(dir, "hpo", "cli.json"), "utf8"));
    assert.equal(record.trials, 6);
    assert.equal(record.consecutiveNumbers, true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
