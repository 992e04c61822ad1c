/**
 * A second initWorkspace in one kernel (re-running cell 1) reuses the wasm backend: the message
 * says so plainly instead of "threads not enabled" next to "2 threads".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { selectBackend } from "../../src/lib/runtime/backend";

test("selecting wasm twice: the second choice says the backend is already set up, no thread complaint", async () => {
  const env = process.env.STEEL_WASM_THREADS;
  process.env.STEEL_WASM_THREADS = "2";
  try {
    const first = await selectBackend("wasm");
    const second = await selectBackend("wasm");
    assert.doesNotMatch(first.attempts[0].reason, /already set up/);
    assert.match(second.attempts[0].reason, /^already set up in this process, reused: XNNPACK wasm backend/);
    assert.doesNotMatch(second.attempts[0].reason, /threads not enabled/);
    assert.equal(second.details.wasmThreadsSkipped, undefined);
    assert.deepEqual(second.details.wasm, first.details.wasm, "same backend, same threads");
  } finally {
    if (env === undefined) delete process.env.STEEL_WASM_THREADS;
    else process.env.STEEL_WASM_THREADS = env;
  }
});
