import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { encodePng, readImage } from "../../src/lib/data/image-io";
import { projectPaths } from "../../src/lib/config/paths";

const root = projectPaths().root;
const run = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", path.join(root, "src/cli/perturb.ts"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, CI: "1" } });

async function folder(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perturb-"));
  for (const [name, v] of [["a.png", 0.3], ["sub/b.png", 0.6]] as const) {
    const data = new Float32Array(16 * 20).map((_, i) => v + 0.2 * Math.sin(i));
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), await encodePng({ data, height: 16, width: 20, channels: 1 }));
  }
  fs.writeFileSync(path.join(dir, "broken.jpg"), "this is not a JPEG");
  return dir;
}

test("perturb writes every readable image under its name, names and counts the bad one, exit 1; same seed → same bytes", async () => {
  const dir = await folder();
  const out1 = path.join(dir, "..", path.basename(dir) + "-out1");
  const out2 = path.join(dir, "..", path.basename(dir) + "-out2");
  const r1 = run(["--images", dir, "--kind", "noise", "--severity", "3", "--seed", "7", "--out", out1]);
  assert.equal(r1.status, 1, r1.stderr);
  assert.match(r1.stderr, /skipped broken\.jpg/);
  assert.match(r1.stdout, /2 images →/);
  const report = JSON.parse(fs.readFileSync(path.join(out1, "perturb.json"), "utf8"));
  assert.equal(report.written, 2);
  assert.deepEqual(report.failed.map((f: { file: string }) => f.file), ["broken.jpg"]);
  const a = await readImage(path.join(out1, "sub/b.png"));
  assert.deepEqual([a.height, a.width, a.channels], [16, 20, 1]);
  run(["--images", dir, "--kind", "noise", "--severity", "3", "--seed", "7", "--out", out2]);
  assert.deepEqual(fs.readFileSync(path.join(out1, "a.png")), fs.readFileSync(path.join(out2, "a.png")));
});

test("perturb refuses bad arguments in one line before reading anything", () => {
  for (const [args, msg] of [
    [["--images", "x", "--kind", "fog", "--severity", "3", "--out", "y"], /--kind must be one of dim, bright/],
    [["--images", "x", "--kind", "dim", "--severity", "7", "--out", "y"], /--severity must be an integer 1\.\.5/],
    [["--images", path.join(os.tmpdir(), "no-such-folder-xyz"), "--kind", "dim", "--severity", "2", "--out", "y"], /is not a folder/],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

test("perturb on real NEU images keeps JPEG format and size (skipped without the shared data)", async (t) => {
  const src = path.join(projectPaths().sharedData, "neu-det", "images");
  if (!fs.existsSync(src)) return t.skip("../shared/data/neu-det not present");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perturb-neu-"));
  for (const f of ["inclusion_1.jpg", "scratches_2.jpg"]) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  const out = dir + "-out";
  const r = run(["--images", dir, "--kind", "motion", "--severity", "3", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const bytes = fs.readFileSync(path.join(out, "inclusion_1.jpg"));
  assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  const img = await readImage(path.join(out, "inclusion_1.jpg"));
  assert.deepEqual([img.height, img.width], [200, 200]);
});
