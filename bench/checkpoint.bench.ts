/**
 * Checkpoint I/O benchmark: save and validated load of a ResNet-50-sized checkpoint (≈25 M float32
 * weights + AdamW moments, ≈300 MB on disk), with the share of the load spent on the checks
 * (sha256 of weights.bin + optimizer.bin, the NaN/Inf scan) measured on the same buffers in
 * the same run. Writes outputs/bench/checkpoint.json.
 *
 * Run: `npm run bench checkpoint` or `node --import tsx bench/checkpoint.bench.ts [--params N] [--reps R]`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { projectPaths } from "../src/lib/config/paths";
import { firstNonFinite, readCheckpoint, saveCheckpoint, sha256 } from "../src/lib/train/checkpoint";
import { createOptimizer } from "../src/lib/train/optimizers/factory";
import { writeJsonAtomic } from "../src/lib/util/atomic-write";
import { createProgress } from "../src/lib/util/progress";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  await tf.setBackend("cpu");
  const params = arg("params", 25_000_000);
  const reps = arg("reps", 3);
  const side = Math.round(Math.sqrt(params));
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [side], units: side, useBias: false })] });
  const opt = createOptimizer("adamw", { lr: 1e-3 });
  // One step so the optimizer has its moments (the checkpoint then holds 3× the weights).
  opt.minimize(() => tf.sum(model.apply(tf.ones([1, side])) as tf.Tensor) as tf.Scalar);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "steel-bench-ckpt-")), "last");
  const save: number[] = [];
  const load: number[] = [];
  const hash: number[] = [];
  const scan: number[] = [];
  const bar = createProgress({ total: reps, label: "checkpoint bench" });
  for (let r = 0; r < reps; r++) {
    let t = performance.now();
    await saveCheckpoint(dir, { model, optimizer: opt, meta: { r } });
    save.push(performance.now() - t);
    t = performance.now();
    const c = readCheckpoint(dir);
    load.push(performance.now() - t);
    t = performance.now();
    sha256(c.weightData);
    if (c.optimizerData) sha256(c.optimizerData);
    hash.push(performance.now() - t);
    t = performance.now();
    firstNonFinite(c.weightData, c.weightSpecs);
    if (c.optimizerData && c.file.optimizer) firstNonFinite(c.optimizerData, c.file.optimizer.specs);
    scan.push(performance.now() - t);
    bar.tick(1);
  }
  bar.done();
  const bytes = fs.readdirSync(dir).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);
  const result = {
    params: side * side,
    bytesOnDisk: bytes,
    reps,
    medianMs: { save: median(save), load: median(load), sha256: median(hash), nanScan: median(scan) },
    checksShareOfLoad: (median(hash) + median(scan)) / median(load),
  };
  console.table(result.medianMs);
  console.log(`${(bytes / 1e6).toFixed(0)} MB on disk; checks are ${(100 * result.checksShareOfLoad).toFixed(0)}% of the load time`);
  writeJsonAtomic(path.join(projectPaths().outputs, "bench", "checkpoint.json"), result);
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  model.dispose();
  opt.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
