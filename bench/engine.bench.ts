/**
 * Engine benchmark: TensorFlow.js wasm training/inference throughput vs the cpu backend and
 * PyTorch (CPU) measured in the same run.
 *
 *   npm run bench engine            (or: node --import tsx bench/engine.bench.ts [--quick])
 *
 * Per model (SimpleCNN 224² b16, ResNet-50 224² b16, U-Net/ResNet-34 256² b8): median
 * images/s of a training step (forward, loss, backward, Adam; micro-batches with gradient
 * accumulation where the batch does not fit the 4 GiB wasm heap) and of inference, on wasm
 * with 1 and 2 XNNPACK threads, and with 2 threads plus the oneDNN addon (convolutions and
 * AdamW native, when built: `make native`); the step's achieved GFLOP/s (conv + dense FLOPs counted
 * analytically) as a share of the 1024² wasm matmul GFLOP/s measured in the same process right
 * before that model's steps (the shared vCPUs' speed drifts during a run); one reduced
 * side-by-side cpu-vs-wasm measurement (SimpleCNN 96², batch 2: cpu is ~100x slower); and
 * PyTorch via /usr/bin/python3 ../shared/bench/torch_peer.py --threads 2 --matmul when
 * torch imports. Writes outputs/bench/engine.json.
 */
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { projectPaths } from "../src/lib/config/paths";
import { writeJsonAtomic } from "../src/lib/util/atomic-write";
import { createProgress } from "../src/lib/util/progress";
import { loadNativeConvAddon } from "../src/lib/engine/index";
import { PYTHON, runTorchPeer } from "./torch-peer";

type Rec = Record<string, unknown> & { backend?: string; kind?: string; model?: string };


function runChild(args: string[], timeoutMin: number): { records: Rec[]; ok: boolean; error?: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "engine", "child.ts"), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: timeoutMin * 60 * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const records = (r.stdout ?? "")
    .split("\n")
    .filter((l) => l.startsWith("RESULT "))
    .map((l) => JSON.parse(l.slice(7)) as Rec);
  const ok = r.status === 0;
  return { records, ok, error: ok ? undefined : `exit ${r.status} ${r.signal ?? ""} ${r.error ? String(r.error) : ""}`.trim() };
}

function torchAvailable(): boolean {
  const r = spawnSync(PYTHON, ["-c", "import torch, torchvision"], { encoding: "utf8", timeout: 120_000 });
  return r.status === 0;
}

const runTorch = () => runTorchPeer<Rec>(["--threads", "2", "--matmul"]);

const fmt = (v: unknown, d = 2): string => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(d) : "-");
const ratio = (a: unknown, b: unknown): number | undefined =>
  typeof a === "number" && typeof b === "number" && b > 0 ? a / b : undefined;

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const models = quick ? "simplecnn" : "simplecnn,resnet50,unet";
  const phases = ["wasm 1 thread", "wasm 2 threads", "wasm 2 threads + oneDNN", "reduced cpu", "reduced wasm", "pytorch"];
  const bar = createProgress({ total: phases.length, label: "engine bench" });
  const errors: string[] = [];
  const all: Rec[] = [];
  const t0 = Date.now();

  const w1 = runChild(["wasm", "1", models, "--profile"], 20);
  all.push(...w1.records);
  if (!w1.ok) errors.push(`wasm 1 thread: ${w1.error}`);
  bar.tick(1, { phase: phases[0] });
  const w2 = runChild(["wasm", "2", models], 20);
  all.push(...w2.records);
  if (!w2.ok) errors.push(`wasm 2 threads: ${w2.error}`);
  bar.tick(1, { phase: phases[1] });
  const nativeBuilt = loadNativeConvAddon();
  if (nativeBuilt.addon) {
    const wn = runChild(["wasm", "2", models, "--native", "--profile"], 20);
    all.push(...wn.records);
    if (!wn.ok) errors.push(`wasm 2 threads + oneDNN: ${wn.error}`);
  } else {
    errors.push(`native addon: ${nativeBuilt.reason}`);
  }
  bar.tick(1, { phase: phases[2] });
  const rc = runChild(["reduced-cpu"], 10);
  all.push(...rc.records);
  if (!rc.ok) errors.push(`reduced cpu: ${rc.error}`);
  bar.tick(1, { phase: phases[3] });
  const rw = runChild(["reduced-wasm"], 5);
  all.push(...rw.records);
  if (!rw.ok) errors.push(`reduced wasm: ${rw.error}`);
  bar.tick(1, { phase: phases[4] });
  let torch: Rec[] = [];
  if (torchAvailable()) {
    const t = runTorch();
    torch = t.records;
    if (t.error) errors.push(t.error);
  } else {
    errors.push(`${PYTHON} cannot import torch: PyTorch columns left empty`);
  }
  bar.done({ phase: phases[5] });

  const find = (backend: string, kind: string, model?: string) =>
    all.find((r) => r.backend === backend && r.kind === kind && (model === undefined || r.model === model));
  const tfind = (model: string, mode: string) => torch.find((r) => r.model === model && r.mode === mode);
  const mm1 = find("wasm-1t", "matmul")?.gflops as number | undefined;
  const mm2 = find("wasm-2t", "matmul")?.gflops as number | undefined;
  const torchMm = torch.find((r) => String(r.model).startsWith("matmul"))?.gflop_per_s as number | undefined;

  const rows: Record<string, unknown>[] = [];
  for (const name of models.split(",")) {
    const m1 = find("wasm-1t", "model", name);
    const m2 = find("wasm-2t", "model", name);
    const mn = find("wasm-2t+onednn", "model", name);
    if (!m1) continue;
    const peer = String(m1.peer);
    const pt = tfind(peer, "train")?.img_per_s as number | undefined;
    const pi = tfind(peer, "infer")?.img_per_s as number | undefined;
    const gf = m1.trainGflopPerImage as number;
    const tr1 = m1.trainImgPerS as number;
    const tr2 = m2?.trainImgPerS as number | undefined;
    rows.push({
      model: name,
      batch: m1.batch,
      microBatch: m1.microBatch,
      wasm1tTrain: tr1,
      wasm1tInfer: m1.inferImgPerS,
      wasm2tTrain: tr2,
      wasm2tInfer: m2?.inferImgPerS,
      torchTrain: pt,
      torchInfer: pi,
      trainVsTorch1t: ratio(tr1, pt),
      inferVsTorch1t: ratio(m1.inferImgPerS, pi),
      trainVsTorch2t: ratio(tr2, pt),
      inferVsTorch2t: ratio(m2?.inferImgPerS, pi),
      nativeTrain: mn?.trainImgPerS,
      nativeInfer: mn?.inferImgPerS,
      nativeTrainVsTorch: ratio(mn?.trainImgPerS, pt),
      nativeInferVsTorch: ratio(mn?.inferImgPerS, pi),
      nativeTrainVsWasm2t: ratio(mn?.trainImgPerS, tr2),
      trainGflopPerImage: gf,
      trainGflops1t: tr1 * gf,
      matmulAdjacent1t: m1.matmulGflopsAdjacent,
      matmulAdjacent2t: m2?.matmulGflopsAdjacent,
      shareOfMatmul1t: ratio(tr1 * gf, (m1.matmulGflopsAdjacent as number | undefined) ?? mm1),
      trainGflops2t: tr2 !== undefined ? tr2 * gf : undefined,
      shareOfMatmul2t: tr2 !== undefined ? ratio(tr2 * gf, (m2?.matmulGflopsAdjacent as number | undefined) ?? mm2) : undefined,
    });
  }

  console.log(`\nengine bench (${os.cpus().length} vCPU, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}), ${Math.round((Date.now() - t0) / 1000)} s`);
  console.log(`matmul 1024²: wasm 1t ${fmt(mm1, 1)} GFLOP/s, wasm 2t ${fmt(mm2, 1)}, torch ${fmt(torchMm, 1)}`);
  const header =
    "model      batch/micro  wasm1t train infer | wasm2t train infer | torch train infer | ratio 2t train infer | train GFLOP/s 1t (% matmul) 2t (% matmul) | matmul before the model 1t 2t";
  console.log(header);
  for (const r of rows) {
    console.log(
      `${String(r.model).padEnd(10)} ${String(r.batch).padStart(3)}/${String(r.microBatch).padEnd(4)}     ` +
        `${fmt(r.wasm1tTrain).padStart(6)} ${fmt(r.wasm1tInfer).padStart(6)} | ${fmt(r.wasm2tTrain).padStart(6)} ${fmt(r.wasm2tInfer).padStart(6)} | ` +
        `${fmt(r.torchTrain).padStart(5)} ${fmt(r.torchInfer).padStart(6)} | ${fmt(r.trainVsTorch2t, 3).padStart(6)} ${fmt(r.inferVsTorch2t, 3).padStart(6)} | ` +
        `${fmt(r.trainGflops1t, 1).padStart(6)} (${fmt(100 * ((r.shareOfMatmul1t as number) ?? NaN), 0)}%)  ${fmt(r.trainGflops2t, 1).padStart(6)} (${fmt(100 * ((r.shareOfMatmul2t as number) ?? NaN), 0)}%) | ` +
        `${fmt(r.matmulAdjacent1t, 1).padStart(5)} ${fmt(r.matmulAdjacent2t, 1).padStart(5)}`,
    );
  }
  if (rows.some((r) => r.nativeTrain !== undefined)) {
    console.log("with the oneDNN addon (2 wasm threads + 2 OpenMP threads, convolutions and AdamW native):");
    console.log("model      native train infer | ÷ torch train infer | ÷ wasm 2t train");
    for (const r of rows) {
      console.log(
        `${String(r.model).padEnd(10)} ${fmt(r.nativeTrain).padStart(12)} ${fmt(r.nativeInfer).padStart(6)} | ` +
          `${fmt(r.nativeTrainVsTorch, 3).padStart(13)} ${fmt(r.nativeInferVsTorch, 3).padStart(6)} | ${fmt(r.nativeTrainVsWasm2t, 2).padStart(8)}x`,
      );
    }
  }
  const rcpu = find("cpu", "reduced");
  const rwasm = find("wasm-1t", "reduced");
  if (rcpu && rwasm) {
    console.log(
      `reduced SimpleCNN 96² b2: cpu train ${fmt(rcpu.trainImgPerS, 3)} infer ${fmt(rcpu.inferImgPerS, 3)} img/s | ` +
        `wasm 1t train ${fmt(rwasm.trainImgPerS, 2)} infer ${fmt(rwasm.inferImgPerS, 2)} | wasm/cpu train ${fmt(ratio(rwasm.trainImgPerS, rcpu.trainImgPerS), 0)}x infer ${fmt(ratio(rwasm.inferImgPerS, rcpu.inferImgPerS), 0)}x`,
    );
  }
  for (const p of all.filter((r) => r.kind === "profile")) {
    const ms = p.kernelMs as Record<string, number>;
    const total = Object.values(ms).reduce((a, b) => a + b, 0);
    const top = Object.entries(ms)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([k, v]) => `${k} ${((100 * v) / total).toFixed(0)}%`)
      .join(", ");
    console.log(`profile ${p.model} (micro-batch ${p.microBatch}, ${p.backend}): ${top}`);
  }
  if (errors.length) console.log("notes: " + errors.join("; "));

  const out = path.join(projectPaths().bench, "engine.json");
  writeJsonAtomic(out, {
    createdAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() },
    matmulGflops: { wasm1t: mm1, wasm2t: mm2, torch: torchMm },
    rows,
    records: all,
    torch,
    errors,
  });
  console.log(`wrote ${out}`);
  if (!w1.ok) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
