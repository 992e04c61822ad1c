/** Our encoder against tfjs-core's own decoder (what loadLayersModel runs in the page). */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { quantizeWeights, toFloat16Bits, uint8Params, WeightSpec } from "../../src/lib/export/quantize";

function buffer(...arrays: Float32Array[]): ArrayBuffer {
  const out = new Float32Array(arrays.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const a of arrays) out.set(a, (o += a.length) - a.length);
  return out.buffer;
}

const w1 = new Float32Array([-1.5, -0.25, 0, 0.3, 2.0, 1e-3]);
const w2 = new Float32Array([0.5, 0.5, 0.5]);
const specs: WeightSpec[] = [
  { name: "a", shape: [2, 3], dtype: "float32" },
  { name: "b", shape: [3], dtype: "float32" },
];

test("uint8: tfjs decodes our bytes to within half a step, zero exactly, a constant tensor exactly", async () => {
  const q = quantizeWeights(buffer(w1, w2), specs, "uint8");
  assert.equal(q.data.byteLength, 9);
  const decoded = tf.io.decodeWeights(q.data, q.specs as tf.io.WeightsManifestEntry[]);
  const a = decoded.a.dataSync();
  const { scale } = q.specs[0].quantization as { scale: number };
  // Hand-computed: range [-1.5, 2] → scale 3.5/255, zero point round(1.5/scale) = 109.
  assert.ok(Math.abs(scale - 3.5 / 255) < 1e-12);
  assert.ok(Math.abs((q.specs[0].quantization!.min as number) - -109 * (3.5 / 255)) < 1e-12);
  w1.forEach((v, i) => assert.ok(Math.abs(a[i] - v) <= scale / 2 + 1e-7, `a[${i}] ${a[i]} vs ${v}`));
  assert.equal(a[2], 0);
  assert.deepEqual([...decoded.b.dataSync()], [0.5, 0.5, 0.5].map((v) => Math.fround(v)));
  tf.dispose(Object.values(decoded));
});

test("float16: tfjs decodes our bits to the nearest half (hand values, subnormals, saturation)", () => {
  const vals = new Float32Array([1, -2, 0.1, 65504, 1e6, -1e6, 6e-8, 1e-10, 0.000061035156, 1 + 1 / 2048, 1 + 3 / 2048]);
  const q = quantizeWeights(vals.buffer, [{ name: "h", shape: [vals.length], dtype: "float32" }], "float16");
  assert.equal(q.data.byteLength, 2 * vals.length);
  const d = tf.io.decodeWeights(q.data, q.specs as tf.io.WeightsManifestEntry[]).h.dataSync();
  // 0.1 → 0x2e66 = 0.0999755859375; 1+1/2048 is a tie → even (1); 1+3/2048 tie → 1+4/2048.
  const expected = [1, -2, 0.0999755859375, 65504, 65504, -65504, 5.960464477539063e-8, 0, 0.00006103515625, 1, 1 + 4 / 2048];
  expected.forEach((e, i) => assert.ok(Math.abs(d[i] - e) <= Math.abs(e) * 1e-7, `${vals[i]} → ${d[i]}, expected ${e}`));
  assert.equal(toFloat16Bits(0.1), 0x2e66);
  assert.equal(toFloat16Bits(-0), 0x8000);
});

test("none keeps the bytes; int32 weights pass through; bad input is refused", () => {
  const ints = new Int32Array([7, -3]);
  const buf = new Uint8Array(8 + 4);
  buf.set(new Uint8Array(ints.buffer), 0);
  buf.set(new Uint8Array(new Float32Array([0.25]).buffer), 8);
  const s: WeightSpec[] = [{ name: "i", shape: [2], dtype: "int32" }, { name: "f", shape: [1], dtype: "float32" }];
  const q = quantizeWeights(buf.buffer, s, "uint8");
  const d = tf.io.decodeWeights(q.data, q.specs as tf.io.WeightsManifestEntry[]);
  assert.deepEqual([...d.i.dataSync()], [7, -3]);
  assert.deepEqual([...d.f.dataSync()], [0.25]);
  assert.equal(quantizeWeights(buf.buffer, s, "none").data, buf.buffer);
  assert.throws(() => quantizeWeights(new ArrayBuffer(4), specs, "uint8"), /past the end/);
  assert.throws(() => quantizeWeights(q.data, q.specs, "uint8"), /already quantised/);
  assert.deepEqual(uint8Params(0.2, 0.9), { scale: 0.9 / 255, min: 0 });
});
