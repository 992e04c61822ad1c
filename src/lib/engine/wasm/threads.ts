/**
 * Multi-threaded XNNPACK for the wasm backend in Node.
 *
 * Out of the box tfjs-backend-wasm 4.22 runs single-threaded in Node, for three reasons:
 *  1. the flag WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false when IS_NODE;
 *  2. emscripten starts each pthread worker from `URL.createObjectURL(blob)`, and Node's
 *     worker_threads reject `blob:` URLs (ERR_WORKER_PATH); the worker then also loads the
 *     main script from a Blob, which its `importScripts` (fs.readFileSync) cannot read;
 *  3. the C++ side caps threads at emscripten_num_logical_cores() / 2 (= os.cpus().length / 2
 *     in Node), i.e. ONE thread on a 2-vCPU machine.
 * `enableWasmThreads(n)` fixes all three: it sets the flag, writes the worker script to a
 * temp file (patched to import the threaded glue from its file path), and re-registers the
 * wasm backend factory so that — only while the module instantiates — URL.createObjectURL
 * returns that file and os.cpus() reports 2n cores. Call it BEFORE tf.setBackend("wasm").
 */
import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeFileAtomic } from "../../util/atomic-write";

export interface WasmThreadsResult {
  /** Threads requested. */
  requested: number;
  ok: boolean;
  /** Why not, when ok is false. */
  reason?: string;
  /** The worker script written (when ok). */
  workerPath?: string;
}

let enabledThreads = 0;

/** Threads asked for by the last successful enableWasmThreads (0 = not enabled). */
export function requestedWasmThreads(): number {
  return enabledThreads;
}

function wasmPackage(): typeof import("@tensorflow/tfjs-backend-wasm") {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require("@tensorflow/tfjs-backend-wasm");
}

/** The pthread worker script, patched to load the threaded glue from `mainJs`. */
export function patchedWorkerSource(workerContents: string, mainJs: string): string {
  const re = /if\(typeof e\.data\.urlOrBlob=="string"\)\{importScripts\(e\.data\.urlOrBlob\)\}else\{[^}]*\}/;
  if (!re.test(workerContents)) {
    throw new Error("enableWasmThreads: the tfjs-backend-wasm worker script changed (urlOrBlob loader not found); threads cannot be patched in");
  }
  // Template-literal source: a literal "\n" inside a string must stay an escape.
  return workerContents.replace(re, `importScripts(${JSON.stringify(mainJs)});`).replace(/\n/g, "\\n");
}

/**
 * Prepares the wasm backend to start `threads` XNNPACK threads (1..8). Must run before the
 * wasm backend is first initialised; returns ok=false with the reason otherwise.
 */
export function enableWasmThreads(threads: number): WasmThreadsResult {
  const requested = Math.floor(threads);
  if (!(requested >= 1 && requested <= 8)) {
    throw new Error(`enableWasmThreads(${threads}): threads must be an integer in 1..8 (the wasm binary pre-spawns 8 workers)`);
  }
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  if (engine.registry.wasm !== undefined) {
    return { requested, ok: false, reason: "the wasm backend is already initialised; call enableWasmThreads before tf.setBackend(\"wasm\")" };
  }
  const wasm = wasmPackage();
  let mainJs: string;
  let workerContents: string;
  try {
    mainJs = require.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js");
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    workerContents = require("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js").wasmWorkerContents;
  } catch (err) {
    return { requested, ok: false, reason: `threaded wasm files not found: ${(err as Error).message.split("\n")[0]}` };
  }
  const dir = path.join(os.tmpdir(), `steel-defect-lab-wasm-${wasm.version_wasm}`);
  fs.mkdirSync(dir, { recursive: true });
  const workerPath = path.join(dir, "tfjs-backend-wasm-threaded-simd.worker.js");
  writeFileAtomic(workerPath, patchedWorkerSource(workerContents, mainJs));

  const factory = tf.findBackendFactory("wasm");
  if (!factory) return { requested, ok: false, reason: "no wasm backend factory registered" };
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(requested);
  tf.removeBackend("wasm");
  tf.registerBackend(
    "wasm",
    async () => {
      const urlApi = URL as unknown as { createObjectURL(b: unknown): string };
      const origUrl = urlApi.createObjectURL;
      // The CommonJS module object (the one emscripten's glue requires), not the read-only
      // ES namespace of `import * as os`.
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const osMod = require("os") as { cpus: () => os.CpuInfo[] };
      const origCpus = osMod.cpus;
      urlApi.createObjectURL = (b: unknown) =>
        /javascript/.test(String((b as { type?: unknown } | null)?.type)) ? workerPath : origUrl.call(URL, b);
      osMod.cpus = () => {
        const c = origCpus.call(osMod);
        const out: os.CpuInfo[] = [];
        for (let i = 0; i < 2 * requested; i++) out.push(c[i % Math.max(1, c.length)]);
        return out;
      };
      try {
        const backend = (await factory()) as unknown as { wasm?: { PThread?: { runningWorkers?: Array<{ unref?: () => void }> } } };
        // XNNPACK's pool threads idle in a wait loop and keep their workers referenced, which
        // would keep Node alive forever: let the process exit when the main thread is done.
        for (const w of backend.wasm?.PThread?.runningWorkers ?? []) w.unref?.();
        return backend as unknown as tf.KernelBackend;
      } finally {
        urlApi.createObjectURL = origUrl;
        osMod.cpus = origCpus;
      }
    },
    2,
  );
  enabledThreads = requested;
  return { requested, ok: true, workerPath };
}
