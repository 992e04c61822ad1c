/**
 * ROAD (Rong et al. 2022, "RemOve And Debias"): remove a share of pixels — most relevant first
 * (MoRF) or least relevant first (LeRF) — and fill them with a noisy linear imputation, so the
 * removal itself leaks no shape of the mask. The imputation solves ROAD's linear system (each
 * removed pixel = weighted mean of its 8 neighbours, direct 1/6, diagonal 1/12) by Gauss–Seidel
 * sweeps from the mean of the kept pixels, then adds N(0, noise²) from a seeded stream. No
 * library here does this; written out, ~40 lines. A faithful map: confidence falls fast under
 * MoRF, slowly under LeRF; random removal at the same shares is the reference.
 */
import { createRng } from "../../util/rng";
import { mean, ModelImage, randomOrder, relevanceOrder, ScoreFn, scoreFrames, ScoredFrames } from "./removal";

export interface RoadOptions {
  /** Shares of pixels removed. */
  percentages?: number[];
  noise?: number;
  sweeps?: number;
  seed?: number;
}

export interface RoadResult {
  percentages: number[];
  /** Target score after removing the most relevant share p (lower = more faithful). */
  morf: number[];
  /** After removing the least relevant share (higher = more faithful). */
  lerf: number[];
  /** mean(LeRF − MoRF): > 0 when the map ranks pixels better than chance would (0). */
  gap: number;
}

const NEIGHBOURS: [number, number, number][] = [
  [-1, 0, 1 / 6], [1, 0, 1 / 6], [0, -1, 1 / 6], [0, 1, 1 / 6],
  [-1, -1, 1 / 12], [-1, 1, 1 / 12], [1, -1, 1 / 12], [1, 1, 1 / 12],
];

/** The image with `removed` pixels imputed (all channels), plus seeded noise on them. */
export function noisyLinearImpute(img: ModelImage, removed: readonly number[], opts: { noise?: number; sweeps?: number; seed?: number; stream?: string } = {}): Float32Array {
  const { height: H, width: W, channels: C } = img;
  const out = Float32Array.from(img.data);
  const gone = new Uint8Array(H * W);
  for (const p of removed) gone[p] = 1;
  for (let c = 0; c < C; c++) {
    let s = 0, n = 0;
    for (let p = 0; p < H * W; p++) if (!gone[p]) { s += img.data[p * C + c]; n++; }
    const fill = n > 0 ? s / n : 0;
    for (const p of removed) out[p * C + c] = fill;
  }
  // Each removed pixel's in-image neighbours and weights, tabled once (the sweeps dominate the
  // cost): the same sums in the same order as looping over NEIGHBOURS, so the same numbers.
  const R = removed.length;
  const start = new Int32Array(R + 1);
  const nbr = new Int32Array(8 * R);
  const wt = new Float64Array(8 * R);
  const wsums = new Float64Array(R);
  let e = 0;
  for (let r = 0; r < R; r++) {
    const p = removed[r];
    const y = Math.floor(p / W), x = p % W;
    let wsum = 0;
    for (const [dy, dx, w] of NEIGHBOURS) {
      const yy = y + dy, xx = x + dx;
      if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
      nbr[e] = (yy * W + xx) * C;
      wt[e++] = w;
      wsum += w;
    }
    start[r + 1] = e;
    wsums[r] = wsum;
  }
  const sweeps = opts.sweeps ?? 60;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (let r = 0; r < R; r++) {
      const base = removed[r] * C;
      for (let c = 0; c < C; c++) {
        let acc = 0;
        for (let j = start[r]; j < start[r + 1]; j++) acc += wt[j] * out[nbr[j] + c];
        out[base + c] = acc / wsums[r];
      }
    }
  }
  const rng = createRng(opts.seed ?? 0, opts.stream ?? "road-noise");
  const noise = opts.noise ?? 0.01;
  for (const p of removed) for (let c = 0; c < C; c++) out[p * C + c] += rng.normal(0, noise);
  return out;
}

/** The frames of ROAD MoRF / LeRF for one image and its CAM (H·W values at the image's size). */
export function roadFrames(img: ModelImage, cam: ArrayLike<number>, opts: RoadOptions = {}): ScoredFrames<RoadResult> {
  if (cam.length !== img.height * img.width) throw new Error(`roadScores: CAM has ${cam.length} values, image ${img.height}x${img.width}`);
  const percentages = opts.percentages ?? [0.1, 0.3, 0.5, 0.7, 0.9];
  const order = relevanceOrder(cam);
  const N = order.length;
  const frames: Float32Array[] = [];
  for (const p of percentages) {
    const k = Math.round(p * N);
    frames.push(noisyLinearImpute(img, order.slice(0, k), { ...opts, stream: `morf/${p}` }), noisyLinearImpute(img, order.slice(N - k), { ...opts, stream: `lerf/${p}` }));
  }
  return {
    frames,
    result(s) {
      const morf = percentages.map((_, i) => s[2 * i]);
      const lerf = percentages.map((_, i) => s[2 * i + 1]);
      return { percentages, morf, lerf, gap: mean(lerf.map((v, i) => v - morf[i])) };
    },
  };
}

/** The frames of the reference: a seeded random share p removed (same imputation). */
export function roadRandomFrames(img: ModelImage, opts: RoadOptions = {}): ScoredFrames<{ percentages: number[]; random: number[] }> {
  const percentages = opts.percentages ?? [0.1, 0.3, 0.5, 0.7, 0.9];
  const order = randomOrder(img.height * img.width, opts.seed ?? 0, "road-order");
  const frames = percentages.map((p) => noisyLinearImpute(img, order.slice(0, Math.round(p * order.length)), { ...opts, stream: `random/${p}` }));
  return { frames, result: (random) => ({ percentages, random }) };
}

/** ROAD MoRF / LeRF for one image and its CAM. */
export async function roadScores(img: ModelImage, cam: ArrayLike<number>, score: ScoreFn, opts: RoadOptions = {}): Promise<RoadResult> {
  return scoreFrames(roadFrames(img, cam, opts), img, score);
}

/** The random-removal reference of ROAD. */
export async function roadRandom(img: ModelImage, score: ScoreFn, opts: RoadOptions = {}): Promise<{ percentages: number[]; random: number[] }> {
  return scoreFrames(roadRandomFrames(img, opts), img, score);
}
