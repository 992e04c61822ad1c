/**
 * Checks CAM methods on labelled images: faithfulness (deletion / insertion AUC and ROAD, each
 * beside random removal) and, where regions exist, localisation (pointing game and energy share
 * beside chance), per class. The explained class is each image's TRUE class (the defect that the
 * boxes mark). Random references depend only on the image, so they are computed once per image.
 */
import * as tf from "@tensorflow/tfjs";
import { createProgress } from "../util/progress";
import { deletionInsertion, randomDeletionInsertion } from "./metrics/deletion-insertion";
import { localise, LocalisationRow, summariseLocalisation, ClassLocalisation } from "./metrics/localisation";
import { mean, modelScore, ModelImage } from "./metrics/removal";
import { roadRandom, roadScores } from "./metrics/road";
import { createCam } from "./methods";
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

export async function evaluateCams(model: tf.LayersModel, items: readonly LabelledImage[], classNames: readonly string[], methods: readonly string[], opts: EvaluateCamsOptions = {}): Promise<Record<string, MethodReport>> {
  const cams = methods.map((m) => createCam(m, model, { layer: opts.layer }));
  const rows = new Map<string, Row[]>(methods.map((m) => [m, []]));
  const loc = new Map<string, LocalisationRow[]>(methods.map((m) => [m, []]));
  const progress = createProgress({ total: items.length, label: `CAM checks (${methods.join(", ")})` });
  for (const it of items) {
    const { image: img, label } = it;
    const score = modelScore(model, classProbability(label));
    const rdi = await randomDeletionInsertion(img, score, opts);
    const rroad = mean((await roadRandom(img, score, { seed: opts.seed })).random);
    const x = tf.tensor4d(img.data, [1, img.height, img.width, img.channels]);
    for (const [j, cam] of cams.entries()) {
      const t = cam.compute(x, classLogit(label));
      const map = (await t.data()) as Float32Array;
      t.dispose();
      const di = await deletionInsertion(img, map, score, opts);
      const road = await roadScores(img, map, score, { seed: opts.seed });
      rows.get(methods[j])!.push({ cls: classNames[label], del: di.deletion.auc, rdel: rdi.deletion.auc, ins: di.insertion.auc, rins: rdi.insertion.auc, morf: mean(road.morf), lerf: mean(road.lerf), rroad });
      if (it.region) loc.get(methods[j])!.push(localise(map, it.region, classNames[label]));
    }
    x.dispose();
    progress.tick();
  }
  progress.done();
  const out: Record<string, MethodReport> = {};
  for (const m of methods) out[m] = { faithfulness: summarise(rows.get(m)!), localisation: loc.get(m)!.length > 0 ? summariseLocalisation(loc.get(m)!) : {} };
  return out;
}
