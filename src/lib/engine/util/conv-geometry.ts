/**
 * Shape arithmetic shared by the conv backward kernels (NHWC, filter [KH, KW, Cin, Cout]).
 * Pure functions — unit-testable without a backend.
 */
import * as tf from "@tensorflow/tfjs";

export type PadAttr = "valid" | "same" | number | tf.backend_util.ExplicitPadding;

/** The attributes every conv kernel reads (each kernel adds its own shape attribute). */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: string;
  dimRoundingMode?: "floor" | "round" | "ceil";
  /** Not part of tfjs' conv-gradient attrs (its gradient rejects dilation > 1); honoured when given. */
  dilations?: number | [number, number];
}

export interface ConvGeometry {
  N: number;
  H: number;
  W: number;
  C: number;
  OH: number;
  OW: number;
  CO: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padTop: number;
  padLeft: number;
}

function pair(v: number | [number, number] | undefined, fallback: number): [number, number] {
  if (v == null) return [fallback, fallback];
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/**
 * Geometry of a conv whose input is `xShape` (NHWC) and filter `filterShape` [KH, KW, C, CO];
 * `depthwise`: filter [KH, KW, C, m], expressed like a dense conv with CO = C·m.
 */
export function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: PadAttr,
  dilations?: number | [number, number],
  dimRoundingMode?: "floor" | "round" | "ceil",
  depthwise = false,
): ConvGeometry {
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`conv geometry: expected rank-4 input and filter, got [${xShape}] and [${filterShape}]`);
  }
  const [dh, dw] = pair(dilations, 1);
  const [sh, sw] = pair(strides, 1);
  if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1)) {
    throw new Error(`conv geometry: strides [${sh},${sw}] and dilations [${dh},${dw}] cannot both exceed 1`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    [sh, sw],
    [dh, dw],
    pad,
    dimRoundingMode,
    depthwise,
    "channelsLast",
  );
  return {
    N: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    OH: info.outHeight,
    OW: info.outWidth,
    CO: info.outChannels,
    KH: info.filterHeight,
    KW: info.filterWidth,
    sh,
    sw,
    dh,
    dw,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** A depthwise conv's attributes: DepthwiseConv2dNativeBackpropInput has inputShape, ...Filter filterShape. */
export interface DepthwiseAttrs extends ConvAttrs {
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

/** Geometry of a depthwise conv (filter [KH, KW, C, m]) as a dense one with CO = C·m, and m. */
export function depthwiseGeometry(xShape: readonly number[], filterShape: readonly number[], attrs: DepthwiseAttrs): ConvGeometry & { m: number } {
  return { ...convGeometry(xShape, filterShape, attrs.strides, attrs.pad, attrs.dilations, attrs.dimRoundingMode, true), m: filterShape[3] };
}

/** Multiply-accumulate count of the forward conv (= of each of its two gradients). */
export function convMacs(g: ConvGeometry): number {
  return g.N * g.OH * g.OW * g.KH * g.KW * g.C * g.CO;
}
