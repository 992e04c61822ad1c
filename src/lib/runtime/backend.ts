/**
 * Naming: "native" means the oneDNN convolution addon (src/lib/engine/native, STEEL_NATIVE);
 * the TensorFlow C library bindings are "tfjs-node" (backends tensorflow / tensorflow-gpu).
 * Backend selection: tfjs-node-gpu → tfjs-node → wasm (with our training kernels) → cpu,
 * overridable with STEEL_BACKEND. Every candidate that is skipped says why, so a user
 * knows what to install to get a faster one.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import {
  enableWasmThreads,
  loadNativeConvAddon,
  nativeThreadCount,
  registeredNativeKernels,
  registerWasmTrainingKernels,
  wasmStatus,
  type NativeConvAddon,
} from "../engine/index";
import { threadCountFromEnv } from "../util/env";

/**
 * XNNPACK threads for the wasm backend: STEEL_WASM_THREADS, else one per core (at most 4).
 * Threads split each matmul/conv into output tiles, so the numbers do not depend on the count.
 */
export function wasmThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  return threadCountFromEnv(env, "STEEL_WASM_THREADS", 8, Math.max(1, Math.min(4, os.cpus().length)), (m) => new BackendError(m));
}

/**
 * The oneDNN addon for the wasm backend's convolutions, unless STEEL_NATIVE=0. Returns the
 * addon (threads set) or why it is not used.
 */
export function nativeAddonFor(env: NodeJS.ProcessEnv = process.env): { addon?: NativeConvAddon; reason: string } {
  const flag = env.STEEL_NATIVE?.trim();
  if (flag === "0" || flag === "off") return { reason: "disabled by STEEL_NATIVE=0" };
  const { addon, reason } = loadNativeConvAddon();
  if (!addon) return { reason };
  const threads = nativeThreadCount(env);
  addon.setThreads(threads);
  return { addon, reason: `oneDNN ${addon.info().onednn} on ${threads} thread${threads > 1 ? "s" : ""}` };
}

export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

/** Accepted spellings of STEEL_BACKEND. */
const ALIASES: Record<string, BackendName> = {
  "tensorflow-gpu": "tensorflow-gpu",
  "tfjs-node-gpu": "tensorflow-gpu",
  gpu: "tensorflow-gpu",
  tensorflow: "tensorflow",
  "tfjs-node": "tensorflow",
  node: "tensorflow",
  wasm: "wasm",
  cpu: "cpu",
};

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  reason: string;
}

export interface BackendChoice {
  backend: BackendName;
  /** tf.getBackend() after selection ("tensorflow" for both tfjs-node packages). */
  tfBackend: string;
  attempts: BackendAttempt[];
  forced: boolean;
  /** Extra facts about the chosen backend (wasm: simd, threads, kernels added). */
  details: Record<string, unknown>;
}

export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackendError";
  }
}

export function parseBackendName(text: string): BackendName {
  const name = ALIASES[text.trim().toLowerCase()];
  if (!name) {
    throw new BackendError(
      `STEEL_BACKEND="${text}" is not a backend. Use one of: ${BACKEND_ORDER.join(", ")} (or unset it for automatic selection).`,
    );
  }
  return name;
}

/** Candidate npm package names: the real tfjs-node lives under an alias (danfojs' override occupies its name). */
const TFJS_NODE_PACKAGES: Record<"tensorflow-gpu" | "tensorflow", string[]> = {
  "tensorflow-gpu": ["@tensorflow/tfjs-node-gpu"],
  tensorflow: ["tfjs-node-native", "@tensorflow/tfjs-node"],
};

function resolvePackageDir(name: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** Loads a tfjs-node package (TensorFlow C library), or returns why it cannot be used (without a stack trace). */
function tryTfjsNode(backend: "tensorflow-gpu" | "tensorflow"): BackendAttempt {
  const reasons: string[] = [];
  for (const pkg of TFJS_NODE_PACKAGES[backend]) {
    const dir = resolvePackageDir(pkg);
    if (!dir) {
      reasons.push(`${pkg} not installed`);
      continue;
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name: string };
    if (!manifest.name.startsWith("@tensorflow/tfjs-node")) {
      // danfojs-node's npm override puts plain @tensorflow/tfjs under this name.
      reasons.push(`${pkg} is an alias of ${manifest.name}, not the tfjs-node package`);
      continue;
    }
    try {
      require(dir);
      return { backend, ok: true, reason: `loaded ${pkg} from ${dir}` };
    } catch (err) {
      const msg = (err as Error).message.split("\n")[0];
      const hint = /libcudart|libcudnn|cuda/i.test(msg)
        ? " (CUDA runtime libraries missing)"
        : /tensorflow\.so|napi|node-pre-gyp|\.node\b/i.test(msg)
          ? " (libtensorflow binary missing: its install step downloads it, impossible offline)"
          : "";
      reasons.push(`${pkg} failed to load${hint}: ${msg}`);
    }
  }
  return { backend, ok: false, reason: reasons.join("; ") };
}

async function trySet(name: string): Promise<string | undefined> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `tf.setBackend("${name}") returned false`;
    await tf.ready();
    return undefined;
  } catch (err) {
    return (err as Error).message.split("\n")[0];
  }
}

async function attempt(backend: BackendName, details: Record<string, unknown>): Promise<BackendAttempt> {
  if (backend === "tensorflow-gpu" || backend === "tensorflow") {
    const loaded = tryTfjsNode(backend);
    if (!loaded.ok) return loaded;
    const err = await trySet("tensorflow");
    return err ? { backend, ok: false, reason: `${loaded.reason}, but ${err}` } : loaded;
  }
  if (backend === "wasm") {
    try {
      require("@tensorflow/tfjs-backend-wasm");
    } catch (err) {
      return { backend, ok: false, reason: `@tensorflow/tfjs-backend-wasm not installed (${(err as Error).message.split("\n")[0]})` };
    }
    // Threads must be requested before the backend first initialises; 1 keeps the stock binary.
    // A second initWorkspace in the same kernel: the backend (and its threads) is already set
    // up and is reused as is; say so instead of "threads not enabled" next to "2 threads".
    const alreadySetUp = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry.wasm !== undefined;
    const threads = wasmThreadCount();
    const threadNote = threads > 1 && !alreadySetUp ? enableWasmThreads(threads) : undefined;
    const err = await trySet("wasm");
    if (err) return { backend, ok: false, reason: err };
    // Our training kernels (Conv2DBackpropFilter & co.) go in once the stock kernels are set up:
    // some wrap a stock kernel whose wasm function is bound during backend initialisation.
    const native = nativeAddonFor();
    const added = registerWasmTrainingKernels({ native: native.addon });
    const st = wasmStatus();
    details.wasm = { simd: st.simd, threads: st.threads, trainingKernels: st.registeredTrainingKernels };
    const nativeKernels = registeredNativeKernels();
    details.native = nativeKernels.length ? { kernels: nativeKernels, note: native.reason } : { skipped: native.reason };
    if (threadNote && !threadNote.ok) details.wasmThreadsSkipped = threadNote.reason;
    return {
      backend,
      ok: true,
      reason: `${alreadySetUp ? "already set up in this process, reused: " : ""}XNNPACK wasm backend (${st.simd ? "SIMD" : "no SIMD"}, ${st.threads ?? 1} thread${(st.threads ?? 1) > 1 ? "s" : ""}) with ${st.registeredTrainingKernels.length} training kernels of the workspace${added.length || alreadySetUp ? "" : " (already registered)"}${threadNote && !threadNote.ok ? `; threads not enabled: ${threadNote.reason}` : ""}; ${nativeKernels.length ? `convolutions and AdamW native (${native.reason})` : `native convolutions off: ${native.reason}`}`,
    };
  }
  const err = await trySet("cpu");
  return err ? { backend, ok: false, reason: err } : { backend, ok: true, reason: "pure-JS reference backend (slow)" };
}

/**
 * Selects the fastest available backend, or the one named by `forced` / STEEL_BACKEND.
 * A forced backend that cannot load is an error that names the fix, not a silent fallback.
 */
export async function selectBackend(forced: string | undefined = process.env.STEEL_BACKEND?.trim() || undefined): Promise<BackendChoice> {
  const details: Record<string, unknown> = {};
  if (forced) {
    const name = parseBackendName(forced);
    const a = await attempt(name, details);
    if (!a.ok) {
      throw new BackendError(
        `STEEL_BACKEND=${forced} cannot be used: ${a.reason}. ` +
          `Unset STEEL_BACKEND to fall back automatically, or install it (see 'make doctor').`,
      );
    }
    return { backend: name, tfBackend: tf.getBackend(), attempts: [a], forced: true, details };
  }
  const attempts: BackendAttempt[] = [];
  for (const name of BACKEND_ORDER) {
    const a = await attempt(name, details);
    attempts.push(a);
    if (a.ok) return { backend: name, tfBackend: tf.getBackend(), attempts, forced: false, details };
  }
  throw new BackendError(`no TensorFlow.js backend could start: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join("; ")}`);
}

/**
 * The backend as results should cite it: "wasm+onednn" when the convolutions ran natively
 * (their float sums differ from XNNPACK's, so the numbers belong to that configuration).
 */
export function backendLabel(choice: BackendChoice): string {
  const native = choice.details.native as { kernels?: string[] } | undefined;
  return choice.backend === "wasm" && native?.kernels?.length ? "wasm+onednn" : choice.backend;
}

/** Whether convolutions train fast here (tfjs-node, or wasm with the oneDNN addon). */
export function hasFastConvolutions(choice: BackendChoice): boolean {
  return choice.backend === "tensorflow" || choice.backend === "tensorflow-gpu" || backendLabel(choice) === "wasm+onednn";
}

/** One line per candidate, for logs, `make doctor` and notebook 00. */
export function describeBackendChoice(choice: BackendChoice): string {
  const lines = [`backend: ${backendLabel(choice)}${choice.forced ? " (forced by STEEL_BACKEND)" : ""}`];
  for (const a of choice.attempts) lines.push(`  ${a.ok ? "✔" : "✘"} ${a.backend}: ${a.reason}`);
  return lines.join("\n");
}
