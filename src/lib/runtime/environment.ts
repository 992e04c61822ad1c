/**
 * The environment report: what `make doctor` prints and notebook 00 shows — backend chosen and
 * why, versions, tools, seed and profile, and each missing piece with the command that fixes it.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ProjectPaths } from "../config/paths";
import { RunConfig } from "../config/run-config";
import { BackendChoice, backendLabel } from "./backend";
import { checkChromium, checkJupyter, checkKernel, checkTorchPeer, packageVersion, ToolStatus } from "./tools";

export interface EnvironmentReport {
  node: string;
  platform: string;
  cpus: number;
  memoryGiB: number;
  versions: Record<string, string | undefined>;
  backend?: BackendChoice;
  config: RunConfig;
  tools: ToolStatus[];
}

export function environmentReport(config: RunConfig, paths: ProjectPaths, backend?: BackendChoice): EnvironmentReport {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const os = require("os") as typeof import("os");
  const versions: Record<string, string | undefined> = {
    "@tensorflow/tfjs": tf.version.tfjs,
    "@tensorflow/tfjs-backend-wasm": packageVersion("@tensorflow/tfjs-backend-wasm"),
    tslab: packageVersion("tslab"),
    "danfojs-node": packageVersion("danfojs-node"),
    "plotly.js-dist": packageVersion("plotly.js-dist"),
    sharp: packageVersion("sharp"),
    seedrandom: packageVersion("seedrandom"),
    h5wasm: packageVersion("h5wasm"),
  };
  const jupyterPath = path.join(paths.root, "environment", "jupyter");
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    versions,
    backend,
    config,
    tools: [
      checkJupyter(),
      checkKernel(jupyterPath),
      { name: "node_modules", ok: fs.existsSync(path.join(paths.root, "node_modules", "tslab")), fix: "npm ci" },
      checkChromium(),
      checkTorchPeer(),
    ],
  };
}

/** Tools `make reproduce` cannot run without (Chromium and PyTorch are only for tests/benchmarks). */
export const REQUIRED_TOOLS = ["jupyter nbconvert", "steel-tslab kernel", "node_modules"];

export function formatEnvironmentReport(r: EnvironmentReport): string {
  const lines = [
    `node ${r.node} on ${r.platform}, ${r.cpus} cores, ${r.memoryGiB} GiB`,
    `seed ${r.config.seed}, profile ${r.config.profile}${r.config.backend ? `, STEEL_BACKEND=${r.config.backend}` : ""}`,
    "packages:",
    ...Object.entries(r.versions).map(([k, v]) => `  ${k} ${v ?? "MISSING"}`),
  ];
  if (r.backend) {
    lines.push(`backend: ${backendLabel(r.backend)}${r.backend.forced ? " (forced)" : ""}`);
    for (const a of r.backend.attempts) lines.push(`  ${a.ok ? "✔" : "✘"} ${a.backend}: ${a.reason}`);
    for (const [k, v] of Object.entries(r.backend.details)) lines.push(`  ${k}: ${JSON.stringify(v)}`);
  }
  lines.push("tools:");
  for (const t of r.tools) {
    const req = REQUIRED_TOOLS.includes(t.name) ? "" : " (optional)";
    lines.push(`  ${t.ok ? "✔" : "✘"} ${t.name}${req}${t.version ? ` ${t.version}` : ""}${t.path ? ` — ${t.path}` : ""}`);
    if (!t.ok && t.fix) lines.push(`      fix: ${t.fix}`);
  }
  return lines.join("\n");
}
