/**
 * Headless execution of the numbered notebooks (nbconvert/nbclient from Debian) in order,
 * stopping at the first failing cell with the cell and its error shown, then HTML reports.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ProjectPaths } from "../lib/config/paths";
import { checkJupyter, checkKernel, jupyterCommand } from "../lib/runtime/tools";
import { formatDuration } from "../lib/util/progress";
import { embedPlotlyInReport } from "../lib/report/plotly";

export const KERNEL_NAME = "steel-tslab";

export function jupyterPathFor(paths: ProjectPaths): string {
  return path.join(paths.root, "environment", "jupyter");
}

/** notebooks/NN_name.ipynb, sorted by number; `only` keeps names starting with one of the prefixes. */
export function listNotebooks(paths: ProjectPaths, only: string[] = []): string[] {
  if (!fs.existsSync(paths.notebooks)) return [];
  return fs
    .readdirSync(paths.notebooks)
    .filter((f) => /^\d{2}_.+\.ipynb$/.test(f))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort()
    .map((f) => path.join(paths.notebooks, f));
}

export interface NotebookRun {
  notebook: string;
  ok: boolean;
  seconds: number;
  executed?: string;
  report?: string;
  /** The failing cell and its error, as nbconvert printed them. */
  error?: string;
}

export interface RunOptions {
  paths: ProjectPaths;
  env?: NodeJS.ProcessEnv;
  only?: string[];
  /** Per-cell timeout in seconds. */
  cellTimeout?: number;
  html?: boolean;
  log?: (line: string) => void;
}

export class NotebookSetupError extends Error {}

/** Fails early, naming the fix, when Jupyter or the kernel is missing. */
export function checkNotebookTooling(paths: ProjectPaths, env: NodeJS.ProcessEnv = process.env): void {
  const jupyter = checkJupyter(env);
  if (!jupyter.ok) throw new NotebookSetupError(`Jupyter's nbconvert is not installed. Fix: ${jupyter.fix}`);
  const kernel = checkKernel(jupyterPathFor(paths), env);
  if (!kernel.ok) throw new NotebookSetupError(`kernel ${KERNEL_NAME} not found. Fix: ${kernel.fix}`);
  if (!fs.existsSync(path.join(paths.root, "node_modules", "tslab"))) {
    throw new NotebookSetupError("tslab is not installed in node_modules. Fix: npm ci");
  }
}

/** The failing cell and its output as execute_notebook.py reports them (python's warnings dropped). */
export function extractCellError(output: string): string {
  const i = output.indexOf("CELL FAILED");
  const text = i >= 0 ? output.slice(i) : output.split("\n").slice(-40).join("\n");
  return text.trim();
}

/** The python that owns a jupyter launcher (its shebang), so nbclient comes from the same install. */
export function pythonFor(jupyter: string): string {
  try {
    const first = fs.readFileSync(jupyter, "utf8").split("\n")[0];
    if (first.startsWith("#!")) return first.slice(2).trim().split(/\s+/)[0];
  } catch {
    // not a file path: fall through
  }
  return "python3";
}

export function runNotebooks(opts: RunOptions): NotebookRun[] {
  const { paths } = opts;
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), JUPYTER_PATH: jupyterPathFor(paths) };
  const log = opts.log ?? ((l: string) => console.log(l));
  checkNotebookTooling(paths, env);
  const notebooks = listNotebooks(paths, opts.only);
  if (notebooks.length === 0) throw new NotebookSetupError(`no notebooks match ${opts.only?.join(",") ?? "NN_*.ipynb"} in ${paths.notebooks}`);
  fs.mkdirSync(paths.executed, { recursive: true });
  fs.mkdirSync(paths.reports, { recursive: true });
  const jupyter = jupyterCommand(env);
  const runs: NotebookRun[] = [];
  for (let i = 0; i < notebooks.length; i++) {
    const nb = notebooks[i];
    const name = path.basename(nb, ".ipynb");
    log(`[${i + 1}/${notebooks.length}] ${name}: executing (profile ${env.STEEL_PROFILE ?? "quick"}, seed ${env.SEED ?? 42})`);
    const t0 = Date.now();
    const executed = path.join(paths.executed, `${name}.ipynb`);
    const exec = spawnSync(
      pythonFor(jupyter),
      [
        path.join(paths.root, "environment", "execute_notebook.py"), nb, executed,
        "--kernel", KERNEL_NAME, "--timeout", String(opts.cellTimeout ?? 3600),
      ],
      { encoding: "utf8", env, cwd: paths.root, maxBuffer: 256 * 1024 * 1024 },
    );
    const seconds = (Date.now() - t0) / 1000;
    if (exec.status !== 0) {
      const error = extractCellError(exec.stderr ?? "");
      log(`[${i + 1}/${notebooks.length}] ${name}: FAILED after ${formatDuration(seconds * 1000)} (partly executed notebook: ${executed})\n${error}`);
      runs.push({ notebook: name, ok: false, seconds, error, executed: fs.existsSync(executed) ? executed : undefined });
      break; // later notebooks may depend on this one's outputs
    }
    const run: NotebookRun = { notebook: name, ok: true, seconds, executed };
    if (opts.html !== false) {
      const html = spawnSync(
        jupyter,
        ["nbconvert", "--to", "html", "--template", "steel-offline", "--output-dir", paths.reports, executed],
        { encoding: "utf8", env, cwd: paths.root, maxBuffer: 64 * 1024 * 1024 },
      );
      if (html.status !== 0) throw new Error(`HTML export of ${executed} failed:\n${html.stderr}`);
      run.report = path.join(paths.reports, `${name}.html`);
      embedPlotlyInReport(run.report); // figure outputs load plotly on demand; the report carries one copy
    }
    log(`[${i + 1}/${notebooks.length}] ${name}: ok in ${formatDuration(seconds * 1000)}`);
    runs.push(run);
  }
  return runs;
}
