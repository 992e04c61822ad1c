/**
 * Standard black-box test functions (minimise), each with its search box and known optimum:
 * a shifted 2-D quadratic, Branin (3 global minima, 0.397887) and 6-D Hartmann (−3.32237), as
 * used to compare samplers (Surjanovic & Bingham's Virtual Library of Simulation Experiments).
 */
import type { TrialLike } from "../trial/trial-like";

export interface BenchmarkFunction {
  name: string;
  /** [low, high] per input. */
  bounds: [number, number][];
  optimum: number;
  f(x: number[]): number;
}

export const shiftedQuadratic: BenchmarkFunction = {
  name: "quadratic",
  bounds: [[-10, 10], [-10, 10]],
  optimum: 0,
  f: ([x, y]) => (x - 3.2) ** 2 + (y + 1.7) ** 2,
};

export const branin: BenchmarkFunction = {
  name: "branin",
  bounds: [[-5, 10], [0, 15]],
  optimum: 0.397887,
  f: ([x, y]) => {
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
  },
};

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));

export const hartmann6: BenchmarkFunction = {
  name: "hartmann6",
  bounds: Array.from({ length: 6 }, () => [0, 1] as [number, number]),
  optimum: -3.32237,
  f: (x) => -H_ALPHA.reduce((acc, a, i) => acc + a * Math.exp(-H_A[i].reduce((s, aij, j) => s + aij * (x[j] - H_P[i][j]) ** 2, 0)), 0),
};

export const BENCHMARKS: Record<string, BenchmarkFunction> = { quadratic: shiftedQuadratic, branin, hartmann6 };

/** The function as an objective: inputs x0…x(d-1) suggested as uniform floats. */
export function benchmarkObjective(fn: BenchmarkFunction): (trial: TrialLike) => number {
  return (trial) => fn.f(fn.bounds.map(([lo, hi], i) => trial.suggestFloat(`x${i}`, lo, hi)));
}
