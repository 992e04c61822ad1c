/**
 * enableWasmThreads: in a fresh process (the wasm backend initialises once per process) the
 * threaded SIMD binary starts with 2 XNNPACK threads, computes the same conv and gradients as
 * the single-threaded binary, and the process still exits on its own.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import { patchedWorkerSource } from "../../src/lib/engine/index";
import { relErr } from "./helpers";

interface Report {
  enable: { ok: boolean; requested: number; reason?: string };
  threads?: number;
  threadsRequested: number;
  y: number[];
  gx: number[];
  gw: number[];
}

function runChild(threads: number): Report {
  const child = path.join(__dirname, "fixtures", "threads-child.ts");
  const r = spawnSync(process.execPath, ["--import", "tsx", child, String(threads)], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.signal, null, `child (${threads} threads) was killed (${r.signal}): it did not exit by itself`);
  assert.equal(r.status, 0, `child (${threads} threads) failed: ${(r.stderr ?? "").slice(-800)}`);
  const line = r.stdout.split("\n").find((l) => l.startsWith("REPORT "));
  assert.ok(line, "child printed no report");
  return JSON.parse(line.slice(7)) as Report;
}

test("enableWasmThreads(2) starts 2 XNNPACK threads with results equal to 1 thread", () => {
  const single = runChild(0);
  assert.equal(single.threads, 1, "the stock single-threaded binary in Node");
  const multi = runChild(2);
  assert.deepEqual(multi.enable.ok, true, multi.enable.reason);
  assert.equal(multi.threadsRequested, 2);
  assert.equal(multi.threads, 2, "threads actually running");
  for (const k of ["y", "gx", "gw"] as const) {
    assert.equal(multi[k].length, single[k].length);
    assert.ok(relErr(multi[k], single[k]) <= 1e-5, `${k}: ${relErr(multi[k], single[k])}`);
  }
});

test("patchedWorkerSource loads the glue from a file and keeps string escapes", () => {
  const src =
    'self.onmessage=e=>{if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var u=URL.createObjectURL(e.data.urlOrBlob);importScripts(u);URL.revokeObjectURL(u)}Run(Module)};fs.writeSync(2,text+"\n")';
  const out = patchedWorkerSource(src, "/x/glue.js");
  assert.ok(out.includes('importScripts("/x/glue.js");Run(Module)'), out);
  assert.ok(!out.includes("createObjectURL"), "blob loader removed");
  assert.ok(out.includes('text+"\\n"'), "newline escape preserved as \\n");
  assert.throws(() => patchedWorkerSource("no loader here", "/x"), /worker script changed/);
});
