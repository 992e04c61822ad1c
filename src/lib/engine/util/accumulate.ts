/**
 * Summing partial results inside a composite kernel, and spreading one stride phase onto its
 * grid: the pattern of the sub-pixel conv input gradient and of MaxPoolGrad's composite path.
 */
import type * as tf from "@tensorflow/tfjs";
import type { WasmScope } from "../wasm/scope";

/** acc + part with both freed (one wasm Add), or `part` itself when there is no acc yet. */
export function accumulate(scope: WasmScope, acc: tf.TensorInfo | undefined, part: tf.TensorInfo): tf.TensorInfo {
  if (acc === undefined) return part;
  const sum = scope.run("Add", { a: acc, b: part });
  scope.free(acc);
  scope.free(part);
  return sum;
}

/**
 * t [N, A, B, C] placed at phase (p, q) of an sh×sw grid, zeros elsewhere, with `rows` = [before,
 * after] extra grid rows and `cols` the same for columns: [N, before+A+after, sh, before+B+after, sw, C]
 * (one 6-D PadV2). `t` is freed.
 */
export function spreadPhase(scope: WasmScope, t: tf.TensorInfo, p: number, q: number, sh: number, sw: number, rows: [number, number] = [0, 0], cols: [number, number] = [0, 0]): tf.TensorInfo {
  const [N, A, B, C] = t.shape;
  const spread = scope.run("PadV2", { x: scope.reshape(t, [N, A, 1, B, 1, C]) }, {
    paddings: [[0, 0], rows, [p, sh - 1 - p], cols, [q, sw - 1 - q], [0, 0]],
    constantValue: 0,
  });
  scope.free(t);
  return spread;
}
