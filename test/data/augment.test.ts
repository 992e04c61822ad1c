import { test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../../src/lib/util/rng";
import type { ImageData32 } from "../../src/lib/data/types";
import {
  affine,
  applyGlare,
  adjustBrightnessContrast,
  brightnessContrast,
  clahe,
  compose,
  crop,
  flip,
  GLARE_KINDS,
  glare,
  horizontalFlip,
  normalize,
  normalizeImage,
  randomAffine,
  randomClahe,
  randomCrop,
  randomRot90,
  rot90,
  verticalFlip,
  type AugSample,
  type Transform,
} from "../../src/lib/data/augment/index";

/** 3x4 single-channel image whose pixel values are their row-major index. */
function indexImage(h = 3, w = 4, c = 1): ImageData32 {
  const data = new Float32Array(h * w * c);
  for (let i = 0; i < data.length; i++) data[i] = i;
  return { data, height: h, width: w, channels: c };
}

function noiseImage(h: number, w: number, c: number, seed: number, lo = 0, hi = 1): ImageData32 {
  const rng = createRng(seed, "test-image");
  const data = new Float32Array(h * w * c);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(lo, hi);
  return { data, height: h, width: w, channels: c };
}

/** Image (3 ch, values < 0.5) and 2-channel mask with one marker pixel at (y, x) in both. */
function marked(h: number, w: number, y: number, x: number): AugSample {
  const image = noiseImage(h, w, 3, 1, 0, 0.4);
  for (let c = 0; c < 3; c++) image.data[(y * w + x) * 3 + c] = 1;
  const mask = new Uint8Array(h * w * 2);
  mask[(y * w + x) * 2 + 1] = 1;
  return { image, mask };
}

function markerOf(s: AugSample): { image: [number, number]; mask: [number, number] } {
  const { height: H, width: W } = s.image;
  let best = -1;
  let bi = -1;
  for (let p = 0; p < H * W; p++) {
    const v = s.image.data[p * 3];
    if (v > best) {
      best = v;
      bi = p;
    }
  }
  const mi = [...s.mask!].findIndex((v) => v === 1);
  assert.equal(mi % 2, 1, "marker stays in mask channel 1");
  const mp = (mi - 1) / 2;
  assert.equal(s.mask!.reduce((a, b) => a + b, 0), 1, "exactly one marked mask pixel");
  return { image: [Math.floor(bi / W), bi % W], mask: [Math.floor(mp / W), mp % W] };
}

const asArray = (s: AugSample) => Array.from(s.image.data);

test("flips and rot90 follow hand-computed index mappings on a 3x4 image", () => {
  const s = { image: indexImage(), mask: Uint8Array.from(indexImage().data) };
  const cases: Array<[string, AugSample, number[], [number, number]]> = [
    ["hflip", flip(s, "horizontal"), [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8], [3, 4]],
    ["vflip", flip(s, "vertical"), [8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3], [3, 4]],
    ["rot90 k=1", rot90(s, 1), [3, 7, 11, 2, 6, 10, 1, 5, 9, 0, 4, 8], [4, 3]],
    ["rot90 k=2", rot90(s, 2), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [3, 4]],
    ["rot90 k=3", rot90(s, 3), [8, 4, 0, 9, 5, 1, 10, 6, 2, 11, 7, 3], [4, 3]],
    ["rot90 k=-1", rot90(s, -1), [8, 4, 0, 9, 5, 1, 10, 6, 2, 11, 7, 3], [4, 3]],
    ["crop", crop(s, 1, 1, 2, 2), [5, 6, 9, 10], [2, 2]],
  ];
  for (const [name, out, expected, [h, w]] of cases) {
    assert.deepEqual(asArray(out), expected, name);
    assert.deepEqual(Array.from(out.mask!), expected, `${name} mask`);
    assert.equal(out.image.height, h, `${name} height`);
    assert.equal(out.image.width, w, `${name} width`);
  }
});

test("every geometric transform keeps a marker pixel aligned between image and mask", () => {
  const square = marked(7, 7, 1, 2);
  const wide = marked(5, 8, 1, 2);
  const transforms: Array<[string, AugSample, (s: AugSample) => AugSample]> = [
    ["hflip", wide, (s) => flip(s, "horizontal")],
    ["vflip", wide, (s) => flip(s, "vertical")],
    ["rot90 1", wide, (s) => rot90(s, 1)],
    ["rot90 3", wide, (s) => rot90(s, 3)],
    ["shift", wide, (s) => affine(s, { angle: 0, shiftX: 3, shiftY: 2, fill: "constant" })],
    ["affine 90 square", square, (s) => affine(s, { angle: 90, shiftX: 0, shiftY: 0 })],
    ["affine -90 + shift", square, (s) => affine(s, { angle: -90, shiftX: 1, shiftY: -1, fill: "edge" })],
    ["crop", wide, (s) => crop(s, 0, 1, 3, 4)],
    ["random rot90", wide, (s) => randomRot90().apply(s, createRng(3, "r"))],
    ["random crop", wide, (s) => randomCrop({ height: 4, width: 4, mode: "defect", defectProb: 1 }).apply(s, createRng(5, "c"))],
  ];
  for (const [name, s, fn] of transforms) {
    let m;
    try {
      m = markerOf(fn(s));
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
    assert.deepEqual(m.image, m.mask, name);
  }
  // The marker lands where the hand-derived mapping says: shift (3, 2) moves (1, 2) to (3, 5);
  // 90° ccw on a 7x7 moves (row 1, col 2) to (row 6 - 2, col 1) = (4, 1).
  assert.deepEqual(markerOf(affine(wide, { angle: 0, shiftX: 3, shiftY: 2, fill: "constant" })).mask, [3, 5]);
  assert.deepEqual(markerOf(affine(square, { angle: 90, shiftX: 0, shiftY: 0 })).mask, [4, 1]);
});

test("flip twice, rot90 four times and rot90(k) then rot90(-k) are the identity", () => {
  const s = marked(5, 8, 2, 3);
  assert.deepEqual(asArray(flip(flip(s, "horizontal"), "horizontal")), asArray(s));
  assert.deepEqual(asArray(flip(flip(s, "vertical"), "vertical")), asArray(s));
  let r = s;
  for (let i = 0; i < 4; i++) r = rot90(r, 1);
  assert.deepEqual(asArray(r), asArray(s));
  assert.deepEqual(Array.from(r.mask!), Array.from(s.mask!));
  for (const k of [1, 2, 3]) {
    const back = rot90(rot90(s, k), -k);
    assert.deepEqual(asArray(back), asArray(s), `k=${k}`);
    assert.deepEqual(Array.from(back.mask!), Array.from(s.mask!), `k=${k} mask`);
  }
});

test("affine: integer shift with each fill mode matches hand-computed rows; 90° equals rot90", () => {
  // One row [0, 1, 2, 3] shifted right by 1: source x = -1.
  const row = { image: { data: Float32Array.from([0, 1, 2, 3]), height: 1, width: 4, channels: 1 } };
  const sh = (fill: "reflect" | "edge" | "constant") =>
    Array.from(affine(row, { angle: 0, shiftX: 1, shiftY: 0, fill, fillValue: 0.5 }).image.data);
  assert.deepEqual(sh("reflect"), [1, 0, 1, 2]); // BORDER_REFLECT_101: -1 → 1
  assert.deepEqual(sh("edge"), [0, 0, 1, 2]);
  assert.deepEqual(sh("constant"), [0.5, 0, 1, 2]);

  const sq = { image: noiseImage(6, 6, 2, 9), mask: Uint8Array.from(noiseImage(6, 6, 1, 10).data, (v) => (v > 0.5 ? 1 : 0)) };
  const a = affine(sq, { angle: 90, shiftX: 0, shiftY: 0 });
  const b = rot90(sq, 1);
  a.image.data.forEach((v, i) => assert.ok(Math.abs(v - b.image.data[i]) < 1e-6, `pixel ${i}`));
  assert.deepEqual(Array.from(a.mask!), Array.from(b.mask!));
  // Constant fill leaves no defect outside the image.
  const shifted = affine(sq, { angle: 0, shiftX: 0, shiftY: 6, fill: "constant" });
  assert.equal(shifted.mask!.reduce((x, y) => x + y, 0), 0);
  // Half-pixel shift is the bilinear average of neighbours.
  const half = affine(row, { angle: 0, shiftX: 0.5, shiftY: 0, fill: "edge" }).image.data;
  assert.ok(Math.abs(half[2] - 1.5) < 1e-6);
});

test("photometric transforms leave the mask unchanged and keep the image shape", () => {
  const s = marked(16, 24, 3, 4);
  const maskBefore = Array.from(s.mask!);
  const photos: Transform[] = [
    brightnessContrast(),
    randomClahe({ tiles: [2, 3] }),
    normalize({ mode: "imagenet" }),
    normalize({ mode: "standardize" }),
    ...GLARE_KINDS.map((k) => glare(k, 3)),
  ];
  for (const t of photos) {
    assert.equal(t.kind, "photometric");
    const out = t.apply(s, createRng(1, t.name));
    assert.deepEqual(Array.from(out.mask!), maskBefore, t.name);
    assert.equal(out.image.data.length, s.image.data.length, t.name);
    assert.equal(out.image.height, 16);
    assert.equal(out.image.width, 24);
  }
});

test("transforms never modify their input (cached images stay intact)", () => {
  const s = marked(8, 8, 2, 2);
  const img = Array.from(s.image.data);
  const mask = Array.from(s.mask!);
  const all = compose(
    [horizontalFlip(), verticalFlip(), randomRot90(), randomAffine(), brightnessContrast(), randomClahe(), glare("specular", 5), normalize({ mode: "imagenet" })],
    1,
  );
  all.apply(s, createRng(0, "x"));
  assert.deepEqual(Array.from(s.image.data), img);
  assert.deepEqual(Array.from(s.mask!), mask);
});

test("same seed → same output; different seed → different output", () => {
  const s = marked(12, 16, 5, 7);
  const pipeline = compose([horizontalFlip(), verticalFlip(), randomAffine({ maxAngle: 15 }), brightnessContrast(), glare("illumination", 2)], 0.5);
  const a = pipeline.apply(s, createRng(42, "aug"));
  const b = pipeline.apply(s, createRng(42, "aug"));
  assert.deepEqual(asArray(a), asArray(b));
  assert.deepEqual(Array.from(a.mask!), Array.from(b.mask!));
  const differs = [1, 2, 3, 4, 5].some((seed) => {
    const c = pipeline.apply(s, createRng(seed, "aug"));
    return asArray(c).some((v, i) => v !== a.image.data[i]);
  });
  assert.ok(differs);
});

test("compose: p = 0 skips all but `always` transforms; p = 0.5 applies a flip about half the time", () => {
  const s = marked(4, 6, 1, 1);
  const none = compose([horizontalFlip(), brightnessContrast()], 0).apply(s, createRng(1));
  assert.deepEqual(asArray(none), asArray(s));
  const normOnly = compose([horizontalFlip(), normalize({ mode: "minmax" })], 0).apply(s, createRng(1));
  assert.deepEqual(asArray(normOnly), Array.from(normalizeImage(s.image, { mode: "minmax" }).data));
  assert.notDeepEqual(asArray(normOnly), asArray(s));
  const half = compose([{ transform: horizontalFlip(), p: 0.5 }]);
  let flipped = 0;
  const n = 400;
  for (let i = 0; i < n; i++) {
    const out = half.apply(s, createRng(i, "coin"));
    if (markerOf(out).mask[1] !== 1) flipped++;
  }
  // Binomial(400, 0.5): sd = 10; ±50 is 5 sd.
  assert.ok(Math.abs(flipped - n / 2) < 50, `flipped ${flipped}/${n}`);
  assert.throws(() => compose([{ transform: horizontalFlip(), p: 1.5 }]), /probability/);
});

test("brightness/contrast and normalisation match hand-computed values", () => {
  const img: ImageData32 = { data: Float32Array.from([0.2, 0.4, 0.6]), height: 1, width: 3, channels: 1 };
  // mean 0.4; 2 * (x - 0.4) + 0.4 + 0.1
  const bc = Array.from(adjustBrightnessContrast(img, 0.1, 2).data);
  [0.1, 0.5, 0.9].forEach((v, i) => assert.ok(Math.abs(bc[i] - v) < 1e-6));
  // Clipping.
  assert.deepEqual(Array.from(adjustBrightnessContrast(img, 0.9, 1).data), [1, 1, 1]);

  const rgb: ImageData32 = { data: Float32Array.from([0.485, 0.456, 0.406, 0.714, 0.68, 0.631]), height: 1, width: 2, channels: 3 };
  const n = Array.from(normalizeImage(rgb, { mode: "imagenet" }).data);
  [0, 0, 0, 1, 1, 1].forEach((v, i) => assert.ok(Math.abs(n[i] - v) < 1e-5, `imagenet ${i}: ${n[i]}`));
  const st = normalizeImage(noiseImage(10, 10, 1, 3), { mode: "standardize" }).data;
  const mean = st.reduce((a, b) => a + b, 0) / st.length;
  const sd = Math.sqrt(st.reduce((a, b) => a + (b - mean) ** 2, 0) / st.length);
  assert.ok(Math.abs(mean) < 1e-5 && Math.abs(sd - 1) < 1e-4);
  const mm = normalizeImage(img, { mode: "minmax" }).data;
  [0, 0.5, 1].forEach((v, i) => assert.ok(Math.abs(mm[i] - v) < 1e-6));
  assert.throws(() => normalizeImage({ ...rgb, channels: 2, width: 3 }, { mode: "imagenet" }), /3 values for a 2-channel/);
});

test("CLAHE raises contrast of a low-contrast image, stays in [0, 1], keeps a uniform image uniform", () => {
  const low = noiseImage(64, 96, 1, 11, 0.45, 0.55);
  const std = (a: Float32Array) => {
    const m = a.reduce((x, y) => x + y, 0) / a.length;
    return Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / a.length);
  };
  const out = clahe(low, { tiles: [4, 4], clipLimit: 2 });
  assert.ok(std(out.data) > 2 * std(low.data), `std ${std(low.data)} → ${std(out.data)}`);
  assert.ok(out.data.every((v) => v >= 0 && v <= 1));
  // Ordering within a tile is preserved (monotone LUTs): darker input stays darker in a 1-tile run.
  const one = clahe(low, { tiles: [1, 1], clipLimit: 2 }).data;
  for (let i = 1; i < 200; i++) {
    if (low.data[i] < low.data[0] - 0.01) assert.ok(one[i] <= one[0]);
  }
  const uniform: ImageData32 = { data: new Float32Array(40 * 50).fill(0.3), height: 40, width: 50, channels: 1 };
  const u = clahe(uniform, { tiles: [3, 5], clipLimit: 3 }).data;
  assert.ok(u.every((v) => Math.abs(v - u[0]) < 1e-6));
  assert.ok(u[0] >= 0 && u[0] <= 1);
});

test("CLAHE without clipping on one tile is plain histogram equalisation (CDF fraction)", () => {
  // Four grey levels with equal counts → CDF fractions 0.25, 0.5, 0.75, 1.
  const levels = [0.1, 0.2, 0.3, 0.4];
  const data = Float32Array.from({ length: 16 }, (_, i) => levels[i % 4]);
  const out = clahe({ data, height: 4, width: 4, channels: 1 }, { tiles: [1, 1], clipLimit: 1000 }).data;
  Array.from(out).forEach((v, i) => assert.ok(Math.abs(v - (1 + (i % 4)) / 4) < 1e-6, `pixel ${i}: ${v}`));
});

test("glare perturbations grow with severity, stay in [0, 1] and reject bad severities", () => {
  const img = noiseImage(32, 64, 1, 4, 0.2, 0.6);
  for (const kind of GLARE_KINDS) {
    let prev = -1;
    for (let s = 1; s <= 5; s++) {
      const out = applyGlare(img, kind, s, createRng(8, "glare"));
      assert.ok(out.data.every((v) => v >= 0 && v <= 1), `${kind} ${s} range`);
      const change = out.data.reduce((a, v, i) => a + Math.abs(v - img.data[i]), 0) / img.data.length;
      assert.ok(change > prev, `${kind}: severity ${s} change ${change} <= ${prev}`);
      prev = change;
    }
  }
  // Direction: dim darkens, bright brightens, every pixel.
  const dim = applyGlare(img, "dim", 3, createRng(1));
  const bright = applyGlare(img, "bright", 3, createRng(1));
  assert.ok(dim.data.every((v, i) => v < img.data[i]));
  assert.ok(bright.data.every((v, i) => v > img.data[i]));
  assert.throws(() => glare("dim", 0), /severity/);
  assert.throws(() => glare("dim", 6), /severity/);
});

test("defect-biased crop contains a defect; random crop fits; mask size mismatch is a clear error", () => {
  const H = 32;
  const W = 200;
  const image = noiseImage(H, W, 1, 2);
  const mask = new Uint8Array(H * W * 4);
  for (let y = 10; y < 14; y++) for (let x = 170; x < 175; x++) mask[(y * W + x) * 4 + 2] = 1;
  const t = randomCrop({ height: 32, width: 32, mode: "defect", defectProb: 1 });
  for (let seed = 0; seed < 20; seed++) {
    const out = t.apply({ image, mask }, createRng(seed, "crop"));
    assert.equal(out.image.width, 32);
    assert.ok(out.mask!.some((v) => v === 1), `seed ${seed}`);
  }
  assert.throws(() => flip({ image, mask: new Uint8Array(7) }, "horizontal"), /mask of length 7/);
});
