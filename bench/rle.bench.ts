/**
 * RLE codec benchmark: decode + re-encode every mask of a Severstal-sized train.csv
 * (7,095 masks of 256x1600), fast codec vs a naive split()-based codec, side by side in one run.
 * The fast codec is plain TypeScript (src/lib/data/rle*.ts); its hot loops reuse one RleScratch,
 * and one case measures it with a fresh scratch per call (what a one-off caller pays).
 *
 * The masks are synthetic (seeded) but shaped like Severstal's: blobs (class 3-like patches),
 * thin slanted lines (class 1/2 scratches) and wide full-height bands (class 4-like), so run
 * counts and areas are in the real range. Writes outputs/bench/rle.json.
 *
 * Run: `npm run bench rle` or `node --import tsx bench/rle.bench.ts [--masks N] [--reps R]`.
 */
import * as os from "os";
import * as path from "path";
import { decodeRle, encodeRle, rleArea, RleScratch } from "../src/lib/data/rle";
import { createRng, Rng } from "../src/lib/util/rng";
import { projectPaths } from "../src/lib/config/paths";
import { readRunConfig } from "../src/lib/config/run-config";
import { writeJsonAtomic } from "../src/lib/util/atomic-write";
import { createProgress } from "../src/lib/util/progress";

const H = 256;
const W = 1600;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

type Kind = "blob" | "line" | "wide";

/**
 * Rasterises one Severstal-like mask (row-major H*W, 1 = defect), span by span. Sizes are chosen
 * so the mean area is close to the real train.csv's (~20-25k px; class 3/4 patches dominate).
 */
function synthMask(rng: Rng, kind: Kind, m: Uint8Array): void {
  m.fill(0);
  if (kind === "blob") {
    // Ragged ellipses (class 3-like patches).
    for (let e = rng.int(1, 4); e > 0; e--) {
      const cy = rng.uniform(0, H);
      const cx = rng.uniform(0, W);
      const ry = rng.uniform(6, 90);
      const rx = rng.uniform(10, 170);
      const wobble = rng.uniform(0, 0.3);
      const freq = rng.uniform(0.05, 0.4);
      const phase = rng.uniform(0, 6.28);
      for (let y = Math.max(0, Math.ceil(cy - ry)); y < Math.min(H, cy + ry); y++) {
        const d = (y - cy) / ry;
        const half = rx * Math.sqrt(Math.max(0, 1 - d * d)) * (1 + wobble * Math.sin(freq * y + phase));
        const x0 = Math.max(0, Math.round(cx - half));
        const x1 = Math.min(W, Math.round(cx + half));
        if (x1 > x0) m.fill(1, y * W + x0, y * W + x1);
      }
    }
  } else if (kind === "line") {
    // Thin slanted scratches (class 1/2-like).
    for (let e = rng.int(1, 4); e > 0; e--) {
      const len = rng.uniform(30, 400);
      const ang = rng.uniform(0, Math.PI);
      const half = rng.int(1, 4);
      const cy = rng.uniform(0, H);
      const cx = rng.uniform(0, W);
      for (let t = -len / 2; t <= len / 2; t += 0.5) {
        const y = Math.round(cy + t * Math.sin(ang));
        const x = Math.round(cx + t * Math.cos(ang));
        if (y < 0 || y >= H) continue;
        const x0 = Math.max(0, x - half);
        const x1 = Math.min(W, x + half + 1);
        if (x1 > x0) m.fill(1, y * W + x0, y * W + x1);
      }
    }
  } else {
    // Wide, nearly full-height bands with ragged top and bottom (class 4-like).
    const x0 = rng.int(0, W - 80);
    const x1 = Math.min(W, x0 + rng.int(80, 400));
    let top = rng.int(0, 40);
    let bottom = rng.int(H - 40, H + 1);
    for (let x = x0; x < x1; x++) {
      top = Math.max(0, Math.min(H / 2, top + rng.int(-2, 3)));
      bottom = Math.max(H / 2, Math.min(H, bottom + rng.int(-2, 3)));
      for (let y = top; y < bottom; y++) m[y * W + x] = 1;
    }
  }
}

/** The naive decoder people write first: split, map(Number), pixel by pixel with % and floor. */
function naiveDecode(rle: string, out: Uint8Array): Uint8Array {
  out.fill(0);
  if (rle.trim() === "") return out;
  const t = rle.trim().split(" ").map(Number);
  for (let i = 0; i < t.length; i += 2) {
    for (let p = t[i] - 1; p < t[i] - 1 + t[i + 1]; p++) out[(p % H) * W + Math.floor(p / H)] = 1;
  }
  return out;
}

/** The naive encoder: every pixel in column-major order, runs pushed as strings and joined. */
function naiveEncode(m: Uint8Array): string {
  const parts: string[] = [];
  let start = -1;
  let len = 0;
  for (let x = 0; x < W; x++) {
    for (let y = 0; y < H; y++) {
      if (m[y * W + x] === 0) continue;
      const p = x * H + y;
      if (len > 0 && start + len === p) len++;
      else {
        if (len > 0) parts.push(`${start + 1} ${len}`);
        start = p;
        len = 1;
      }
    }
  }
  if (len > 0) parts.push(`${start + 1} ${len}`);
  return parts.join(" ");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Timing {
  /** Median wall-clock ms. */
  medianMs: number;
  /** Median CPU ms of this process (user + system): less sensitive to other load on a shared machine. */
  medianCpuMs: number;
  runsMs: number[];
}

function time(reps: number, fn: () => void): Timing {
  const runsMs: number[] = [];
  const cpuMs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    runsMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  return { medianMs: median(runsMs), medianCpuMs: median(cpuMs), runsMs };
}

function main(): void {
  const { seed } = readRunConfig();
  const nMasks = arg("masks", 7095);
  const reps = arg("reps", 5);
  const naiveEncodeMasks = arg("naive-encode-masks", 1000);
  const codec = "TypeScript";
  const rng = createRng(seed, "bench/rle");

  // 1. Synthesise the masks and their RLE strings (the "train.csv" column).
  const kinds: Kind[] = [];
  const rles: string[] = [];
  const m = new Uint8Array(H * W);
  let area = 0;
  const gen = createProgress({ total: nMasks, label: "synthesise masks" });
  for (let i = 0; i < nMasks; i++) {
    const u = rng.next();
    const kind: Kind = u < 0.6 ? "blob" : u < 0.85 ? "line" : "wide";
    synthMask(rng, kind, m);
    const r = encodeRle(m, H, W);
    // Cross-check the fast encoder against the naive one on a subset (cheap insurance).
    if (i % 97 === 0 && r !== naiveEncode(m)) throw new Error(`encoder mismatch on synthetic mask ${i}`);
    area += rleArea(r, H, W);
    kinds.push(kind);
    rles.push(r);
    gen.tick();
  }
  gen.done();
  const runs = rles.reduce((s, r) => s + (r ? r.split(" ").length / 2 : 0), 0);
  const chars = rles.reduce((s, r) => s + r.length, 0);

  // 2. Timings, side by side in one process.
  const out = new Uint8Array(H * W);
  const scratch = new RleScratch();
  let sink = 0;
  const fastDecode = time(reps, () => {
    for (const r of rles) sink += decodeRle(r, H, W, { out, scratch })[0];
  });
  let mismatches = 0;
  const fastRoundTrip = time(reps, () => {
    for (const r of rles) if (encodeRle(decodeRle(r, H, W, { out, scratch }), H, W, scratch) !== r) mismatches++;
  });
  const freshScratchRoundTrip = time(reps, () => {
    for (const r of rles) if (encodeRle(decodeRle(r, H, W, { out }), H, W) !== r) mismatches++;
  });
  const naiveDec = time(reps, () => {
    for (const r of rles) sink += naiveDecode(r, out)[0];
  });
  // The naive encoder reads all 409,600 pixels per mask: time it on a subset and scale.
  const subset = rles.slice(0, Math.min(naiveEncodeMasks, rles.length));
  const naiveRt = time(1, () => {
    for (const r of subset) if (naiveEncode(naiveDecode(r, out)) !== r) mismatches++;
  });
  const fastRtSubset = time(reps, () => {
    for (const r of subset) if (encodeRle(decodeRle(r, H, W, { out, scratch }), H, W, scratch) !== r) mismatches++;
  });
  if (mismatches) throw new Error(`${mismatches} round-trip mismatches`);
  // Last: 7,095 fresh 400 kB arrays per run leave garbage whose freeing would bill the cases after it.
  const fastDecodeAlloc = time(reps, () => {
    for (const r of rles) sink += decodeRle(r, H, W, { scratch })[0];
  });

  const rows = [
    { name: "fast decode (reused buffer)", masks: rles.length, t: fastDecode },
    { name: "fast decode (new array per mask)", masks: rles.length, t: fastDecodeAlloc },
    { name: "naive split() decode (reused buffer)", masks: rles.length, t: naiveDec },
    { name: "fast decode + re-encode", masks: rles.length, t: fastRoundTrip },
    { name: "fast decode + re-encode (fresh scratch per call)", masks: rles.length, t: freshScratchRoundTrip },
    { name: `fast decode + re-encode (first ${subset.length})`, masks: subset.length, t: fastRtSubset },
    { name: `naive decode + re-encode (first ${subset.length}, 1 run)`, masks: subset.length, t: naiveRt },
  ];
  console.log(
    `\n${rles.length} masks ${H}x${W} (blob ${kinds.filter((k) => k === "blob").length}, line ${kinds.filter((k) => k === "line").length}, ` +
      `wide ${kinds.filter((k) => k === "wide").length}); mean area ${(area / rles.length).toFixed(0)} px, mean runs ${(runs / rles.length).toFixed(0)}, ` +
      `mean RLE ${(chars / rles.length).toFixed(0)} chars; median of ${reps}; fast codec: ${codec}`,
  );
  console.log(`${"case".padEnd(48)} ${"masks".padStart(6)} ${"wall ms".padStart(9)} ${"cpu ms".padStart(9)} ${"cpu us/mask".padStart(12)}`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(48)} ${String(r.masks).padStart(6)} ${r.t.medianMs.toFixed(1).padStart(9)} ${r.t.medianCpuMs.toFixed(1).padStart(9)} ` +
        `${((1000 * r.t.medianCpuMs) / r.masks).toFixed(1).padStart(12)}`,
    );
  }
  const decodeRatio = naiveDec.medianCpuMs / fastDecode.medianCpuMs;
  const rtRatio = naiveRt.medianCpuMs / fastRtSubset.medianCpuMs;
  const load = os.loadavg()[0];
  console.log(`naive/fast (cpu time): decode ${decodeRatio.toFixed(1)}x, decode+re-encode ${rtRatio.toFixed(1)}x`);
  console.log(
    `all ${rles.length} masks decoded + re-encoded: ${fastRoundTrip.medianCpuMs.toFixed(0)} ms cpu, ${fastRoundTrip.medianMs.toFixed(0)} ms wall ` +
      `(target: well under 1000 ms; load average ${load.toFixed(1)} on ${os.cpus().length} cpus${load > os.cpus().length * 0.75 ? ": wall time inflated by other processes" : ""})`,
  );

  const file = path.join(projectPaths().bench, "rle.json");
  writeJsonAtomic(file, {
    benchmark: "rle",
    seed,
    image: { height: H, width: W },
    masks: rles.length,
    reps,
    codec,
    meanAreaPx: area / rles.length,
    meanRuns: runs / rles.length,
    cases: {
      fastDecode,
      fastDecodeAlloc,
      naiveDecode: naiveDec,
      fastDecodeEncode: fastRoundTrip,
      fastDecodeEncodeFreshScratch: freshScratchRoundTrip,
      fastDecodeEncodeSubset: { masks: subset.length, ...fastRtSubset },
      naiveDecodeEncodeSubset: { masks: subset.length, ...naiveRt },
    },
    ratios: { naiveOverFastDecode: decodeRatio, naiveOverFastDecodeEncode: rtRatio, basis: "median cpu time" },
    loadAverage1m: load,
    cpus: os.cpus().length,
    node: process.version,
  });
  console.log(`wrote ${file} (sink ${sink})`);
}

main();
