/**
 * Browser inference latency of the inspection page (headless Debian Chromium, tfjs wasm backend,
 * in its worker: decode + preprocessing + forward pass, and with Grad-CAM) per 200×200 (NEU) and
 * per 256×1600 (Severstal) image, beside Node's `predict` path (readImage + forward pass, the
 * workspace backend) on the same model; plus the largest |p_page − p_node| on those images.
 * Model: `make experiment-neu`'s run (outputs/models/experiment_neu_real, or --run DIR) exported
 * as float32; without it a 1-epoch smoke model is trained first (latency does not depend on training).
 * Writes outputs/bench/inspect.json.  Run: `npm run bench inspect` [-- --reps 8].
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import sharp from "sharp";
import * as tf from "@tensorflow/tfjs";
import { chromium } from "playwright-core";
import { projectPaths } from "../src/lib/config/paths";
import { selectBackend, backendLabel } from "../src/lib/runtime/backend";
import { writeJsonAtomic } from "../src/lib/util/atomic-write";
import { createRng } from "../src/lib/util/rng";
import { loadClassifier } from "../src/lib/experiments/classification";
import { readImage } from "../src/lib/data/image-io";
import { buildSite, serveSite } from "../src/cli/inspect-site";

const ROOT = path.resolve(__dirname, "..");
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const cli = (name: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  execFileSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli", name), ...args], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });

async function testImage(file: string, h: number, w: number, real: string | undefined, seed: number): Promise<string> {
  if (real && fs.existsSync(real)) {
    fs.copyFileSync(real, file);
    return "real";
  }
  const rng = createRng(seed, "bench/inspect");
  const data = Buffer.from(Uint8Array.from({ length: h * w }, (_, i) => 90 + 40 * Math.sin(i / 37) + rng.next() * 30));
  fs.writeFileSync(file, await sharp(data, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer());
  return "synthetic";
}

async function main(): Promise<void> {
  const reps = Number(arg("reps") ?? 8);
  const paths = projectPaths();
  const work = path.join(paths.bench, "inspect");
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  let run = arg("run") ?? path.join(paths.models, "experiment_neu_real");
  if (!fs.existsSync(path.join(run, "config.json"))) {
    run = path.join(work, "run");
    console.log(`no ${path.join(paths.models, "experiment_neu_real")} (make experiment-neu): training a 1-epoch smoke model for the timings`);
    cli("train.ts", ["--model", "simplecnn", "--dataset", "neu", "--epochs", "1", "--image-size", "96x96", "--profile", "smoke", "--out", run]);
  }
  const { config } = await loadClassifier(run);
  const dataRoot = config.dataset === "neu" && fs.existsSync(path.join(paths.sharedData, "neu-det")) && run.includes("experiment_neu_real") ? ["--data-root", path.join(paths.sharedData, "neu-det")] : [];
  cli("export.ts", ["--checkpoint", run, "--out", path.join(work, "export"), "--quantize", "none", ...dataRoot]);
  const site = await buildSite({ model: path.join(work, "export"), out: path.join(work, "site") });
  const sevDir = path.join(paths.sharedData, "severstal-samples/train_images");
  const neuDir = path.join(paths.sharedData, "neu-det/images");
  const first = (d: string) => (fs.existsSync(d) ? path.join(d, fs.readdirSync(d).sort()[0]) : undefined);
  const sizes = [
    { label: "200x200", h: 200, w: 200, file: path.join(work, "neu.jpg"), real: first(neuDir) },
    { label: "256x1600", h: 256, w: 1600, file: path.join(work, "severstal.png"), real: first(sevDir) },
  ];
  const sources: Record<string, string> = {};
  for (const [i, s] of sizes.entries()) sources[s.label] = await testImage(s.file, s.h, s.w, s.real, i);

  // Node: what `predict` does per image (decode + resize with sharp, forward pass), batch 1.
  const choice = await selectBackend();
  const { model } = await loadClassifier(run);
  const node: Record<string, { ms: number; probs: number[] }> = {};
  for (const s of sizes) {
    const times: number[] = [];
    let probs: number[] = [];
    for (let r = 0; r <= reps; r++) {
      const t0 = performance.now();
      const img = await readImage(s.file, { channels: config.channels, ...config.imageSize });
      const p = tf.tidy(() => model.predict(tf.tensor4d(img.data, [1, img.height, img.width, img.channels])) as tf.Tensor);
      probs = Array.from(await p.data());
      p.dispose();
      if (r > 0) times.push(performance.now() - t0);
    }
    node[s.label] = { ms: median(times), probs };
  }

  const { server, url } = await serveSite(site, "127.0.0.1", 0);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const rows: Record<string, unknown>[] = [];
  try {
    for (const cam of [false, true]) {
      const page = await browser.newPage();
      await page.goto(`${url}?backend=wasm&cam=${cam ? 1 : 0}`);
      await page.waitForFunction(() => document.body.dataset.backend !== undefined, null, { timeout: 120_000 });
      for (const s of sizes) {
        const copies = Array.from({ length: reps + 1 }, (_, i) => {
          const f = path.join(work, `copy_${s.label}_${String(i).padStart(2, "0")}${path.extname(s.file)}`);
          fs.copyFileSync(s.file, f);
          return f;
        });
        await page.setInputFiles("#files", copies);
        await page.waitForFunction((n) => {
          const w = window as unknown as { inspect: { pending(): number; rows(): unknown[] } };
          return w.inspect.rows().length === n && w.inspect.pending() === 0;
        }, copies.length, { timeout: 300_000 });
        const res = await page.evaluate(() => (window as unknown as { inspect: { rows(): { result?: { ms: number; probs: number[] }; error?: string }[] } }).inspect.rows().map((r) => ({ ms: r.result?.ms, probs: r.result?.probs, error: r.error })));
        const bad = res.find((r) => r.error);
        if (bad) throw new Error(`page failed on ${s.label}: ${bad.error}`);
        const ms = median(res.slice(1).map((r) => r.ms!));
        const diff = Math.max(...res[0].probs!.map((p, j) => Math.abs(p - node[s.label].probs[j])));
        rows.push({ image: s.label, source: sources[s.label], browser: cam ? "wasm, + Grad-CAM" : "wasm", browserMs: ms, nodePredictMs: node[s.label].ms, ratio: ms / node[s.label].ms, maxProbDiff: diff });
      }
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  const load = os.loadavg().map((v) => Number(v.toFixed(2)));
  console.table(rows.map((r) => ({ ...r, browserMs: (r.browserMs as number).toFixed(1), nodePredictMs: (r.nodePredictMs as number).toFixed(1), ratio: (r.ratio as number).toFixed(2), maxProbDiff: (r.maxProbDiff as number).toExponential(2) })));
  console.log(`load average ${load.join(" ")} on ${os.cpus().length} cores; node backend ${backendLabel(choice)}`);
  const file = path.join(paths.bench, "inspect.json");
  writeJsonAtomic(file, { model: config.model, run: path.relative(ROOT, run), input: [config.imageSize.height, config.imageSize.width, config.channels], reps, nodeBackend: backendLabel(choice), browser: "headless Chromium (/usr/bin/chromium), tfjs wasm in a Web Worker", load, rows });
  console.log(`→ ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
