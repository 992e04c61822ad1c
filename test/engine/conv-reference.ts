/**
 * The conv case grid and cpu references shared by the wasm (conv-backprop.test.ts) and native
 * (native.test.ts) conv kernel tests. References are computed on cpu in a form that needs no
 * trust in the cases under test:
 *  - numeric / explicit padding: pad x explicitly, then the "valid" cpu kernel (the cpu
 *    kernels mis-index asymmetric explicit padding);
 *  - dilation > 1 (tfjs' conv gradients reject it): the cpu kernel on the equivalent
 *    zero-inserted (expanded) filter.
 */
import * as tf from "@tensorflow/tfjs";
import { runOn, type HostTensor } from "./helpers";

export type Pad = "same" | "valid" | number | tf.backend_util.ExplicitPadding;

export interface Case {
  N: number;
  H: number;
  W: number;
  C: number;
  CO: number;
  k: number;
  s: number;
  d: number;
  pad: Pad;
}

export const PADS: Pad[] = ["same", "valid", 1, [[0, 0], [1, 2], [2, 0], [0, 0]]];

export function cases(): Case[] {
  const out: Case[] = [];
  const sizes = [
    { N: 1, H: 9, W: 8, C: 3, CO: 4 },
    { N: 3, H: 11, W: 10, C: 6, CO: 5 },
  ];
  for (const sz of sizes) {
    for (const k of [1, 3, 7]) {
      for (const [s, d] of [[1, 1], [2, 1], [1, 2]] as Array<[number, number]>) {
        for (const pad of PADS) {
          const ke = (k - 1) * d + 1;
          if (pad === "valid" && ke > Math.min(sz.H, sz.W)) continue;
          if (d > 1 && k === 1) continue;
          const c = { ...sz, k, s, d, pad };
          if (outShape(c).some((v) => v <= 0)) continue;
          out.push(c);
        }
      }
    }
  }
  return out;
}

export function label(c: Case): string {
  return `N${c.N} ${c.H}x${c.W}x${c.C}->${c.CO} k${c.k} s${c.s} d${c.d} pad ${JSON.stringify(c.pad)}`;
}

/** Output shape of the forward conv (computed by tfjs' own shape logic). */
export function outShape(c: Case): number[] {
  const info = tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [c.k, c.k, c.C, c.CO], c.s, c.d, c.pad);
  return info.outShape;
}

/** [k,k,C,CO] filter → the equivalent undilated filter with (d-1) zeros between taps. */
export function expandFilter(w: HostTensor, d: number): HostTensor {
  const [k, , C, CO] = w.shape;
  const ke = (k - 1) * d + 1;
  const data = new Float32Array(ke * ke * C * CO);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      data.set(w.data.subarray((i * k + j) * C * CO, (i * k + j + 1) * C * CO), (i * d * ke + j * d) * C * CO);
  return { shape: [ke, ke, C, CO], data };
}

/** Taps (i·d, j·d) of an expanded-filter gradient → the dilated filter's gradient. */
export function subsampleFilter(g: Float32Array, k: number, d: number, C: number, CO: number): Float32Array {
  const ke = (k - 1) * d + 1;
  const out = new Float32Array(k * k * C * CO);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) out.set(g.subarray((i * d * ke + j * d) * C * CO, (i * d * ke + j * d + 1) * C * CO), (i * k + j) * C * CO);
  return out;
}

export const TOL = 1e-4;

/** [[top, bottom], [left, right]] of a numeric / explicit pad; undefined for same/valid. */
export function explicitPads(pad: Pad): [[number, number], [number, number]] | undefined {
  if (typeof pad === "number") return [[pad, pad], [pad, pad]];
  if (Array.isArray(pad)) return [pad[1] as [number, number], pad[2] as [number, number]];
  return undefined;
}

export function backpropFilter(t: Record<string, tf.Tensor>, c: Case, pad: Pad, filterShape: number[], dilations: number): tf.Tensor {
  return tf.engine().runKernel("Conv2DBackpropFilter", { x: t.x, dy: t.dy }, {
    strides: c.s,
    pad,
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
    filterShape,
    ...(dilations > 1 ? { dilations } : {}),
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

export function backpropInput(t: Record<string, tf.Tensor>, c: Case, pad: Pad, inputShape: number[], dilations: number): tf.Tensor {
  return tf.engine().runKernel("Conv2DBackpropInput", { dy: t.dy, filter: t.w }, {
    strides: c.s,
    pad,
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
    inputShape,
    ...(dilations > 1 ? { dilations } : {}),
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** cpu reference of dW for case c (see file comment). */
export async function filterReference(c: Case, x: HostTensor, dy: HostTensor): Promise<Float32Array> {
  const ke = (c.k - 1) * c.d + 1;
  const pads = explicitPads(c.pad);
  const [g] = await runOn("cpu", { x, dy }, (t) => {
    const xp = pads ? t.x.pad([[0, 0], pads[0], pads[1], [0, 0]]) : t.x;
    return backpropFilter({ x: xp, dy: t.dy }, c, pads ? "valid" : c.pad, [ke, ke, c.C, c.CO], 1);
  });
  return c.d > 1 ? subsampleFilter(g, c.k, c.d, c.C, c.CO) : g;
}

/** cpu reference of dx for case c (see file comment). */
export async function inputReference(c: Case, dy: HostTensor, w: HostTensor): Promise<Float32Array> {
  const pads = explicitPads(c.pad);
  const we = c.d > 1 ? expandFilter(w, c.d) : w;
  const [g] = await runOn("cpu", { dy, w: we }, (t) => {
    if (!pads) return backpropInput(t, c, c.pad, [c.N, c.H, c.W, c.C], 1);
    const Hp = c.H + pads[0][0] + pads[0][1];
    const Wp = c.W + pads[1][0] + pads[1][1];
    const gp = backpropInput(t, c, "valid", [c.N, Hp, Wp, c.C], 1);
    return gp.slice([0, pads[0][0], pads[1][0], 0], [c.N, c.H, c.W, c.C]);
  });
  return g;
}

