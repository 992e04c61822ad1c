import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildIndexHtml } from "../../src/lib/report/index-page";
import { extractCellError, listNotebooks } from "../../src/cli/notebook-runner";
import { htmlTable, textTable } from "../../src/lib/report/html";
import { projectPaths } from "../../src/lib/config/paths";
import { initWorkspace } from "../../src/lib/runtime/workspace";
import { RunMetrics } from "../../src/lib/runtime/run-record";

const m = (run: string, data: "real" | "synthetic", headline: RunMetrics["headline"]): RunMetrics => ({
  run, title: run, provenance: { seed: 42, profile: "smoke", backend: "cpu", data: { severstal: data } }, headline,
});

test("index links reports, shows headline metrics, warns loudly about synthetic data", () => {
  const html = buildIndexHtml([m("03_simplecnn", "synthetic", { macro_f1: 0.5 })], ["00_environment", "03_simplecnn"]);
  assert.match(html, /<a href="03_simplecnn.html">03_simplecnn<\/a>/);
  assert.match(html, /<a href="00_environment.html">/);
  assert.match(html, /macro_f1: <b>0.5000<\/b>/);
  assert.match(html, /SYNTHETIC data/);
  assert.match(html, /<script src="plotly.min.js">/);
  const real = buildIndexHtml([m("03_simplecnn", "real", { macro_f1: 0.5 })], ["03_simplecnn"]);
  assert.doesNotMatch(real, /SYNTHETIC/);
});

test("tables escape HTML and align text columns", () => {
  assert.match(htmlTable([{ a: "<b>", n: 0.5 }]), /<td>&lt;b&gt;<\/td><td>0.5000<\/td>/);
  assert.equal(textTable([{ a: "x", n: 12 }, { a: "long", n: 1 }]), "a     n \n----  --\nx     12\nlong  1 ");
});

test("notebooks are listed in numeric order and filtered by prefix", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nbs-"));
  fs.mkdirSync(path.join(root, "notebooks"));
  for (const f of ["10_x.ipynb", "02_b.ipynb", "00_a.ipynb", "scratch.ipynb", "01_c.txt"]) fs.writeFileSync(path.join(root, "notebooks", f), "{}");
  const paths = { ...projectPaths(), root, notebooks: path.join(root, "notebooks") };
  assert.deepEqual(listNotebooks(paths).map((p) => path.basename(p)), ["00_a.ipynb", "02_b.ipynb", "10_x.ipynb"]);
  assert.deepEqual(listNotebooks(paths, ["02", "10"]).map((p) => path.basename(p)), ["02_b.ipynb", "10_x.ipynb"]);
});

test("the failing cell and its error are extracted from the executor's output", () => {
  const out = "0.00s - Debugger warning\nCELL FAILED (cell 1):\n------------------\nlab.boom()\n------------------\nError: boom\n";
  assert.equal(extractCellError(out), "CELL FAILED (cell 1):\n------------------\nlab.boom()\n------------------\nError: boom");
});

test("a workspace run writes deterministic metrics with provenance, timings apart", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "ws-"));
  const env = { STEEL_OUTPUTS: out, STEEL_BACKEND: "cpu", SEED: "3", STEEL_PROFILE: "smoke" };
  const bytes: string[] = [];
  for (let i = 0; i < 2; i++) {
    const ws = await initWorkspace("99_test", { env, verbose: false });
    ws.dataSources.severstal = "synthetic";
    const draw = ws.rng.fork("x").next();
    await ws.time("work", async () => undefined);
    const file = ws.finish({ title: "t", headline: { draw, acc: 1 / 3 } });
    bytes.push(fs.readFileSync(file, "utf8"));
  }
  assert.equal(bytes[0], bytes[1]);
  const parsed = JSON.parse(bytes[0]) as RunMetrics;
  assert.deepEqual(parsed.provenance, { seed: 3, profile: "smoke", backend: "cpu", data: { severstal: "synthetic" } });
  assert.equal(parsed.headline.acc, 0.33333333);
  const timings = JSON.parse(fs.readFileSync(path.join(out, "timings", "99_test.json"), "utf8"));
  assert.equal(typeof timings.seconds.total, "number");
  assert.equal(typeof timings.seconds.work, "number");
});
