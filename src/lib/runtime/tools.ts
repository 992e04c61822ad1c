/**
 * External tools the workspace drives (Jupyter's nbconvert, Chromium, Debian's PyTorch peer):
 * where they are and their versions, found without throwing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";

export interface ToolStatus {
  name: string;
  ok: boolean;
  path?: string;
  version?: string;
  /** How to get it when missing. */
  fix?: string;
}

/** Runs a command; `out` is stdout only (Debian's python prints debugger warnings on stderr). */
function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: env ?? process.env, timeout: 30000 });
  return { ok: r.status === 0, out: (r.stdout ?? "").trim() };
}

function firstExisting(paths: string[]): string | undefined {
  return paths.find((p) => fs.existsSync(p));
}

/** Jupyter comes from Debian (/usr/bin/jupyter, system python), not a pyenv/venv python. */
export function jupyterCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.JUPYTER ?? firstExisting(["/usr/bin/jupyter"]) ?? "jupyter";
}

export function checkJupyter(env: NodeJS.ProcessEnv = process.env): ToolStatus {
  const cmd = jupyterCommand(env);
  const r = run(cmd, ["nbconvert", "--version"], env);
  const fix = "sudo apt-get install -y jupyter-nbconvert jupyter-client python3-ipykernel   (or: make setup)";
  return r.ok ? { name: "jupyter nbconvert", ok: true, path: cmd, version: r.out.split("\n").pop() } : { name: "jupyter nbconvert", ok: false, fix };
}

/** Kernelspecs visible with the project's JUPYTER_PATH; ours must be among them. */
export function checkKernel(jupyterPath: string, env: NodeJS.ProcessEnv = process.env): ToolStatus {
  const cmd = jupyterCommand(env);
  const r = run(cmd, ["kernelspec", "list", "--json"], { ...env, JUPYTER_PATH: jupyterPath });
  const fix = "the kernelspec ships in environment/jupyter/kernels/steel-tslab; run through 'make' so JUPYTER_PATH points there";
  if (!r.ok) return { name: "steel-tslab kernel", ok: false, fix };
  try {
    const specs = (JSON.parse(r.out) as { kernelspecs: Record<string, { resource_dir: string }> }).kernelspecs;
    const spec = specs["steel-tslab"];
    return spec ? { name: "steel-tslab kernel", ok: true, path: spec.resource_dir } : { name: "steel-tslab kernel", ok: false, fix };
  } catch {
    return { name: "steel-tslab kernel", ok: false, fix };
  }
}

export function checkChromium(env: NodeJS.ProcessEnv = process.env): ToolStatus {
  const bin = env.CHROMIUM ?? firstExisting(["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]);
  const fix = "sudo apt-get install -y chromium   (only needed for the report rendering test)";
  if (!bin) return { name: "chromium", ok: false, fix };
  const r = run(bin, ["--version"], env);
  return r.ok ? { name: "chromium", ok: true, path: bin, version: r.out.split("\n")[0] } : { name: "chromium", ok: false, path: bin, fix };
}

export function checkTorchPeer(): ToolStatus {
  const py = "/usr/bin/python3";
  const fix = "sudo apt-get install -y python3-torch python3-torchvision   (only for 'npm run bench' ratios)";
  if (!fs.existsSync(py)) return { name: "pytorch peer", ok: false, fix };
  const r = run(py, ["-c", "import torch; print(torch.__version__)"]);
  return r.ok ? { name: "pytorch peer", ok: true, path: py, version: r.out } : { name: "pytorch peer", ok: false, fix };
}

/** Version of an installed npm package (read from disk: some packages do not export package.json). */
export function packageVersion(name: string): string | undefined {
  for (const dir of require.resolve.paths(name) ?? []) {
    const file = `${dir}/${name}/package.json`;
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
  }
  return undefined;
}
