import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { createRng } from "../../src/lib/util/rng";
import type { ImageData32 } from "../../src/lib/data/types";
import { readImage } from "../../src/lib/data/image-io";
import { projectPaths } from "../../src/lib/config/paths";
import { PERTURBATION_KINDS, perturb, perturbationByName, photometricAugmentation, poisson, type PerturbationKind } from "../../src/lib/robustness/index";

/** A textured grey test image: smooth gradient + seeded fine texture, values well inside (0, 1). */
function texture(h = 64, w = 80, c = 1, seed = 7): ImageData32 {
  const rng = createRng(seed, "texture");
  const data = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = 0.3 + 0.3 * (x / w) + 0.15 * (rng.next() - 0.5) + 0.1 * Math.sin(y / 3);
      for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = v;
    }
  }
  return { data, height: h, width: w, channels: c };
}

const mean = (img: ImageData32) => img.data.reduce((a, v) => a + v, 0) / img.data.length;
const rmsDiff = (a: ImageData32, b: ImageData32) => Math.sqrt(a.data.reduce((s, v, i) => s + (v - b.data[i]) ** 2, 0) / a.data.length);
/** High-frequency energy: mean squared 4-neighbour Laplacian over the interior (channel 0). */
function hfEnergy(img: ImageData32): number {
  const { height: H, width: W, channels: C, data } = img;
  let s = 0;
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const v = (i: number, j: number) => data[(i * W + j) * C];
      const l = 4 * v(y, x) - v(y - 1, x) - v(y + 1, x) - v(y, x - 1) - v(y, x + 1);
      s += l * l;
    }
  }
  return s / ((H - 2) * (W - 2));
}

test("every perturbation keeps shape and range and is deterministic for a seed", async () => {
  const img = texture(40, 56, 3);
  for (const kind of PERTURBATION_KINDS) {
    for (const s of [1, 3, 5]) {
      const a = await perturb(img, kind, s, 42);
      const b = await perturb(img, kind, s, 42);
      assert.deepEqual([a.height, a.width, a.channels, a.data.length], [img.height, img.width, img.channels, img.data.length], kind);
      assert.ok(a.data.every((v) => v >= 0 && v <= 1 && Number.isFinite(v)), `${kind} s${s} out of [0, 1]`);
      assert.deepEqual(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer), `${kind} s${s}: same seed, different pixels`);
      assert.ok(rmsDiff(a, img) > 1e-4, `${kind} s${s} changed nothing`);
    }
  }
  // The input is never written into.
  assert.deepEqual(img.data, texture(40, 56, 3).data);
});

test("random perturbations depend on the seed; deterministic ones do not", async () => {
  const img = texture();
  for (const kind of ["glare", "illumination", "noise", "motion"] as PerturbationKind[]) {
    const a = await perturb(img, kind, 3, 1);
    const b = await perturb(img, kind, 3, 2);
    assert.ok(rmsDiff(a, b) > 1e-4, `${kind}: seeds 1 and 2 gave the same pixels`);
  }
  for (const kind of ["dim", "bright", "defocus", "jpeg"] as PerturbationKind[]) {
    const a = await perturb(img, kind, 3, 1);
    const b = await perturb(img, kind, 3, 2);
    assert.equal(rmsDiff(a, b), 0, kind);
  }
});

test("dim and bright follow their formulas and are monotone in severity", async () => {
  const img = texture();
  const v = img.data[123];
  for (let s = 1; s <= 5; s++) {
    const d = await perturb(img, "dim", s, 0);
    const b = await perturb(img, "bright", s, 0);
    const g = 1 - 0.12 * s;
    const gamma = 1 + 0.08 * s;
    assert.ok(Math.abs(d.data[123] - g * v ** gamma) < 1e-6);
    assert.ok(Math.abs(b.data[123] - Math.min(1, (1 + 0.12 * s) * v ** (1 / gamma))) < 1e-6);
  }
  const means = async (kind: PerturbationKind) => Promise.all([1, 2, 3, 4, 5].map(async (s) => mean(await perturb(img, kind, s, 0))));
  const dm = await means("dim");
  const bm = await means("bright");
  const glm = await means("glare");
  for (let i = 1; i < 5; i++) {
    assert.ok(dm[i] < dm[i - 1], `dim mean not falling: ${dm}`);
    assert.ok(bm[i] > bm[i - 1], `bright mean not rising: ${bm}`);
    assert.ok(glm[i] > glm[i - 1], `glare mean not rising: ${glm}`);
  }
  assert.ok(dm[0] < mean(img) && bm[0] > mean(img));
});

test("blur and compression lose high-frequency energy monotonically; noise and illumination grow with severity", async () => {
  const img = texture(64, 80, 1);
  const series = async (kind: PerturbationKind, f: (x: ImageData32) => number) => Promise.all([1, 2, 3, 4, 5].map(async (s) => f(await perturb(img, kind, s, 5))));
  for (const kind of ["motion", "defocus"] as PerturbationKind[]) {
    const e = await series(kind, hfEnergy);
    assert.ok(e[0] < hfEnergy(img), `${kind} s1 did not blur`);
    for (let i = 1; i < 5; i++) assert.ok(e[i] < e[i - 1], `${kind} HF energy not falling: ${e.map((x) => x.toExponential(2))}`);
  }
  const jerr = await series("jpeg", (x) => rmsDiff(x, img));
  for (let i = 1; i < 5; i++) assert.ok(jerr[i] > jerr[i - 1], `jpeg error not rising: ${jerr}`);
  const nerr = await series("noise", (x) => rmsDiff(x, img));
  for (let i = 1; i < 5; i++) assert.ok(nerr[i] > nerr[i - 1], `noise error not rising: ${nerr}`);
  // Illumination: the gain field's spread |out/in − 1| grows with severity (same seed → same direction).
  const spread = await series("illumination", (x) => x.data.reduce((a, v, i) => a + Math.abs(v / img.data[i] - 1), 0) / x.data.length);
  for (let i = 1; i < 5; i++) assert.ok(spread[i] > spread[i - 1], `illumination spread not rising: ${spread}`);
});

test("defocus with prefix sums equals a direct anti-aliased disk average (hand check at one pixel)", async () => {
  const img = texture(20, 24, 1);
  const out = await perturb(img, "defocus", 2, 0);
  const r = perturbationByName("defocus").parameters(2, img).radiusPx;
  const y = 10;
  const x = 11;
  // Direct: each pixel weighted by the length of its row interval [dx − ½, dx + ½] inside |dx| ≤ √(r² − dy²).
  let sum = 0;
  let wsum = 0;
  for (let dy = -Math.floor(r); dy <= Math.floor(r); dy++) {
    const a = Math.sqrt(r * r - dy * dy);
    for (let dx = -Math.ceil(r) - 1; dx <= Math.ceil(r) + 1; dx++) {
      const w = Math.max(0, Math.min(a, dx + 0.5) - Math.max(-a, dx - 0.5));
      sum += w * img.data[(y + dy) * 24 + (x + dx)];
      wsum += w;
    }
  }
  assert.ok(Math.abs(out.data[y * 24 + x] - sum / wsum) < 1e-6, `${out.data[y * 24 + x]} vs ${sum / wsum}`);
});

test("noise: Poisson draws have the right mean and variance; shot noise scales with severity as documented", () => {
  const rng = createRng(3, "poisson");
  for (const lambda of [0.5, 4, 25, 200]) {
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const k = poisson(lambda, rng);
      s += k;
      s2 += k * k;
    }
    const m = s / n;
    const v = s2 / n - m * m;
    // 5 standard errors of the mean; variance within 10 %.
    assert.ok(Math.abs(m - lambda) < 5 * Math.sqrt(lambda / n), `lambda ${lambda}: mean ${m}`);
    assert.ok(Math.abs(v / lambda - 1) < 0.1, `lambda ${lambda}: variance ${v}`);
  }
  const p = perturbationByName("noise");
  assert.equal(p.parameters(1, { height: 1, width: 1 }).photonsAtFullScale, 4000);
  assert.equal(p.parameters(5, { height: 1, width: 1 }).photonsAtFullScale, 250);
});

test("grey content stays grey under every perturbation (monochrome sensor model)", async () => {
  const img = texture(24, 32, 3);
  for (const kind of PERTURBATION_KINDS.filter((k) => k !== "jpeg")) {
    const out = await perturb(img, kind, 4, 9);
    for (let p = 0; p < 24 * 32; p++) {
      assert.equal(out.data[3 * p], out.data[3 * p + 1], kind);
      assert.equal(out.data[3 * p], out.data[3 * p + 2], kind);
    }
  }
});

test("severity is checked, unknown kinds are refused with the list", async () => {
  await assert.rejects(() => perturb(texture(), "dim", 0, 1), /severity must be an integer in 1\.\.5/);
  await assert.rejects(() => perturb(texture(), "dim", 2.5, 1), /severity/);
  assert.throws(() => perturbationByName("fog"), /unknown perturbation "fog".*dim, bright/);
});

test("training-time photometric augmentation draws kinds and severities from the same models, seeded", () => {
  const img = texture(32, 32, 1);
  const t = photometricAugmentation({ maxSeverity: 2 });
  const a = t.apply({ image: img }, createRng(1, "aug"));
  const b = t.apply({ image: img }, createRng(1, "aug"));
  assert.deepEqual(a.image.data, b.image.data);
  assert.equal(t.kind, "photometric");
  assert.throws(() => photometricAugmentation({ kinds: ["jpeg"] }), /async codec/);
  assert.throws(() => photometricAugmentation({ maxSeverity: 6 }), /1\.\.5/);
});

test("real NEU image: shapes kept, blur lowers detail, dim/bright move the mean (skipped without the shared data)", async (t) => {
  const file = path.join(projectPaths().sharedData, "neu-det", "images", "scratches_1.jpg");
  if (!fs.existsSync(file)) return t.skip("../shared/data/neu-det not present");
  const img = await readImage(file, { channels: 1 });
  for (const kind of PERTURBATION_KINDS) {
    const out = await perturb(img, kind, 3, "scratches_1");
    assert.equal(out.data.length, img.data.length);
  }
  assert.ok(hfEnergy(await perturb(img, "motion", 3, 1)) < hfEnergy(img));
  assert.ok(mean(await perturb(img, "dim", 3, 1)) < mean(img));
  assert.ok(mean(await perturb(img, "bright", 3, 1)) > mean(img));
});

test("gallery: one row per kind, clean + one tile per severity, deterministic", async () => {
  const { perturbationGalleryPng } = await import("../../src/lib/robustness/index");
  const sharp = (await import("sharp")).default;
  const img = texture(40, 60, 1);
  const a = await perturbationGalleryPng(img, { seed: 1, kinds: ["dim", "noise"], severities: [1, 3], tileWidth: 60 });
  const b = await perturbationGalleryPng(img, { seed: 1, kinds: ["dim", "noise"], severities: [1, 3], tileWidth: 60 });
  assert.deepEqual(a, b);
  const meta = await sharp(a).metadata();
  // width: 90 label column + 3 tiles of (60 + 6); height: 22 header + 2 rows of (40 tile + 18 caption).
  assert.deepEqual([meta.width, meta.height], [90 + 3 * 66, 22 + 2 * 58]);
});
