/**
 * Checks CAM methods on labelled images: faithfulness (deletion / insertion AUC and ROAD, each
 * beside random removal) and, where regions exist, localisation (pointing game and energy share
 * beside chance), per class. The explained class is each image's TRUE class (the defect that the
 * boxes mark). Random references depend only on the image, so they are computed once per image.
 */
import * as tf from "@tensorflow/tfjs";
import { createProgress } from "../util/progress";
import { BaseCam } from "./base-cam";
import { DeletionInsertion, deletionInsertionFrames, randomDeletionInsertionFrames } from "./metrics/deletion-insertion";
import { localise, LocalisationRow, summariseLocalisation, ClassLocalisation } from "./metrics/localisation";
import { mean, modelScore, ModelImage, scoreFrameSets, stackImages } from "./metrics/removal";
import { RoadResult, roadFrames, roadRandomFrames } from "./metrics/road";
import { createCam } from "./methods/index";
import { classLogit, classProbability } from "./targets";

export interface LabelledImage {
  id: string;
  /** As the model sees it. */
  image: ModelImage;
  label: number;
  /** [H·W] 0/1 at the model's input size, when the image has boxes or masks. */
  region?: Uint8Array;
}

export interface ClassFaithfulness {
  images: number;
  deletionAuc: number;
  randomDeletionAuc: number;
  insertionAuc: number;
  randomInsertionAuc: number;
  /** ROAD: mean score after removing the most / least relevant shares, and random shares. */
  roadMorf: number;
  roadLerf: number;
  roadRandom: number;
}

export interface MethodReport {
  faithfulness: Record<string, ClassFaithfulness>;
  localisation: Record<string, ClassLocalisation>;
}

export interface EvaluateCamsOptions {
  layer?: string;
  steps?: number;
  randomRepeats?: number;
  seed?: number;
  /** Images per batched CAM call (default 8). */
  camBatch?: number;
  /** Perturbed frames per forward pass (default 64). */
  scoreBatch?: number;
}

interface Row {
  cls: string;
  del: number;
  rdel: number;
  ins: number;
  rins: number;
  morf: number;
  lerf: number;
  rroad: number;
}

function summarise(rows: Row[]): Record<string, ClassFaithfulness> {
  const groups = new Map<string, Row[]>([["all", rows]]);
  for (const r of rows) groups.set(r.cls, [...(groups.get(r.cls) ?? []), r]);
  const out: Record<string, ClassFaithfulness> = {};
  for (const [name, rs] of groups) {
    const m = (f: (r: Row) => number) => mean(rs.map(f));
    out[name] = { images: rs.length, deletionAuc: m((r) => r.del), randomDeletionAuc: m((r) => r.rdel), insertionAuc: m((r) => r.ins), randomInsertionAuc: m((r) => r.rins), roadMorf: m((r) => r.morf), roadLerf: m((r) => r.lerf), roadRandom: m((r) => r.rroad) };
  }
  return out;
}

/**
 * Speed (explain-neu spent ~8 s per image): the CAMs of `camBatch` images are computed in one
 * call per method, and all perturbed frames of an image — the random references and every
 * method's deletion, insertion and ROAD frames — are scored together in full batches of
 * `scoreBatch`, instead of one under-filled forward pass per curve. The same metrics (the batched
 * CAMs may differ from one-image calls in float rounding only).
 */
export async function evaluateCams(model: tf.LayersModel, items: readonly LabelledImage[], classNames: readonly string[], methods: readonly string[], opts: EvaluateCamsOptions = {}): Promise<Record<string, MethodReport>> {
  const cams = methods.map((m) => createCam(m, model, { layer: opts.layer }));
  const rows = new Map<string, Row[]>(methods.map((m) => [m, []]));
  const loc = new Map<string, LocalisationRow[]>(methods.map((m) => [m, []]));
  const camBatch = opts.camBatch ?? 8;
  const progress = createProgress({ total: items.length, label: `CAM checks (${methods.join(", ")})` });
  for (let c = 0; c < items.length; c += camBatch) {
    const chunk = items.slice(c, c + camBatch);
    const maps = await chunkCams(cams, chunk);
    for (const [i, it] of chunk.entries()) {
      const { image: img, label } = it;
      const perMethod = maps.map((m) => m[i]);
      const sets = [
        randomDeletionInsertionFrames(img, opts),
        roadRandomFrames(img, { seed: opts.seed }),
        ...perMethod.flatMap((map) => [deletionInsertionFrames(img, map, opts), roadFrames(img, map, { seed: opts.seed })]),
      ];
      const [rdi, rr, ...res] = (await scoreFrameSets(sets, img, modelScore(model, classProbability(label), opts.scoreBatch ?? 64), opts.scoreBatch ?? 64)) as [DeletionInsertion, { random: number[] }, ...(DeletionInsertion | RoadResult)[]];
      const rroad = mean(rr.random);
      for (const [j, map] of perMethod.entries()) {
        const di = res[2 * j] as DeletionInsertion, road = res[2 * j + 1] as RoadResult;
        rows.get(methods[j])!.push({ cls: classNames[label], del: di.deletion.auc, rdel: rdi.deletion.auc, ins: di.insertion.auc, rins: rdi.insertion.auc, morf: mean(road.morf), lerf: mean(road.lerf), rroad });
        if (it.region) loc.get(methods[j])!.push(localise(map, it.region, classNames[label]));
      }
      progress.tick();
    }
  }
  progress.done();
  const out: Record<string, MethodReport> = {};
  for (const m of methods) out[m] = { faithfulness: summarise(rows.get(m)!), localisation: loc.get(m)!.length > 0 ? summariseLocalisation(loc.get(m)!) : {} };
  return out;
}

/** Per method, the CAM of each image's true class ([H·W] each), one batched call per method. */
async function chunkCams(cams: readonly BaseCam[], chunk: readonly LabelledImage[]): Promise<Float32Array[][]> {
  const { height: H, width: W } = chunk[0].image;
  const x = stackImages(chunk.map((it) => it.image.data), chunk[0].image);
  try {
    const out: Float32Array[][] = [];
    for (const cam of cams) {
      const t = cam.compute(x, classLogit(chunk.map((it) => it.label)));
      const d = (await t.data()) as Float32Array;
      t.dispose();
      out.push(chunk.map((_, i) => d.slice(i * H * W, (i + 1) * H * W)));
    }
    return out;
  } finally {
    x.dispose();
  }
}
