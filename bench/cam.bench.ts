/**
 * CAM throughput: images/s for ResNet50 (random init, "standardize" input layer) at 224×224,
 * batch B, explaining the last stage's output with Grad-CAM (one backward pass to the layer)
 * and LayerCAM (the same pass, element-wise weights) and Eigen-CAM (no gradient). Backend as
 * the workspace selects it (wasm + oneDNN addon here). Writes outputs/bench/cam.json.
 *
 * Run: `npm run bench cam` or `node --import tsx bench/cam.bench.ts [--batch 2] [--reps 2]`.
 */
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { selectBackend, backendLabel } from "../src/lib/runtime/backend";
import { projectPaths } from "../src/lib/config/paths";
import { writeJsonAtomic } from "../src/lib/util/atomic-write";
import { createProgress } from "../src/lib/util/progress";
import { createRng } from "../src/lib/util/rng";
import { createModel } from "../src/lib/models/registry";
import { createCam } from "../src/lib/explain/methods";
import { classLogit } from "../src/lib/explain/targets";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  // Registers the workspace kernels (and the oneDNN addon) on wasm.
  const choice = await selectBackend();
  const batch = arg("batch", 2);
  const reps = arg("reps", 2);
  const size = 224;
  const model = createModel("resnet50", { inputShape: [size, size, 3], classes: 4, seed: 1, inputNormalization: "standardize" });
  const rng = createRng(1, "bench/cam");
  const x = tf.tensor4d(Float32Array.from({ length: batch * size * size * 3 }, () => rng.next()), [batch, size, size, 3]);
  const rows: { method: string; imagesPerSecond: number; msPerImage: number }[] = [];
  const methods = ["gradcam", "layercam", "eigencam"];
  const progress = createProgress({ total: methods.length * (reps + 1), label: "cam bench" });
  for (const method of methods) {
    const cam = createCam(method, model);
    const times: number[] = [];
    for (let r = 0; r <= reps; r++) {
      const t0 = performance.now();
      const m = cam.compute(x, classLogit(0));
      await m.data();
      m.dispose();
      if (r > 0) times.push(performance.now() - t0); // rep 0 warms up kernels and caches
      progress.tick();
    }
    const ms = Math.min(...times) / batch;
    rows.push({ method, imagesPerSecond: 1000 / ms, msPerImage: ms });
  }
  progress.done();
  x.dispose();
  model.dispose();
  console.table(rows.map((r) => ({ method: r.method, "images/s": r.imagesPerSecond.toFixed(2), "ms/image": r.msPerImage.toFixed(0) })));
  const file = path.join(projectPaths().bench, "cam.json");
  writeJsonAtomic(file, { backend: backendLabel(choice), model: "resnet50", input: [size, size, 3], batch, reps, layer: "last 4-D layer (conv5 output)", rows });
  console.log(`→ ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
