/**
 * Parameter summary for notebooks: totals (trainable / non-trainable, where BN moving
 * statistics are the non-trainable part) and counts per encoder stage, head and decoder.
 */
import * as tf from "@tensorflow/tfjs";
import { countWeights } from "./freeze";
import { getModelInfo, layerStages } from "./info";

export interface ParamGroup {
  /** "stem (conv1, pool1)", "conv2", ..., "head", "decoder", "other" (input layers are left out). */
  label: string;
  /** Encoder stage index, undefined for head/decoder groups. */
  stage?: number;
  layers: number;
  params: number;
  trainableParams: number;
  /** True when every weighted layer of the group is frozen. */
  frozen: boolean;
}

export interface ModelSummary {
  name: string;
  encoder?: string;
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  layers: number;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  groups: ParamGroup[];
}

function groupOf(layerName: string): string {
  if (layerName.startsWith("head_")) return "head";
  if (layerName.startsWith("decoder_") || layerName.startsWith("seg_head_")) return "decoder";
  return "other";
}

export function summarizeModel(model: tf.LayersModel): ModelSummary {
  const info = getModelInfo(model);
  const stages = layerStages(model);
  const groups = new Map<string, ParamGroup>();
  const maxStage = Math.max(-1, ...stages.values());
  for (let s = 0; s <= maxStage; s++) {
    const label = info?.stageLabels[s] ?? (s === 0 ? "stem" : `stage${s}`);
    groups.set(`stage${s}`, { label, stage: s, layers: 0, params: 0, trainableParams: 0, frozen: true });
  }
  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    const s = stages.get(layer.name);
    const key = s === undefined ? groupOf(layer.name) : `stage${s}`;
    let g = groups.get(key);
    if (!g) {
      g = { label: key, layers: 0, params: 0, trainableParams: 0, frozen: true };
      groups.set(key, g);
    }
    g.layers++;
    g.params += countWeights(layer.weights);
    g.trainableParams += countWeights(layer.trainableWeights);
    if (layer.trainableWeights.length > 0) g.frozen = false;
  }
  const list = [...groups.values()].filter((g) => g.layers > 0);
  for (const g of list) if (g.params === 0) g.frozen = false;
  const totalParams = countWeights(model.weights);
  const trainableParams = countWeights(model.trainableWeights);
  return {
    name: info?.name ?? model.name,
    encoder: info?.encoder,
    inputShape: model.inputs[0].shape,
    outputShape: model.outputs[0].shape,
    layers: model.layers.length,
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    groups: list,
  };
}

/** Plain-text table of a summary (fixed-width, for notebooks and logs). */
export function formatSummary(s: ModelSummary): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const rows = s.groups.map((g) => [g.label, String(g.layers), n(g.params), n(g.trainableParams), g.frozen ? "frozen" : ""]);
  const header = ["group", "layers", "params", "trainable", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  const shape = (d: (number | null)[]) => `[${d.map((v) => (v === null ? "b" : v)).join(", ")}]`;
  return [
    `${s.name}${s.encoder && s.encoder !== s.name ? ` (encoder ${s.encoder})` : ""}: ${shape(s.inputShape)} → ${shape(s.outputShape)}, ${s.layers} layers`,
    line(header),
    ...rows.map(line),
    `total ${n(s.totalParams)} params, trainable ${n(s.trainableParams)}, non-trainable ${n(s.nonTrainableParams)}`,
  ].join("\n");
}
