/**
 * perturb: seeded capture perturbations of a folder of images, written with the same names, so
 * any tool can be evaluated under dim / bright / glare / uneven light / noise / blur / JPEG.
 */
import { CliError, parseArgs } from "./args";
import { runCli } from "./common";
import { perturbFolder } from "../lib/robustness/perturb-folder";
import { PERTURBATION_KINDS, perturbationByName } from "../lib/robustness/registry";
import type { PerturbationKind } from "../lib/robustness/types";

const USAGE = `perturb --images FOLDER --kind ${PERTURBATION_KINDS.join("|")} --severity 1..5 --out FOLDER [--seed N] [--format same|png]
  Each image gets its own seeded draw; unreadable files are named, counted and skipped (exit 1).
  Kinds and what severity means:
${PERTURBATION_KINDS.map((k) => `    ${k.padEnd(12)} ${perturbationByName(k).meaning}`).join("\n")}`;

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { images: "string", kind: "string", severity: "number", seed: "number", out: "string", format: "string" },
    required: ["images", "kind", "severity", "out"],
  });
  const kind = String(a.kind);
  if (!(PERTURBATION_KINDS as string[]).includes(kind)) throw new CliError(`--kind must be one of ${PERTURBATION_KINDS.join(", ")}, got "${kind}"`);
  const severity = Number(a.severity);
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) throw new CliError(`--severity must be an integer 1..5, got ${a.severity}`);
  const format = a.format ?? "same";
  if (format !== "same" && format !== "png") throw new CliError(`--format must be same or png, got "${String(format)}"`);
  const seed = typeof a.seed === "number" ? a.seed : 42;
  const r = await perturbFolder(String(a.images), String(a.out), { kind: kind as PerturbationKind, severity, seed, format });
  console.log(`${r.written} images → ${String(a.out)} (${kind}, severity ${severity}, seed ${seed}: ${JSON.stringify(r.parameters[0] ?? {})})`);
  if (r.asPng.length) console.log(`${r.asPng.length} written as PNG bytes under their names (format not writable): ${r.asPng.slice(0, 3).join(", ")}${r.asPng.length > 3 ? ", …" : ""}`);
  if (r.failed.length) {
    console.error(`${r.failed.length} file(s) skipped: ${r.failed.slice(0, 3).map((f) => f.file).join(", ")}${r.failed.length > 3 ? ", …" : ""} (all in perturb.json)`);
    return 1;
  }
});
