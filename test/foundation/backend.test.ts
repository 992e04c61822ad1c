import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { BackendError, parseBackendName, selectBackend, BACKEND_ORDER, wasmThreadCount, backendLabel, hasFastConvolutions, type BackendChoice } from "../../src/lib/runtime/backend";
import { nativeThreadCount } from "../../src/lib/engine/index";
import { resnet50Preset } from "../../src/lib/experiments/presets";

function nativeInstalled(): boolean {
  for (const name of ["tfjs-node-native", "@tensorflow/tfjs-node-gpu"]) {
    try {
      require.resolve(`${name}/package.json`);
      return true;
    } catch {
      // not installed
    }
  }
  return false;
}

test("backend names and aliases", () => {
  assert.equal(parseBackendName("tfjs-node"), "tensorflow");
  assert.equal(parseBackendName(" GPU "), "tensorflow-gpu");
  assert.equal(parseBackendName("wasm"), "wasm");
  assert.throws(() => parseBackendName("cuda"), (e: Error) => e instanceof BackendError && /one of: tensorflow-gpu, tensorflow, wasm, cpu/.test(e.message));
});

test("forcing cpu selects cpu", async () => {
  const c = await selectBackend("cpu");
  assert.equal(c.backend, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(c.forced, true);
});

test("a forced native backend that cannot load is a clear error naming the fix", { skip: nativeInstalled() && "native backend installed here" }, async () => {
  await assert.rejects(selectBackend("tfjs-node"), (e: Error) => e instanceof BackendError && /STEEL_BACKEND=tfjs-node cannot be used: .*not installed.*Unset STEEL_BACKEND/.test(e.message));
});

test("automatic selection tries candidates in order and explains each skip", async () => {
  const c = await selectBackend(undefined);
  const tried = c.attempts.map((a) => a.backend);
  assert.deepEqual(tried, BACKEND_ORDER.slice(0, tried.length));
  assert.equal(c.attempts[c.attempts.length - 1].ok, true);
  for (const a of c.attempts.slice(0, -1)) assert.ok(a.reason.length > 0 && !a.ok);
  if (!nativeInstalled()) assert.equal(c.backend, "wasm");
  assert.equal(tf.getBackend(), c.tfBackend);
});

test("STEEL_WASM_THREADS sets the wasm thread count; bad values are a clear error; default 1..4", () => {
  assert.equal(wasmThreadCount({ STEEL_WASM_THREADS: "3" }), 3);
  assert.throws(() => wasmThreadCount({ STEEL_WASM_THREADS: "0" }), /STEEL_WASM_THREADS must be an integer in 1..8, got "0"/);
  assert.throws(() => wasmThreadCount({ STEEL_WASM_THREADS: "two" }), /STEEL_WASM_THREADS/);
  const d = wasmThreadCount({});
  assert.ok(d >= 1 && d <= 4, `default ${d}`);
});

test("STEEL_NATIVE_THREADS sets the oneDNN thread count; bad values are a clear error", () => {
  assert.equal(nativeThreadCount({ STEEL_NATIVE_THREADS: "2" }), 2);
  assert.throws(() => nativeThreadCount({ STEEL_NATIVE_THREADS: "0" }), /STEEL_NATIVE_THREADS must be an integer in 1..64, got "0"/);
  assert.ok(nativeThreadCount({}) >= 1);
});

test("results name wasm+onednn only when the native kernels ran; the ResNet50 quick preset follows the convolution speed", () => {
  const choice = (backend: BackendChoice["backend"], details: Record<string, unknown>): BackendChoice => ({ backend, tfBackend: backend, attempts: [], forced: false, details });
  const native = choice("wasm", { native: { kernels: ["Conv2D"], note: "oneDNN" } });
  const skipped = choice("wasm", { native: { skipped: "not built" } });
  assert.equal(backendLabel(native), "wasm+onednn");
  assert.equal(backendLabel(skipped), "wasm");
  assert.equal(backendLabel(choice("cpu", {})), "cpu");
  assert.equal(hasFastConvolutions(native), true);
  assert.equal(hasFastConvolutions(skipped), false);
  assert.equal(hasFastConvolutions(choice("tensorflow", {})), true);
  assert.equal(resnet50Preset("quick", false, true).epochs, 6);
  assert.equal(resnet50Preset("quick", false, false).epochs, 1);
  assert.equal(resnet50Preset("quick", false).zeroInitResidual, true);
  assert.equal(resnet50Preset("quick", true).zeroInitResidual, false);
});
