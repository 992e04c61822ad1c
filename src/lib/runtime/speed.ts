/** A quick matmul speed check of the active backend (GFLOP/s), for notebook 00 and doctor. */
import * as tf from "@tensorflow/tfjs";

export async function matmulSpeed(sizes: number[], repeats = 3): Promise<{ size: number; gflops: number }[]> {
  const out: { size: number; gflops: number }[] = [];
  for (const n of sizes) {
    const a = tf.randomUniform([n, n], 0, 1, "float32", 1);
    const b = tf.randomUniform([n, n], 0, 1, "float32", 2);
    tf.matMul(a, b).dispose(); // warm-up (kernel compile / allocation)
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      times.push(performance.now() - t0);
      c.dispose();
    }
    a.dispose();
    b.dispose();
    times.sort((x, y) => x - y);
    out.push({ size: n, gflops: (2 * n ** 3) / (times[Math.floor(times.length / 2)] * 1e6) });
  }
  return out;
}
