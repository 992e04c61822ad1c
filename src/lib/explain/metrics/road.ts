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
import { mean, ModelImage, randomOrder, relevanceOrder, ScoreFn, stackImages } from "./removal";

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
  for (let sweep = 0; sweep < (opts.sweeps ?? 60); sweep++) {
    for (const p of removed) {
      const y = Math.floor(p / W), x = p % W;
      for (let c = 0; c < C; c++) {
        let acc = 0, wsum = 0;
        for (const [dy, dx, w] of NEIGHBOURS) {
          const yy = y + dy, xx = x + dx;
          if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
          acc += w * out[(yy * W + xx) * C + c];
          wsum += w;
        }
        out[p * C + c] = acc / wsum;
      }
    }
  }
  const rng = createRng(opts.seed ?? 0, opts.stream ?? "road-noise");
  const noise = opts.noise ?? 0.01;
  for (const p of removed) for (let c = 0; c < C; c++) out[p * C + c] += rng.normal(0, noise);
  return out;
}

/** ROAD MoRF / LeRF for one image and its CAM (H·W values at the image's size). */
export async function roadScores(img: ModelImage, cam: ArrayLike<number>, score: ScoreFn, opts: RoadOptions = {}): Promise<RoadResult> {
  if (cam.length !== img.height * img.width) throw new Error(`roadScores: CAM has ${cam.length} values, image ${img.height}x${img.width}`);
  const percentages = opts.percentages ?? [0.1, 0.3, 0.5, 0.7, 0.9];
  const order = relevanceOrder(cam);
  const N = order.length;
  const frames: Float32Array[] = [];
  for (const p of percentages) {
    const k = Math.round(p * N);
    frames.push(noisyLinearImpute(img, order.slice(0, k), { ...opts, stream: `morf/${p}` }), noisyLinearImpute(img, order.slice(N - k), { ...opts, stream: `lerf/${p}` }));
  }
  const s = await scoreFrames(frames, img, score);
  const morf = percentages.map((_, i) => s[2 * i]);
  const lerf = percentages.map((_, i) => s[2 * i + 1]);
  return { percentages, morf, lerf, gap: mean(lerf.map((v, i) => v - morf[i])) };
}

/** The reference: target scores after removing a seeded random share p (same imputation). */
export async function roadRandom(img: ModelImage, score: ScoreFn, opts: RoadOptions = {}): Promise<{ percentages: number[]; random: number[] }> {
  const percentages = opts.percentages ?? [0.1, 0.3, 0.5, 0.7, 0.9];
  const order = randomOrder(img.height * img.width, opts.seed ?? 0, "road-order");
  const frames = percentages.map((p) => noisyLinearImpute(img, order.slice(0, Math.round(p * order.length)), { ...opts, stream: `random/${p}` }));
  return { percentages, random: await scoreFrames(frames, img, score) };
}

async function scoreFrames(frames: Float32Array[], like: ModelImage, score: ScoreFn): Promise<number[]> {
  const x = stackImages(frames, like);
  try {
    return await score(x);
  } finally {
    x.dispose();
  }
}
