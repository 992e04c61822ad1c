/**
 * Measurement process of bench/engine.bench.ts (one backend configuration per process: the
 * wasm backend initialises once per process and its heap never shrinks).
 *   node --import tsx bench/engine/child.ts wasm <threads> [models] [--profile] [--native]
 *   node --import tsx bench/engine/child.ts cpu
 * Prints one `RESULT {json}` line per measurement on stdout; progress goes to stderr.
 */
import * as tf from "@tensorflow/tfjs";
import { enableWasmThreads, loadNativeConvAddon, nativeThreadCount, recommendedMicroBatch, registerWasmTrainingKernels } from "../../src/lib/engine/index";
import { AdamW } from "../../src/lib/train/optimizers/adamw";
import { createProgress } from "../../src/lib/util/progress";
import { BENCH_MODELS, buildSimpleCNN, countMacs, type BenchModelSpec } from "./models";
import { makeStepRunner, type StepRunner } from "./train-step";

function emit(rec: Record<string, unknown>): void {
  process.stdout.write("RESULT " + JSON.stringify(rec) + "\n");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall-clock seconds of `f` over `iters` timed runs after `warmup` runs. */
function timeRuns(f: () => void, warmup: number, iters: number, tick: () => void): number[] {
  for (let i = 0; i < warmup; i++) {
    f();
    tick();
  }
  const ts: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    f();
    ts.push((performance.now() - t0) / 1000);
    tick();
  }
  return ts;
}

function matmulGflops(): number {
  const n = 1024;
  const a = tf.randomNormal([n, n], 0, 1, "float32", 1);
  const b = tf.randomNormal([n, n], 0, 1, "float32", 2);
  const ts: number[] = [];
  for (let i = 0; i < 13; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    const dt = (performance.now() - t0) / 1000;
    c.dispose();
    if (i >= 3) ts.push(dt);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / median(ts) / 1e9;
}

/**
 * A training step over `batch` images as `ceil(batch / micro)` micro-batches with gradient
 * accumulation (mean of micro-batch mean losses) and one Adam update.
 */
class AccumulatingStep {
  private readonly runners: StepRunner[] = [];
  private readonly weights: number[] = [];
  constructor(spec: BenchModelSpec, model: tf.LayersModel, batch: number, micro: number) {
    for (let done = 0, i = 0; done < batch; done += micro, i++) {
      const size = Math.min(micro, batch - done);
      this.runners.push(makeStepRunner(spec, model, size, 42 + i));
      this.weights.push(size / batch);
    }
  }
  get micro(): number {
    return this.runners.length;
  }
  train(opt: tf.Optimizer, vars: tf.Variable[]): void {
    if (this.runners.length === 1) {
      this.runners[0].trainWith(opt, vars);
      return;
    }
    // Full-batch mean loss = Σ (micro size / batch) · micro-batch mean loss.
    let acc: tf.NamedTensorMap | undefined;
    this.runners.forEach((r, i) => {
      const g = r.grads(vars);
      const w = this.weights[i];
      const next = tf.tidy(() => {
        const out: tf.NamedTensorMap = {};
        for (const k of Object.keys(g)) out[k] = acc ? tf.add(acc[k], g[k].mul(w)) : g[k].mul(w);
        return out;
      });
      tf.dispose(Object.values(g));
      if (acc) tf.dispose(Object.values(acc));
      acc = next;
    });
    opt.applyGradients(acc as tf.NamedTensorMap);
    tf.dispose(Object.values(acc as tf.NamedTensorMap));
  }
  dispose(): void {
    for (const r of this.runners) r.dispose();
  }
}

async function profileStep(spec: BenchModelSpec, model: tf.LayersModel, micro: number): Promise<Record<string, number>> {
  const r = makeStepRunner(spec, model, micro, 7);
  const opt = adam();
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  r.trainWith(opt, vars);
  const prof = await tf.profile(() => {
    r.trainWith(opt, vars);
  });
  const byKernel: Record<string, number> = {};
  for (const k of prof.kernels) {
    if (k.name.endsWith("__op")) continue; // op wrappers nest the kernels: count kernels only
    byKernel[k.name] = (byKernel[k.name] ?? 0) + (k.kernelTimeMs as number);
  }
  r.dispose();
  opt.dispose();
  return byKernel;
}

/** Adam as the workspace trains with it (AdamW, decay 0 = torch.optim.Adam; fused when native). */
function adam(): tf.Optimizer {
  return new AdamW(1e-3, 0);
}

async function runWasm(threads: number, models: string[], profile: boolean, native: boolean): Promise<void> {
  require("@tensorflow/tfjs-backend-wasm");
  if (threads > 1) {
    const r = enableWasmThreads(threads);
    if (!r.ok) throw new Error(`enableWasmThreads(${threads}): ${r.reason}`);
  }
  await tf.setBackend("wasm");
  await tf.ready();
  const addon = native ? loadNativeConvAddon().addon : undefined;
  if (native && !addon) throw new Error(`--native: ${loadNativeConvAddon().reason}`);
  addon?.setThreads(nativeThreadCount());
  registerWasmTrainingKernels({ native: addon });
  const actual = (require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm")).getThreadsCount();
  const backend = `wasm-${actual}t${addon ? "+onednn" : ""}`;
  emit({ backend, kind: "matmul", gflops: matmulGflops(), threads: actual });
  for (const spec of BENCH_MODELS.filter((m) => models.includes(m.name))) {
    const model = spec.build(42);
    const macs = countMacs(model);
    // Equal micro-batches no larger than the memory-safe size.
    const parts = Math.ceil(spec.batch / Math.min(spec.batch, recommendedMicroBatch(spec.name, spec.inputSize)));
    const micro = Math.ceil(spec.batch / parts);
    const step = new AccumulatingStep(spec, model, spec.batch, micro);
    const inferRunner = makeStepRunner(spec, model, spec.batch, 99); // inference keeps no tape: full batch
    const opt = adam();
    const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const iters = 3;
    const bar = createProgress({ total: 2 * (1 + iters), label: `${backend} ${spec.name}` });
    // The machine's speed drifts (shared vCPUs): the share of matmul uses a matmul measured
    // right before this model's steps, not only the one at process start.
    const matmulAdjacent = matmulGflops();
    const train = timeRuns(() => step.train(opt, vars), 1, iters, () => bar.tick());
    const infer = timeRuns(() => inferRunner.infer(), 1, iters, () => bar.tick());
    bar.done();
    emit({
      backend,
      kind: "model",
      model: spec.name,
      peer: spec.peerName,
      batch: spec.batch,
      microBatch: micro,
      microBatches: step.micro,
      trainImgPerS: spec.batch / median(train),
      inferImgPerS: spec.batch / median(infer),
      trainSeconds: train,
      inferSeconds: infer,
      forwardGmacPerImage: macs.forwardMacs / 1e9,
      trainGflopPerImage: (2 * macs.trainMacs) / 1e9,
      numTensors: tf.memory().numTensors,
      matmulGflopsAdjacent: matmulAdjacent,
    });
    if (profile) emit({ backend, kind: "profile", model: spec.name, microBatch: micro, kernelMs: await profileStep(spec, model, micro) });
    step.dispose();
    inferRunner.dispose();
    opt.dispose();
    model.dispose();
  }
}

/** The reduced side-by-side measurement: SimpleCNN at 96², batch 2, one timed step. */
export const REDUCED = { model: "simplecnn", inputSize: 96, batch: 2 } as const;

async function runReduced(backendName: "cpu" | "wasm"): Promise<void> {
  if (backendName === "wasm") require("@tensorflow/tfjs-backend-wasm");
  await tf.setBackend(backendName);
  await tf.ready();
  if (backendName === "wasm") registerWasmTrainingKernels();
  const spec: BenchModelSpec = {
    name: "simplecnn",
    peerName: "simplecnn",
    inputSize: REDUCED.inputSize,
    batch: REDUCED.batch,
    task: "cls",
    build: (s) => buildSimpleCNN(REDUCED.inputSize, 5, s),
  };
  const model = spec.build(42);
  const r = makeStepRunner(spec, model, REDUCED.batch);
  const opt = tf.train.adam(1e-3);
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const bar = createProgress({ total: backendName === "cpu" ? 3 : 4, label: `${backendName} reduced ${spec.name}@${spec.inputSize}` });
  // cpu needs ~30 s per step here: no warm-up for training (its first step is not
  // measurably slower on the pure-JS backend), one warm-up for inference.
  const train = timeRuns(() => r.trainWith(opt, vars), backendName === "cpu" ? 0 : 1, 1, () => bar.tick());
  const infer = timeRuns(() => r.infer(), 1, 1, () => bar.tick());
  bar.done();
  emit({
    backend: backendName === "cpu" ? "cpu" : "wasm-1t",
    kind: "reduced",
    model: spec.name,
    inputSize: spec.inputSize,
    batch: spec.batch,
    trainImgPerS: spec.batch / median(train),
    inferImgPerS: spec.batch / median(infer),
  });
}

async function main(): Promise<void> {
  const [mode, arg1, arg2] = process.argv.slice(2);
  if (mode === "wasm") {
    const models = arg2 && !arg2.startsWith("--") ? arg2 : "simplecnn,resnet50,unet";
    await runWasm(Number(arg1 ?? 1), models.split(","), process.argv.includes("--profile"), process.argv.includes("--native"));
  } else if (mode === "reduced-cpu") {
    await runReduced("cpu");
  } else if (mode === "reduced-wasm") {
    await runReduced("wasm");
  } else {
    throw new Error(`child.ts: unknown mode ${mode}`);
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
