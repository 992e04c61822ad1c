/**
 * The inspection page end to end, in headless Debian Chromium: train a tiny NEU classifier on the
 * smoke profile (train CLI, generated data), export it as float32, build + serve the page, then
 * pick / drop images (a real NEU image from ../shared/data when present, synthetic ones) and a
 * folder with a corrupt file; the page's probabilities must equal Node's `predict` (≤ 1e-4), its
 * Grad-CAM the library's, and it must not request anything outside 127.0.0.1.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { chromium, Browser, Page } from "playwright-core";
import { parse } from "csv-parse/sync";
import * as tf from "@tensorflow/tfjs";
import { buildSite, serveSite } from "../../src/cli/inspect-site";
import { loadClassifier } from "../../src/lib/experiments/classification";
import { readImage } from "../../src/lib/data/image-io";
import { GradCam } from "../../src/lib/explain/methods/grad-cam";
import { createModel } from "../../src/lib/models/registry";
import { saveModel } from "../../src/lib/train/checkpoint";
import { classLogit } from "../../src/lib/explain/targets";

const ROOT = path.resolve(__dirname, "../..");
const OUT = path.join(ROOT, "outputs", "e2e-inspect");
const RUN = path.join(OUT, "run");
const EXPORT = path.join(OUT, "export");
const SITE = path.join(OUT, "site");
const SHARED_NEU = path.join(ROOT, "../shared/data/neu-det/images");
const env = { ...process.env, STEEL_OUTPUTS: OUT, STEEL_PROFILE: "smoke", SEED: "42" };
const tsx = (cli: string, args: string[]) => execFileSync(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli", cli), ...args], { cwd: ROOT, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

let browser: Browser;
let page: Page;
let url = "";
let close: () => void = () => undefined;
const outside: string[] = [];
const local: string[] = [];
const images = path.join(OUT, "images");
const folder = path.join(OUT, "folder");

before(async () => {
  fs.rmSync(OUT, { recursive: true, force: true });
  // 96×96: the input size of the real NEU experiment (JPEG decoding + resize are exact there, see docs/deployment.md).
  tsx("train.ts", ["--model", "simplecnn", "--dataset", "neu", "--epochs", "1", "--image-size", "96x96", "--out", RUN]);
  // A U-Net run folder (random weights: the page's mask path is what is checked, not its quality).
  const seg = path.join(OUT, "seg-run");
  const unet = createModel("unet", { inputShape: [32, 64, 1], classes: 4, seed: 1 });
  await saveModel(unet, path.join(seg, "best"));
  unet.dispose();
  fs.writeFileSync(path.join(seg, "config.json"), JSON.stringify({ model: "unet", classNames: ["class_1", "class_2", "class_3", "class_4"], dataset: "severstal", seed: 42 }));
  tsx("export.ts", ["--checkpoint", RUN, "--out", EXPORT, "--quantize", "none", "--segmentation", seg]);
  await buildSite({ model: EXPORT, out: SITE });
  const s = await serveSite(SITE, "127.0.0.1", 0);
  url = s.url;
  close = () => s.server.close();
  // Images: synthetic NEU (the generated data) + one real NEU image when ../shared/data is present.
  const synth = path.join(OUT, "raw", "neu");
  const synthFiles = fs.readdirSync(path.join(OUT), { recursive: true }).map(String).filter((f) => /neu/i.test(f) && /\.(jpg|png|bmp)$/i.test(f)).sort();
  assert.ok(synthFiles.length >= 4, `no generated NEU images under ${OUT} (${synth})`);
  fs.mkdirSync(images, { recursive: true });
  fs.mkdirSync(folder, { recursive: true });
  synthFiles.slice(0, 2).forEach((f, i) => fs.copyFileSync(path.join(OUT, f), path.join(images, `synthetic_${i}${path.extname(f)}`)));
  const real = fs.existsSync(SHARED_NEU) ? fs.readdirSync(SHARED_NEU).filter((f) => f.endsWith(".jpg")).sort()[0] : undefined;
  if (real) fs.copyFileSync(path.join(SHARED_NEU, real), path.join(images, `real_${real}`));
  synthFiles.slice(2, 6).forEach((f, i) => fs.copyFileSync(path.join(OUT, f), path.join(folder, `img_${i}${path.extname(f)}`)));
  fs.writeFileSync(path.join(folder, "img_9_corrupt.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]));
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  // Routed on the context, so the worker's requests (model, wasm) pass through it too.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === "blob:" || u.protocol === "data:") return route.continue();
    if (u.hostname === "127.0.0.1") {
      local.push(u.pathname);
      return route.continue();
    }
    outside.push(u.href);
    return route.abort();
  });
  page = await context.newPage();
  await page.goto(`${url}?backend=wasm`);
  await page.waitForFunction(() => document.body.dataset.backend !== undefined, null, { timeout: 120_000 });
});

after(async () => {
  await browser?.close();
  close();
});

interface PageRow {
  name: string;
  maskSize?: number[];
  probs?: number[];
  error?: string;
  cam?: number[];
  label?: string;
}

async function pageRows(): Promise<PageRow[]> {
  await page.waitForFunction(() => {
    const w = window as unknown as { inspect: { pending(): number; rows(): unknown[] } };
    return w.inspect.pending() === 0 && w.inspect.rows().length > 0;
  }, null, { timeout: 120_000 });
  return page.evaluate(() =>
    (window as unknown as { inspect: { rows(): { name: string; error?: string; result?: { probs: number[]; cam: Float32Array; decision: { label: string }; mask?: Float32Array; maskHeight?: number; maskWidth?: number } }[] } }).inspect
      .rows()
      .map((r) => ({ name: r.name, maskSize: r.result?.mask ? [r.result.maskHeight!, r.result.maskWidth!, r.result.mask.length] : undefined, error: r.error, probs: r.result?.probs, cam: r.result ? Array.from(r.result.cam) : undefined, label: r.result?.decision.label })),
  );
}

function nodePredict(dir: string): Map<string, { probs: number[]; error: string }> {
  const csv = path.join(OUT, `predict_${path.basename(dir)}.csv`);
  try {
    tsx("predict.ts", ["--checkpoint", RUN, "--images", dir, "--out", csv]);
  } catch (err) {
    if ((err as { status?: number }).status !== 3) throw err; // 3: some files failed (the corrupt one)
  }
  const rows = parse(fs.readFileSync(csv, "utf8"), { columns: true }) as Record<string, string>[];
  return new Map(rows.map((r) => [r.image, { probs: Object.keys(r).filter((k) => k.startsWith("p_")).map((k) => Number(r[k])), error: r.error }]));
}

test("picked images: the page's probabilities equal Node's predict (≤ 1e-4) and its Grad-CAM the library's", async () => {
  const files = fs.readdirSync(images).sort();
  await page.setInputFiles("#files", files.map((f) => path.join(images, f)));
  const rows = await pageRows();
  assert.equal(rows.length, files.length);
  const node = nodePredict(images);
  // predict's CSV rounds to 6 decimals; compare against the model in this process too (full precision).
  const { model, config } = await loadClassifier(RUN);
  for (const r of rows) {
    assert.equal(r.error, undefined, `${r.name}: ${r.error}`);
    const csv = node.get(r.name)!;
    r.probs!.forEach((p, j) => assert.ok(Math.abs(p - csv.probs[j]) <= 1e-4 + 5e-7, `${r.name} p${j}: page ${p} vs predict ${csv.probs[j]}`));
    const img = await readImage(path.join(images, r.name), { channels: config.channels, ...config.imageSize });
    const x = tf.tensor4d(img.data, [1, img.height, img.width, img.channels]);
    const probs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    r.probs!.forEach((p, j) => assert.ok(Math.abs(p - probs[j]) <= 1e-4, `${r.name} p${j}: page ${p} vs node ${probs[j]}`));
    const k = config.classNames.indexOf(r.label!);
    const cam = new GradCam(model).compute(x, classLogit(k));
    const ref = cam.dataSync();
    let d = 0;
    ref.forEach((v, i) => (d = Math.max(d, Math.abs(v - r.cam![i]))));
    assert.ok(d <= 1e-3, `${r.name}: Grad-CAM differs from the library's by ${d}`);
    tf.dispose([x, cam]);
  }
  assert.ok(rows.some((r) => r.name.startsWith("real_")) || !fs.existsSync(SHARED_NEU), "the real NEU image was not predicted");
  // The exported segmenter ran too: a [32, 64, 4] mask per image, one toggle per class.
  for (const r of rows) assert.deepEqual(r.maskSize, [32, 64, 32 * 64 * 4], r.name);
  assert.equal(await page.locator("#mask-toggles input").count(), 4);
});

test("a dropped image is predicted like a picked one", async () => {
  const name = fs.readdirSync(images).sort()[0];
  const bytes = fs.readFileSync(path.join(images, name)).toString("base64");
  const before = (await pageRows()).find((r) => r.name === name)!;
  await page.evaluate(
    async ({ name, bytes }) => {
      const file = new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], name);
      const dt = new DataTransfer();
      dt.items.add(file);
      document.getElementById("drop")!.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { name, bytes },
  );
  await page.waitForFunction(() => (window as unknown as { inspect: { rows(): unknown[] } }).inspect.rows().length === 1);
  const rows = await pageRows();
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].probs, before.probs);
});

test("a folder of 5 images with one corrupt file: 4 rows and one clear error row; CSV in predict's format", async () => {
  await page.setInputFiles("#folder", folder);
  const rows = await pageRows();
  assert.equal(rows.length, 5);
  assert.equal(rows.filter((r) => r.probs).length, 4);
  const bad = rows.filter((r) => r.error);
  assert.equal(bad.length, 1);
  assert.equal(bad[0].name, "img_9_corrupt.jpg");
  assert.match(bad[0].error!, /cannot decode/);
  assert.equal(await page.locator("#results tbody tr.error").count(), 1);
  assert.match((await page.locator("#results tbody tr.error").textContent()) ?? "", /img_9_corrupt\.jpg.*error: cannot decode/);
  const node = nodePredict(folder);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#csv")]);
  const csv = fs.readFileSync((await download.path())!, "utf8");
  const predictCsv = fs.readFileSync(path.join(OUT, "predict_folder.csv"), "utf8");
  assert.equal(csv.split("\n")[0], predictCsv.split("\n")[0], "CSV header differs from predict's");
  const pageRowsCsv = parse(csv, { columns: true }) as Record<string, string>[];
  assert.deepEqual(pageRowsCsv.map((r) => r.image), [...node.keys()]);
  const predicted = parse(predictCsv, { columns: true }) as Record<string, string>[];
  assert.deepEqual(pageRowsCsv.map((r) => r.predicted), predicted.map((r) => r.predicted));
  assert.equal(pageRowsCsv.find((r) => r.image === "img_9_corrupt.jpg")!.p_crazing, "");
  await page.locator("#results tbody tr:not(.error)").first().click();
  fs.mkdirSync(path.join(ROOT, "outputs"), { recursive: true });
  await page.screenshot({ path: path.join(OUT, "inspect.png"), fullPage: true });
  assert.ok(fs.statSync(path.join(OUT, "inspect.png")).size > 10_000);
});

test("the page makes no request outside 127.0.0.1", () => {
  // The interception saw the worker's own fetches (else this test could not fail).
  for (const p of ["/worker.js", "/model/model.json", "/model/metadata.json"]) assert.ok(local.includes(p), `${p} not seen by the route: ${local.join(" ")}`);
  assert.ok(local.some((p) => p.startsWith("/wasm/") && p.endsWith(".wasm")), `no wasm binary fetched locally: ${local.join(" ")}`);
  assert.deepEqual(outside, []);
});
