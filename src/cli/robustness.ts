/**
 * robustness: a trained classifier under seeded capture perturbations by severity, with the
 * dim-vs-bright ΔF1 verdict and test-time mitigations side by side → robustness.json + curves PNG.
 */
import * as path from "path";
import { CliError, parseArgs } from "./args";
import { datasetFor, datasetName, runCli, workspaceFromArgs } from "./common";
import { classificationView } from "../lib/data/views";
import { readSplitCsv } from "../lib/data/splits";
import { loadClassifier } from "../lib/experiments/classification";
import { textTable } from "../lib/report/html";
import { checkMitigation } from "../lib/robustness/mitigations";
import { PERTURBATION_KINDS } from "../lib/robustness/registry";
import { runRobustness } from "../lib/robustness/run";
import type { PerturbationKind } from "../lib/robustness/types";

const USAGE = `robustness --checkpoint RUN_DIR [--dataset NAME] [--data-root DIR] [--split-csv FILE] [--kinds ${PERTURBATION_KINDS.join(",")}]
           [--severities 1,2,3,4,5] [--mitigations none,clahe,tta,clahe+tta] [--critical CLASS] [--capture-size HxW] [--seed N] [--out DIR] [--backend NAME]
Without --split-csv every image is evaluated. --capture-size perturbs frames at that size (a lower-resolution
camera; faster on 256×1600 frames) instead of each file's own. ΔF1 = |macro-F1(dim) − macro-F1(bright)| at severity 3, goal ≤ 0.03.`;

function list(v: unknown, all: readonly string[], what: string): string[] {
  if (v === undefined) return [...all];
  const items = String(v).split(",").map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!all.includes(i)) throw new CliError(`--${what}: "${i}" is not one of ${all.join(", ")}`);
  return items;
}

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { checkpoint: "string", dataset: "string", "data-root": "string", "split-csv": "string", kinds: "string", severities: "string", mitigations: "string", critical: "string", "capture-size": "string", seed: "number", out: "string", backend: "string", profile: "string" },
    required: ["checkpoint"],
  });
  const kinds = list(a.kinds, PERTURBATION_KINDS, "kinds") as PerturbationKind[];
  const severities = list(a.severities, ["1", "2", "3", "4", "5"], "severities").map(Number);
  const mitigations = (a.mitigations === undefined ? ["none", "clahe", "tta"] : String(a.mitigations).split(",")).map((m) => {
    try {
      return checkMitigation(m.trim());
    } catch (err) {
      throw new CliError(`--mitigations: ${(err as Error).message}`);
    }
  });
  const ws = await workspaceFromArgs("robustness", a);
  const { model, config } = await loadClassifier(String(a.checkpoint));
  const ds = await datasetFor(ws, datasetName(a.dataset ?? config.dataset), a["data-root"]);
  const view = classificationView(ds, { mode: config.mode, imageSize: config.imageSize, channels: config.channels });
  if (view.classNames.join(",") !== config.classNames.join(",")) throw new CliError(`the checkpoint was trained on classes [${config.classNames.join(", ")}] but the data has [${view.classNames.join(", ")}]`);
  const indices = typeof a["split-csv"] === "string" ? readSplitCsv(a["split-csv"], ds.samples).test : ds.samples.map((_, i) => i);
  const critical = typeof a.critical === "string" ? a.critical : undefined;
  if (critical && !view.classNames.includes(critical)) throw new CliError(`--critical ${critical} is not a class of the model (${view.classNames.join(", ")})`);
  let captureSize: { height: number; width: number } | undefined;
  if (a["capture-size"] !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(String(a["capture-size"]));
    if (!m) throw new CliError(`--capture-size must look like 96x576, got "${String(a["capture-size"])}"`);
    captureSize = { height: Number(m[1]), width: Number(m[2]) };
  }
  const outDir = typeof a.out === "string" ? a.out : path.join(String(a.checkpoint), "robustness");
  const r = await runRobustness({ model, view, indices, mode: config.mode, kinds, severities, mitigations, seed: ws.config.seed, batchSize: config.batchSize, criticalClass: critical, captureSize, outDir });
  console.log(textTable(r.table));
  for (const s of r.sweeps) if (s.verdict) console.log(`${s.mitigation}: ΔF1 (dim vs bright, severity ${s.verdict.severity}) = ${s.verdict.delta.toFixed(4)} → ${s.verdict.pass ? "PASS" : "FAIL"} (goal ≤ ${s.verdict.goal})`);
  console.log(Object.values(r.files).join("\n"));
  ws.finish({ title: "robustness", headline: Object.fromEntries(r.sweeps.map((s) => [`deltaF1_${s.mitigation}`, s.verdict?.delta ?? NaN])) });
});
