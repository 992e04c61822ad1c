/**
 * The engine's layout contract (docs/engine.md): one file per kernel in engine/kernels named
 * after the kernel it registers, one registration list in the order the engine always used,
 * and wrapping kernels that hand uncovered calls to the stock kernel they replaced.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import {
  WASM_FASTER_TRAINING_KERNELS,
  WASM_FIXED_TRAINING_KERNELS,
  WASM_FUSED_TRAINING_KERNELS,
  WASM_MISSING_TRAINING_KERNELS,
  WASM_TRAINING_KERNELS,
  type WasmKernelConfig,
} from "../../src/lib/engine/index";
import { callWrapped, setWrappedKernel } from "../../src/lib/engine/util/wrapped-kernels";
import { projectPaths } from "../../src/lib/config/paths";
import { setupWasm } from "./helpers";

const KERNELS_DIR = path.join(projectPaths().root, "src", "lib", "engine", "kernels");

test("every file in engine/kernels exports one config named after the file, all registered", () => {
  const files = fs.readdirSync(KERNELS_DIR).filter((f) => f.endsWith(".ts"));
  assert.equal(files.length, WASM_TRAINING_KERNELS.length);
  for (const f of files) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(path.join(KERNELS_DIR, f)) as Record<string, unknown>;
    const configs = Object.values(mod).filter((v): v is WasmKernelConfig => typeof v === "object" && v !== null && "kernelFunc" in v);
    assert.equal(configs.length, 1, `${f} exports one kernel config`);
    const [config] = configs;
    assert.equal(config.kernelName, path.basename(f, ".ts"), `${f} registers the kernel it is named after`);
    assert.equal(config.backendName, "wasm");
    assert.ok(WASM_TRAINING_KERNELS.includes(config.kernelName), `${config.kernelName} is in the registration list`);
    if (config.wraps) assert.equal(config.wraps, config.kernelName, `${f} wraps the stock kernel of its own name`);
  }
});

test("the registration list keeps the engine's order and groups", () => {
  // The lists the engine registered before the kernels moved into files of their own.
  assert.deepEqual([...WASM_MISSING_TRAINING_KERNELS], ["Conv2DBackpropFilter", "DepthwiseConv2dNativeBackpropFilter", "DepthwiseConv2dNativeBackpropInput"]);
  assert.deepEqual([...WASM_FIXED_TRAINING_KERNELS], ["ResizeNearestNeighborGrad", "ResizeBilinearGrad", "MaxPoolGrad"]);
  assert.deepEqual([...WASM_FASTER_TRAINING_KERNELS], ["Conv2DBackpropInput", "Sum", "Mean", "Tile", "Identity", "Cast"]);
  assert.deepEqual([...WASM_FUSED_TRAINING_KERNELS], ["SteelBatchNormTrain", "SteelBatchNormTrainGrad"]);
  assert.deepEqual([...WASM_TRAINING_KERNELS], [...WASM_MISSING_TRAINING_KERNELS, ...WASM_FIXED_TRAINING_KERNELS, ...WASM_FASTER_TRAINING_KERNELS, ...WASM_FUSED_TRAINING_KERNELS]);
});

test("a wrapping kernel hands an uncovered call to the stock kernel (innermost Sum, int32 Sum)", async () => {
  await setupWasm();
  const before = tf.memory().numTensors;
  // Innermost-axis and int32 reductions are not ours: the stock kernel computes them.
  const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const xi = tf.tensor2d([[1, 2], [3, 4]], undefined, "int32");
  const [rows, cols] = [tf.sum(x, 1), tf.sum(xi, 0)];
  assert.deepEqual(await rows.array(), [6, 15]);
  assert.deepEqual(await cols.array(), [4, 6]);
  tf.dispose([x, xi, rows, cols]);
  assert.equal(tf.memory().numTensors, before);
});

test("a wrapped kernel that does not exist is a clear error naming the kernel", () => {
  setWrappedKernel("NoSuchKernel", undefined);
  assert.throws(() => callWrapped("NoSuchKernel", { inputs: {}, backend: undefined }), /NoSuchKernel \(wasm\): this call needs the stock kernel, which is missing/);
});
