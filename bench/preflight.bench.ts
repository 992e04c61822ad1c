/**
 * Pre-flight benchmark: how long the check takes before a run (load + every image header and end
 * marker + label checks), split into the loader's part and the header pass. The question it
 * answers: is a broken file found in seconds, so checking every run is affordable?
 *
 * Data: the shared real NEU-DET (1,200 images + XML) when present, else a temporary generated
 * NEU folder (`--images N`, 200x200 grey JPEGs) deleted afterwards. Writes outputs/bench/preflight.json.
 *
 * Run: `npm run bench preflight` or `node --import tsx bench/preflight.bench.ts [--images N]`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { projectPaths } from "../src/lib/config/paths";
import { writeJsonAtomic } from "../src/lib/util/atomic-write";
import { createProgress } from "../src/lib/util/progress";
import { loadNeu } from "../src/lib/data/neu";
import { preflight } from "../src/lib/data/preflight";
import { formatSkipSummary } from "../src/lib/data/skip-report";
import { formatVocXml } from "../src/lib/data/voc";
import { NEU_CLASSES } from "../src/lib/data/neu";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function generated(n: number): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-preflight-"));
  const progress = createProgress({ total: n, label: "writing NEU-like JPEGs" });
  const px = Buffer.alloc(200 * 200);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < px.length; p++) px[p] = (p * 7 + i * 31) & 255;
    const id = `${NEU_CLASSES[i % 6]}_${i + 1}`;
    fs.mkdirSync(path.join(root, "images"), { recursive: true });
    fs.mkdirSync(path.join(root, "annotations"), { recursive: true });
    await sharp(px, { raw: { width: 200, height: 200, channels: 1 } }).jpeg().toFile(path.join(root, "images", `${id}.jpg`));
    const objects = [{ className: NEU_CLASSES[i % 6], xmin: 10, ymin: 10, xmax: 100, ymax: 120 }];
    fs.writeFileSync(path.join(root, "annotations", `${id}.xml`), formatVocXml({ folder: "x", filename: `${id}.jpg`, width: 200, height: 200, depth: 1, objects }));
    progress.tick();
  }
  progress.done();
  return root;
}

async function main(): Promise<void> {
  const real = path.join(projectPaths().sharedData, "neu-det");
  const useReal = fs.existsSync(real);
  const root = useReal ? real : await generated(arg("images", 600));
  try {
    const t0 = performance.now();
    const ds = await loadNeu(root);
    const t1 = performance.now();
    const { report } = await preflight(ds);
    const t2 = performance.now();
    const result = {
      data: useReal ? "shared NEU-DET (real)" : "generated NEU-like",
      images: ds.samples.length,
      loadMs: Math.round(t1 - t0),
      headerPassMs: Math.round(t2 - t1),
      totalMs: Math.round(t2 - t0),
      msPerImage: Number(((t2 - t0) / ds.samples.length).toFixed(2)),
      summary: formatSkipSummary(report),
    };
    console.table([result]);
    writeJsonAtomic(path.join(projectPaths().bench, "preflight.json"), result);
  } finally {
    if (!useReal) fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
