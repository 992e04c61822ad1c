/**
 * The project's kernel (environment/jupyter/kernels/steel-tslab/kernel.js) driven through Debian's
 * jupyter_client, as the notebook server drives it: a cell sent right after a failed one runs
 * (tslab cancelled it), a Run All's queued cells are still aborted after an error, and Kernel →
 * Interrupt reaches the library's interrupt flag with the kernel alive afterwards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectPaths } from "../../src/lib/config/paths";

const root = projectPaths().root;
const hasClient = spawnSync("/usr/bin/python3", ["-c", "import jupyter_client"]).status === 0;
const hasTslab = fs.existsSync(path.join(root, "node_modules", "tslab", "package.json"));
const skip = (!hasClient && "Debian's jupyter_client (python3-jupyter-client) is not installed") || (!hasTslab && "tslab is not installed (npm ci)") || false;

interface Step {
  code: string;
  with_previous?: boolean;
  interrupt_on?: string;
}
interface Reply {
  status: string;
  stdout: string;
  stderr: string;
}

function drive(steps: Step[]): Reply[] {
  const r = spawnSync("/usr/bin/python3", [path.join(__dirname, "kernel_driver.py"), root], { input: JSON.stringify(steps), encoding: "utf8", timeout: 240_000 });
  assert.equal(r.status, 0, `kernel_driver.py failed:\n${r.stderr}`);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Reply);
}

test("steel-tslab kernel: after an error the next cell runs, a queued Run All is aborted; Interrupt sets the loop's flag", { skip, timeout: 300_000 }, () => {
  const loop = [
    'import { interruptRequested } from "./src/lib/util/interrupt";',
    'import { yieldToEventLoop } from "./src/lib/util/event-loop";',
    'console.log("looping");',
    "let spins = 0;",
    "while (!interruptRequested()) { spins++; await yieldToEventLoop(0); }",
    'console.log(`flag seen after ${spins > 0 ? "some" : "no"} spins`);',
  ].join("\n");
  const replies = drive([
    { code: 'throw new Error("boom");' },
    { code: "6 * 7" }, // sent as soon as the error's reply is in: tslab aborted it
    { code: 'throw new Error("first of a Run All");' },
    { code: "1 + 1", with_previous: true },
    { code: "2 + 2", with_previous: true },
    { code: "3 + 4" },
    { code: loop, interrupt_on: "looping" },
    { code: "8 * 2" },
  ]);
  assert.equal(replies.length, 8);
  const [boom, next, first, q1, q2, after, looped, alive] = replies;
  assert.equal(boom.status, "error");
  assert.match(boom.stderr, /boom/);
  assert.deepEqual([next.status, next.stdout.trim()], ["ok", "42"], `the cell after an error: ${JSON.stringify(next)}`);
  assert.equal(first.status, "error");
  assert.deepEqual([q1.status, q2.status], ["abort", "abort"], "cells queued behind a failed one run (stop on error lost)");
  assert.deepEqual([q1.stdout, q2.stdout], ["", ""]);
  assert.deepEqual([after.status, after.stdout.trim()], ["ok", "7"], `the cell after an aborted Run All: ${JSON.stringify(after)}`);
  assert.equal(looped.status, "ok", `the interrupted loop: ${JSON.stringify(looped)}`);
  assert.match(looped.stdout, /looping\nflag seen after some spins/);
  assert.deepEqual([alive.status, alive.stdout.trim()], ["ok", "16"], `the kernel after the Interrupt: ${JSON.stringify(alive)}`);
});
