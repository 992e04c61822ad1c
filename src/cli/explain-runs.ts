/**
 * explain-runs: notebook 07 from the command line — the classifiers of earlier notebooks (03 and
 * 04 by default, reused, never retrained) on their Severstal test splits: CAMs side by side,
 * faithfulness vs random, localisation vs chance, the high-confidence mistakes; the U-Net of
 * notebook 05 when its checkpoint exists. Files under outputs/explain/<run>/, outputs/figures/gradcam.png.
 */
import { CliError, COMMON_FLAGS, parseArgs } from "./args";
import { datasetFor, runCli, workspaceFromArgs } from "./common";
import { camExperiment } from "../lib/explain/experiment";
import { CAM_METHODS } from "../lib/explain/methods/index";
import { textTable } from "../lib/report/html";
import { faithfulnessRows, localisationRows } from "../lib/views/explain";

const USAGE = `explain-runs [--runs 03_simplecnn_baseline,04_resnet50_classifier] [--methods ${CAM_METHODS.join(",")}]
             [--check-methods gradcam,layercam,eigencam] [--check-images N] [--mistakes K] [--data-root DIR]
             [--profile smoke|quick|full] [--seed N] [--backend NAME]`;

function methodList(v: unknown, flag: string): string[] | undefined {
  if (v === undefined) return undefined;
  const ms = String(v).split(",").map((s) => s.trim()).filter(Boolean);
  const bad = ms.filter((m) => !(CAM_METHODS as string[]).includes(m));
  if (bad.length || ms.length === 0) throw new CliError(`--${flag}: unknown ${bad.join(", ") || "(empty)"}; known: ${CAM_METHODS.join(", ")}`);
  return ms;
}

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { runs: "string", methods: "string", "check-methods": "string", "check-images": "int", mistakes: "int", "data-root": "string", profile: "string", seed: "number", backend: "string", ...COMMON_FLAGS },
    choices: { profile: ["smoke", "quick", "full"] },
  });
  const methods = methodList(a.methods, "methods");
  const checkMethods = methodList(a["check-methods"], "check-methods");
  const runs = a.runs === undefined ? undefined : String(a.runs).split(",").filter(Boolean);
  const ws = await workspaceFromArgs("explain_runs", a);
  const ds = await datasetFor(ws, "severstal", a["data-root"], { lenient: Boolean(a.lenient) });
  const r = await camExperiment(ws, ds, { runs, methods, checkMethods, checkImages: a["check-images"] as number | undefined, mistakes: a.mistakes as number | undefined });
  for (const run of r.runs) {
    console.log(`\n${run.run} (${run.model}, layer ${run.layer}): ${run.checkedImages} of ${run.testImages} test images checked → ${run.sideBySide.file}`);
    console.log(textTable(faithfulnessRows(run.report)));
    const loc = localisationRows(run.report);
    if (loc.length) console.log(textTable(loc));
    console.log(`${run.mistakes.mistakes.length} high-confidence mistakes${run.mistakes.file ? ` → ${run.mistakes.file}` : ""}`);
  }
  console.log("skipped" in r.segmentation ? `\n${r.segmentation.skipped}` : `\nU-Net ${r.segmentation.run} → ${r.segmentation.file}`);
  console.log(`figure → ${r.figure.file}`);
  ws.finish({
    title: "CAMs of the notebook classifiers (explain-runs)",
    headline: Object.fromEntries(r.runs.flatMap((run) => Object.entries(run.report).map(([m, rep]) => [`${run.run.slice(0, 2)}_${m}_deletion_auc`, rep.faithfulness.all?.deletionAuc ?? NaN]))),
    details: { runs: r.runs.map((run) => ({ run: run.run, layer: run.layer, report: run.report, confusion: run.mistakes.confusion })) },
  });
});
