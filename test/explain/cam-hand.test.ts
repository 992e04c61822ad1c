/**
 * Every gradient CAM against a hand computation on a tiny model whose gradients are known in
 * closed form: conv 3x3 "same" (ReLU) → Flatten → Dense (linear), so d(logit_k)/dA[y,x,c] is the
 * Dense kernel entry W[(y·w + x)·C + c, k]. The conv itself is recomputed here in plain JS.
 * Second model: conv → GAP → Dense, where Grad-CAM must equal CAM (Zhou et al. 2016).
 * Activations keep the input size, so the upsampling is the identity and the check is exact.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../src/lib/util/rng";
import { createCam } from "../../src/lib/explain/methods";
import { classLogit } from "../../src/lib/explain/targets";

const H = 5, W = 5, CIN = 2, C = 3, K = 2, B = 2;

function randArray(n: number, stream: string): number[] {
  const rng = createRng(11, stream);
  return Array.from({ length: n }, () => rng.uniform(-1, 1));
}

const convKernel = randArray(3 * 3 * CIN * C, "kernel"); // [3, 3, CIN, C]
const convBias = randArray(C, "bias").map((v) => v * 0.2 + 0.3);
const input = randArray(B * H * W * CIN, "input"); // [B, H, W, CIN]

function handConv(): number[][][][] {
  const A: number[][][][] = [];
  for (let b = 0; b < B; b++) {
    A.push([]);
    for (let y = 0; y < H; y++) {
      A[b].push([]);
      for (let x = 0; x < W; x++) {
        const px: number[] = [];
        for (let c = 0; c < C; c++) {
          let s = convBias[c];
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy, xx = x + dx;
            if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
            for (let i = 0; i < CIN; i++) s += input[((b * H + yy) * W + xx) * CIN + i] * convKernel[(((dy + 1) * 3 + (dx + 1)) * CIN + i) * C + c];
          }
          px.push(Math.max(0, s));
        }
        A[b][y].push(px);
      }
    }
  }
  return A;
}

function buildModel(head: "flatten" | "gap", dense: number[]): tf.LayersModel {
  const inp = tf.input({ shape: [H, W, CIN] });
  const conv = tf.layers.conv2d({ name: "conv", filters: C, kernelSize: 3, padding: "same", activation: "relu" });
  let x = conv.apply(inp) as tf.SymbolicTensor;
  x = (head === "flatten" ? tf.layers.flatten({ name: "flat" }) : tf.layers.globalAveragePooling2d({ name: "gap" })).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: "out", units: K, useBias: true }).apply(x) as tf.SymbolicTensor;
  const m = tf.model({ inputs: inp, outputs: out });
  conv.setWeights([tf.tensor4d(convKernel, [3, 3, CIN, C]), tf.tensor1d(convBias)]);
  const rows = dense.length / K;
  m.getLayer("out").setWeights([tf.tensor2d(dense, [rows, K]), tf.tensor1d([0.1, -0.2])]);
  return m;
}

type Map2 = number[][];
function normalise(m: Map2): Map2 {
  const r = m.map((row) => row.map((v) => Math.max(0, v)));
  const lo = Math.min(...r.flat());
  const hi = Math.max(...r.flat()) - lo;
  return r.map((row) => row.map((v) => (v - lo) / (hi + 1e-7)));
}

/** The hand CAM of sample b for class k, given gradient g(y,x,c) and activations A. */
function handCam(method: string, A: number[][][], g: (y: number, x: number, c: number) => number): Map2 {
  const sumPos = (f: (y: number, x: number) => number) => { let s = 0; for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) s += f(y, x); return s; };
  const chanWeights = (w: (c: number) => number): Map2 =>
    A.map((row) => row.map((px) => px.reduce((s, a, c) => s + w(c) * a, 0)));
  const elementwise = (e: (y: number, x: number, c: number) => number): Map2 =>
    A.map((row, y) => row.map((px, x) => px.reduce((s, a, c) => s + e(y, x, c) * a, 0)));
  switch (method) {
    case "gradcam": return chanWeights((c) => sumPos((y, x) => g(y, x, c)) / (H * W));
    case "hirescam": return elementwise(g);
    case "layercam": return elementwise((y, x, c) => Math.max(0, g(y, x, c)));
    case "xgradcam": return chanWeights((c) => sumPos((y, x) => g(y, x, c) * A[y][x][c]) / (sumPos((y, x) => A[y][x][c]) + 1e-7));
    case "gradcampp": return chanWeights((c) => {
      const sA = sumPos((y, x) => A[y][x][c]);
      return sumPos((y, x) => {
        const gv = g(y, x, c);
        if (gv === 0) return 0;
        const alpha = (gv * gv) / (2 * gv * gv + sA * gv * gv * gv + 1e-7);
        return alpha * Math.max(0, gv);
      });
    });
    default: throw new Error(method);
  }
}

function maxAbsDiff(a: Map2, b: Map2): number {
  let m = 0;
  a.forEach((row, y) => row.forEach((v, x) => (m = Math.max(m, Math.abs(v - b[y][x])))));
  return m;
}

for (const backend of ["cpu", "wasm"]) {
  describe(`CAM hand computation (${backend})`, () => {
    before(async () => {
      if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
      await tf.setBackend(backend);
      await tf.ready();
    });
    const A = handConv();
    const classes = [0, 1];

    for (const method of ["gradcam", "gradcampp", "hirescam", "xgradcam", "layercam"]) {
      test(`${method} equals the hand computation (flatten head, per-sample classes)`, async () => {
        const dense = randArray(H * W * C * K, "dense");
        const model = buildModel("flatten", dense);
        const x = tf.tensor4d(input, [B, H, W, CIN]);
        const cam = createCam(method, model, { layer: "conv" }).compute(x, classLogit(classes));
        const got = (await cam.array()) as Map2[];
        tf.dispose([x, cam]);
        for (let b = 0; b < B; b++) {
          const k = classes[b];
          const want = normalise(handCam(method, A[b], (y, xx, c) => dense[((y * W + xx) * C + c) * K + k]));
          assert.ok(maxAbsDiff(got[b], want) < 1e-5, `${method} sample ${b}: max |diff| ${maxAbsDiff(got[b], want)}`);
        }
        model.dispose();
      });
    }

    test("Grad-CAM equals CAM (Zhou et al.) on GAP + linear head", async () => {
      // Large weights keep the map far above the normaliser's 1e-7 epsilon (CAM and Grad-CAM
      // differ by the factor 1/(h·w), which only the epsilon would see).
      const dense = randArray(C * K, "dense-gap").map((v) => v * H * W);
      const model = buildModel("gap", dense);
      const x = tf.tensor4d(input, [B, H, W, CIN]);
      const cam = createCam("gradcam", model, { layer: "conv" }).compute(x, classLogit(classes));
      const got = (await cam.array()) as Map2[];
      tf.dispose([x, cam]);
      for (let b = 0; b < B; b++) {
        const k = classes[b];
        const zhou = normalise(A[b].map((row) => row.map((px) => px.reduce((s, a, c) => s + dense[c * K + k] * a, 0))));
        assert.ok(maxAbsDiff(got[b], zhou) < 1e-5, `sample ${b}: max |diff| ${maxAbsDiff(got[b], zhou)} ${JSON.stringify(got[b][0])} ${JSON.stringify(zhou[0])}`);
      }
      model.dispose();
    });
  });
}
