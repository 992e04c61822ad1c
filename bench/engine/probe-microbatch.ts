/**
 * Finds the largest micro-batch whose wasm training step fits the 4 GiB heap, per bench model.
 *   node --import tsx bench/engine/probe-microbatch.ts [models=simplecnn,resnet50,unet] [maxBatch=32]
 * Each (model, batch) runs in a fresh process (the wasm heap never shrinks): build, two
 * training steps, report the heap size. Writes outputs/bench/engine-microbatch.json.
 * Child mode: `... probe-microbatch.ts --child <model> <batch>` prints one JSON line.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { projectPaths } from "../../src/lib/config/paths";
import { writeJsonAtomic } from "../../src/lib/util/atomic-write";
import { registerWasmTrainingKernels, WASM_HEAP_MAX_BYTES, wasmHeapInfo } from "../../src/lib/engine/index";
import { BENCH_MODELS } from "./models";
import { makeStepRunner } from "./train-step";

interface ProbeResult {
  model: string;
  batch: number;
  ok: boolean;
  heapMiB?: number;
  stepMs?: number;
  error?: string;
}

async function child(model: string, batch: number): Promise<void> {
  require("@tensorflow/tfjs-backend-wasm");
  await tf.setBackend("wasm");
  await tf.ready();
  registerWasmTrainingKernels();
  const spec = BENCH_MODELS.find((m) => m.name === model);
  if (!spec) throw new Error(`unknown model ${model}`);
  const m = spec.build(42);
  const runner = makeStepRunner(spec, m, batch);
  let stepMs = 0;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const loss = runner.train();
    stepMs = performance.now() - t0;
    if (!Number.isFinite(loss)) throw new Error(`non-finite loss ${loss}`);
  }
  const heap = wasmHeapInfo();
  const res: ProbeResult = { model, batch, ok: true, heapMiB: Math.round(heap.heapBytes / 2 ** 20), stepMs: Math.round(stepMs) };
  process.stdout.write("PROBE " + JSON.stringify(res) + "\n");
  process.exit(0);
}

function runChild(model: string, batch: number): ProbeResult {
  const r = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", model, String(batch)], {
    encoding: "utf8",
    timeout: 20 * 60 * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("PROBE "));
  if (r.status === 0 && line) return JSON.parse(line.slice(6)) as ProbeResult;
  const err = ((r.stderr ?? "") + (r.error ? String(r.error) : ""))
    .split("\n")
    .filter((l) => /Error|Abort|out of bounds|memory/i.test(l) && l.length < 400)
    .slice(-2)
    .join(" | ");
  return { model, batch, ok: false, error: err || `exit ${r.status} signal ${r.signal}` };
}

async function main(): Promise<void> {
  const models = (process.argv[2] ?? "simplecnn,resnet50,unet").split(",");
  const maxBatch = Number(process.argv[3] ?? 32);
  const ladder = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64].filter((b) => b <= maxBatch);
  const results: ProbeResult[] = [];
  const summary: Record<string, unknown>[] = [];
  for (const model of models) {
    const spec = BENCH_MODELS.find((m) => m.name === model);
    if (!spec) throw new Error(`unknown model ${model}`);
    let best: ProbeResult | undefined;
    for (const b of ladder) {
      const r = runChild(model, b);
      results.push(r);
      console.log(`${model.padEnd(10)} batch ${String(b).padStart(3)}: ${r.ok ? `ok  heap ${r.heapMiB} MiB  step ${r.stepMs} ms` : `FAIL ${r.error}`}`);
      if (!r.ok) break;
      best = r;
      if ((r.heapMiB ?? 0) * 2 ** 20 > 0.9 * WASM_HEAP_MAX_BYTES) break;
    }
    summary.push({ model, inputSize: spec.inputSize, maxOk: best?.batch ?? 0, peakMiBAtMax: best?.heapMiB ?? 0 });
  }
  // Merge with earlier runs: other models keep their entries.
  const out = path.join(projectPaths().bench, "engine-microbatch.json");
  let prev: { summary?: Array<Record<string, unknown>>; results?: ProbeResult[] } = {};
  if (fs.existsSync(out)) prev = JSON.parse(fs.readFileSync(out, "utf8"));
  const mergedSummary = [...(prev.summary ?? []).filter((e) => !models.includes(String(e.model))), ...summary];
  const mergedResults = [...(prev.results ?? []).filter((r) => !models.includes(r.model)), ...results];
  writeJsonAtomic(out, { heapMaxBytes: WASM_HEAP_MAX_BYTES, summary: mergedSummary, results: mergedResults });
  console.log(`wrote ${out}`);
}

if (process.argv[2] === "--child") {
  child(process.argv[3], Number(process.argv[4])).catch((e) => {
    console.error(String(e?.stack ?? e));
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
