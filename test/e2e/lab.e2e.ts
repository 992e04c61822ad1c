/**
 * End-to-end check of `make lab` as a researcher uses it: the classic Notebook server started by
 * environment/lab.sh (free port, a token, isolated Jupyter config/data dirs), driven by headless
 * Debian Chromium through playwright-core, notebook 03 on the smoke profile:
 *   1. Run All (menu): the kernel shows busy while training runs; no error output; every figure
 *      output holds a plotly SVG; the progress bars end on their final state (one for the fit,
 *      "epoch 2/2", one for the evaluation);
 *   2. close the tab, reopen, Run All again on the same live kernel: figures render;
 *   3. save (Ctrl+S), close, reopen WITHOUT running: the saved (trusted) figures render;
 *   4. a scratch cell with a long fit, Kernel → Interrupt: the cell ends with "interrupted at
 *      epoch e, batch b", the next cell runs on the same state and resumes from last/ at epoch e;
 *   5. scratch cells deleted, Ctrl+S: the file on disk has outputs, git (clean filter) sees none.
 * Screenshots go to outputs/lab-e2e/. The notebook file is restored byte for byte afterwards.
 * Waits are on page state (selectors, Jupyter's JS state), never fixed sleeps.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { chromium, Browser, Page } from "playwright-core";
import { projectPaths } from "../../src/lib/config/paths";
import { checkChromium } from "../../src/lib/runtime/tools";

const root = projectPaths().root;
const NOTEBOOK = "notebooks/03_simplecnn_baseline.ipynb";
const outDir = path.join(root, "outputs", "lab-e2e");
const chrome = checkChromium();
const hasNotebook = spawnSync("/usr/bin/python3", ["-c", "import notebook"]).status === 0;
const skip = (!chrome.ok && "chromium not installed") || (!hasNotebook && "the classic Notebook (apt jupyter-notebook) is not installed") || false;

const RUN_ALL_MS = 240_000; // one Run All of notebook 03 on the smoke profile, generous for a loaded CI machine

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => ok(port));
    });
  });
}

async function waitForServer(base: string, token: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`lab.sh exited with ${server.exitCode}:\n${log()}`);
    try {
      const r = await fetch(`${base}/api/status?token=${token}`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250)); // polling interval, not a wait for a state
  }
  throw new Error(`the Notebook server did not answer within 60 s:\n${log()}`);
}

/** Opens the notebook and waits until its kernel is connected (a new or the running session's). */
async function openNotebook(browser: Browser, base: string, token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on("dialog", (d) => void d.accept()); // "leave page?" prompts
  await page.goto(`${base}/notebooks/${NOTEBOOK}?token=${token}`);
  await page.waitForFunction(
    () => {
      const J = (window as any).Jupyter;
      // tslab's kernel_info_reply has no status field: connected + the idle indicator is "ready".
      return Boolean(J?.notebook?._fully_loaded && J.notebook.kernel?.is_connected() && document.querySelector("#kernel_indicator_icon.kernel_idle_icon"));
    },
    undefined,
    { timeout: 180_000, polling: 500 },
  );
  return page;
}

async function menu(page: Page, menuId: string, itemId: string): Promise<void> {
  await page.click(`#${menuId}`);
  await page.click(`#${itemId} > a`);
}

/** Every code cell has a number (ran) and the kernel is idle. */
async function waitAllRan(page: Page, timeout = RUN_ALL_MS): Promise<void> {
  await page.waitForFunction(
    () => {
      const J = (window as any).Jupyter;
      const code = J.notebook.get_cells().filter((c: any) => c.cell_type === "code");
      return code.every((c: any) => typeof c.input_prompt_number === "number") && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
    },
    undefined,
    { timeout, polling: 500 },
  );
}

async function runAll(page: Page): Promise<{ busyDuringTraining: boolean }> {
  await page.evaluate(() => (window as any).Jupyter.notebook.clear_all_output());
  await menu(page, "celllink", "run_all_cells");
  // While the training cell runs (its progress bar is on screen), the kernel must show busy.
  const training = await page.waitForFunction(
    () => {
      const J = (window as any).Jupyter;
      const cell = J.notebook.get_cells().find((c: any) => c.get_text().includes("runClassification"));
      if (!cell || cell.input_prompt_number !== "*") return false;
      if (!cell.output_area.element[0].querySelector("progress")) return false;
      return { busy: document.querySelector("#kernel_indicator_icon.kernel_busy_icon") !== null };
    },
    undefined,
    { timeout: RUN_ALL_MS, polling: 200 },
  );
  const { busy } = (await training.jsonValue()) as { busy: boolean };
  await waitAllRan(page);
  return { busyDuringTraining: busy };
}

interface Outputs {
  errors: string[];
  figures: { id: string; svg: boolean; text: string }[];
  bars: { label: string; value: number }[];
  trainingBars: number;
}

async function outputs(page: Page): Promise<Outputs> {
  return page.evaluate(() => {
    const J = (window as any).Jupyter;
    const errors = Array.from(document.querySelectorAll(".output_error, .output_stderr")).map((e) => (e.textContent ?? "").slice(0, 400));
    const figures = Array.from(document.querySelectorAll(".steel-plot")).map((e) => ({ id: e.id, svg: e.querySelector("svg.main-svg") !== null, text: (e.textContent ?? "").slice(0, 200) }));
    const bars = Array.from(document.querySelectorAll(".output_area progress")).map((p) => ({
      label: ((p.parentElement?.textContent ?? "") as string).replace(/\s+/g, " ").trim(),
      value: Number((p as HTMLProgressElement).value),
    }));
    const cell = J.notebook.get_cells().find((c: any) => c.get_text().includes("runClassification"));
    const trainingBars = cell ? cell.output_area.element[0].querySelectorAll("progress").length : -1;
    return { errors, figures, bars, trainingBars };
  });
}

/** Figures: the count we expect, each drawn (waits for the on-demand plotly load). */
async function waitFigures(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const figs = Array.from(document.querySelectorAll(".steel-plot"));
      return figs.length >= n && figs.every((f) => f.querySelector("svg.main-svg") || /could not be loaded/.test(f.textContent ?? ""));
    },
    count,
    { timeout: 60_000 },
  );
}

/** `trained`: the run trained (first Run All); a second Run All on the same kernel may resume the finished run and only evaluate. */
function assertRun(o: Outputs, what: string, trained = true): void {
  assert.deepEqual(o.errors, [], `${what}: error output`);
  assert.ok(o.figures.length >= 5, `${what}: only ${o.figures.length} figures`);
  assert.deepEqual(o.figures.filter((f) => !f.svg), [], `${what}: figures without a plotly SVG`);
  // The training cell: one bar for the fit (relabelled per epoch), one for the evaluation.
  if (trained) assert.equal(o.trainingBars, 2, `${what}: training cell shows ${o.trainingBars} progress bars`);
  else assert.ok(o.trainingBars >= 1 && o.trainingBars <= 2, `${what}: training cell shows ${o.trainingBars} progress bars`);
  assert.deepEqual(o.bars.filter((b) => b.value !== 100), [], `${what}: progress bars not at their final state`);
  if (trained) assert.ok(o.bars.some((b) => /epoch 2\/2 .*\b(\d+)\/\1\b/.test(b.label)), `${what}: no fit bar ending on epoch 2/2: ${JSON.stringify(o.bars)}`);
}

/** Appends a code cell and runs it. */
async function runScratch(page: Page, src: string): Promise<void> {
  await page.evaluate((text) => {
    const cell = (window as any).Jupyter.notebook.insert_cell_at_bottom("code");
    cell.set_text(text);
    cell.execute();
  }, src);
}

/** The last cell has its number (ran or was interrupted) and the kernel is idle. */
async function waitLastCellRan(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const cells = (window as any).Jupyter.notebook.get_cells();
      const c = cells[cells.length - 1];
      return typeof c.input_prompt_number === "number" && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
    },
    undefined,
    { timeout: 60_000, polling: 200 },
  );
}

async function lastCellText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const cells = (window as any).Jupyter.notebook.get_cells();
    return (cells[cells.length - 1].output_area.element[0].textContent ?? "") as string;
  });
}

async function save(page: Page): Promise<void> {
  await page.evaluate(() => (window as any).Jupyter.notebook.command_mode());
  await page.evaluate(() => ((window as any).Jupyter.notebook.set_dirty(true)));
  await page.keyboard.press("Control+s");
  await page.waitForFunction(() => (window as any).Jupyter.notebook.dirty === false, undefined, { timeout: 30_000 });
}

async function lastCellShot(page: Page, name: string): Promise<void> {
  const cell = page.locator("#notebook-container .cell").last();
  await cell.scrollIntoViewIfNeeded();
  await cell.screenshot({ path: path.join(outDir, `${name}.png`) });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
}

test("make lab: notebook 03 in the classic Notebook — Run All, reopen, saved figures, Interrupt + resume, clean git", { skip, timeout: 15 * 60_000 }, async () => {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const nbFile = path.join(root, NOTEBOOK);
  const original = fs.readFileSync(nbFile);
  const jupyterHome = fs.mkdtempSync(path.join(os.tmpdir(), "steel-lab-e2e-"));
  const port = await freePort();
  const token = `e2e${Date.now().toString(16)}`;
  const base = `http://127.0.0.1:${port}`;
  let serverLog = "";
  const server = spawn("bash", [path.join(root, "environment", "lab.sh"), "--server", "notebook", "--port", String(port), "--token", token, "--no-config"], {
    cwd: root,
    detached: true, // its own process group: the kernel dies with the server
    env: {
      ...process.env,
      STEEL_PROFILE: "smoke",
      SEED: "42",
      STEEL_OUTPUTS: path.relative(root, path.join(outDir, "run")),
      // Isolated Jupyter state: no user config, trust database or runtime files touched.
      JUPYTER_CONFIG_DIR: path.join(jupyterHome, "config"),
      JUPYTER_DATA_DIR: path.join(jupyterHome, "data"),
      JUPYTER_RUNTIME_DIR: path.join(jupyterHome, "runtime"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (d) => (serverLog += d));
  server.stderr?.on("data", (d) => (serverLog += d));
  // The front end's autosave would race our saves: custom.js (served from the config dir) turns it off.
  fs.mkdirSync(path.join(jupyterHome, "config", "custom"), { recursive: true });
  fs.writeFileSync(path.join(jupyterHome, "config", "custom", "custom.js"), "require(['base/js/namespace','base/js/events'],function(J,e){e.on('notebook_loaded.Notebook',function(){J.notebook.set_autosave_interval(0);});});\n");
  const browser = await chromium.launch({ executablePath: chrome.path as string, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  try {
    await waitForServer(base, token, server, () => serverLog);
    assert.match(serverLog, new RegExp(`lab: open  http://127.0.0.1:${port}/tree\\?token=${token}`), "lab.sh prints the URL with its token");

    // 1. Run All.
    let page = await openNotebook(browser, base, token);
    const first = await runAll(page);
    assert.ok(first.busyDuringTraining, "the kernel showed idle while the training cell ran");
    await waitFigures(page, 5); // plotly.js (5 MB) loads on demand: wait for the draw, not a fixed time
    let o = await outputs(page);
    await shot(page, "1-run-all");
    assertRun(o, "first Run All");
    const figureCount = o.figures.length;

    // 2. Close the tab, reopen (same kernel), Run All again.
    await page.close();
    page = await openNotebook(browser, base, token);
    await runAll(page);
    await waitFigures(page, figureCount);
    o = await outputs(page);
    await shot(page, "2-reopen-run-all");
    assertRun(o, "Run All after reopening", false);

    // 3. Save, close, reopen without running: the saved figures render.
    await save(page);
    const saved = JSON.parse(fs.readFileSync(nbFile, "utf8")) as { cells: { outputs?: unknown[] }[] };
    assert.ok(saved.cells.some((c) => (c.outputs ?? []).length > 0), "Ctrl+S wrote no outputs to the working copy");
    assert.ok(fs.statSync(nbFile).size < 2_000_000, `saved notebook is ${fs.statSync(nbFile).size} bytes: plotly inlined in outputs?`);
    await page.close();
    page = await openNotebook(browser, base, token);
    await waitFigures(page, figureCount);
    o = await outputs(page);
    await shot(page, "3-reopen-saved");
    assert.equal(o.figures.length, figureCount);
    assert.deepEqual(o.figures.filter((f) => !f.svg), [], "saved figures not drawn after reopening without running");

    // 4. A longer fit in a scratch cell (in-memory data, last/ checkpoint each epoch), Kernel →
    // Interrupt once an epoch has completed: the cell ends with where it stopped; the next cell
    // runs on the same kernel state and resumes from last/ at the interrupted epoch.
    // Data and model in their own cell: tslab keeps no declarations of a cell that threw, and the
    // interrupted cell throws; a researcher's model lives in an earlier cell the same way.
    const setup = [
      'import * as tf from "@tensorflow/tfjs";',
      'import * as path from "path";',
      'const e2eDir = path.join(ws.paths.models, "e2e-interrupt");',
      "const e2eX = tf.randomUniform([64, 4, 4, 1], 0, 1, \"float32\", 7) as tf.Tensor4D;",
      "const e2eY = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 3), \"int32\"), 3).toFloat();",
      "const e2eModel = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 3, activation: \"softmax\" })] });",
      "const e2eOptions = { epochs: 100000, batchSize: 8, seed: 1, label: \"interrupt check\" };",
      "e2eModel.countParams()",
    ].join("\n");
    await runScratch(page, setup);
    await waitLastCellRan(page);
    assert.match(await lastCellText(page), /^\s*51\s*$/, "the scratch set-up cell");
    await runScratch(page, "await lab.train.fit(e2eModel, { train: { x: e2eX, y: e2eY } }, { ...e2eOptions, callbacks: [lab.train.lastCheckpoint({ dir: e2eDir })] });");
    // An epoch label ≥ 2 means epoch 1 ended and last/ was written; an error in the cell fails at once.
    const started = await page.waitForFunction(
      () => {
        const cells = (window as any).Jupyter.notebook.get_cells();
        const el = cells[cells.length - 1].output_area.element[0] as HTMLElement;
        if (el.querySelector(".output_error, .output_stderr")) return { error: (el.textContent ?? "").slice(0, 600) };
        return /interrupt check epoch ([2-9]|\d{2,})\/100000/.test(el.textContent ?? "") ? { error: "" } : false;
      },
      undefined,
      { timeout: 90_000, polling: 200 },
    );
    assert.equal(((await started.jsonValue()) as { error: string }).error, "", "the scratch fit cell failed");
    await menu(page, "kernellink", "int_kernel");
    await waitLastCellRan(page);
    const interrupted = await lastCellText(page);
    await shot(page, "4-interrupted");
    await lastCellShot(page, "4-interrupted-cell"); // the page shot shows the top only: the notebook scrolls inside #site
    const where = /interrupted at epoch (\d+), batch (\d+)/.exec(interrupted);
    assert.ok(where, `the interrupted cell does not say where it stopped: ${interrupted.slice(0, 600)}`);
    // The kernel is alive with its state; last/ is valid: a fit resumes from it at the interrupted epoch.
    await runScratch(
      page,
      [
        "const e2eResumed = await lab.train.fit(e2eModel, { train: { x: e2eX, y: e2eY } }, { ...e2eOptions, label: \"resume check\", resumeFrom: path.join(e2eDir, \"last\"), callbacks: [lab.train.listenerCallback(() => \"stop\")] });",
        "`resumed at epoch ${(e2eResumed.resumedAfterEpoch ?? -2) + 2}, ran ${e2eResumed.epochsRun}, params ${e2eModel.countParams()}`",
      ].join("\n"),
    );
    await waitLastCellRan(page);
    const resumed = await lastCellText(page);
    await lastCellShot(page, "4-resumed-cell");
    assert.match(resumed, new RegExp(`resumed at epoch ${where[1]}, ran 1, params 51`), `resume after the Interrupt: ${resumed.slice(0, 600)}`);

    // 5. Scratch cells gone, save: git sees the committed notebook (outputs stripped by the filter).
    await page.evaluate(() => {
      const nb = (window as any).Jupyter.notebook;
      const n = nb.ncells();
      nb.delete_cells([n - 1, n - 2, n - 3]);
    });
    await save(page);
    await shot(page, "5-saved");
    assert.ok(fs.readFileSync(nbFile, "utf8").includes('"outputs": [\n'), "saved file has outputs");
    const diff = spawnSync("git", ["-c", "filter.steel-nbstrip.clean=/usr/bin/python3 environment/nbstrip.py", "-c", "filter.steel-nbstrip.smudge=cat", "diff", "--quiet", "--", NOTEBOOK], { cwd: root });
    assert.equal(diff.status, 0, `git sees ${NOTEBOOK} changed after a save:\n${spawnSync("git", ["diff", "--stat", "--", NOTEBOOK], { cwd: root, encoding: "utf8" }).stdout}`);
    await page.close();
  } finally {
    await browser.close();
    try {
      process.kill(-(server.pid as number), "SIGTERM");
    } catch {
      // already gone
    }
    fs.writeFileSync(nbFile, original);
    fs.rmSync(jupyterHome, { recursive: true, force: true });
    fs.writeFileSync(path.join(outDir, "server.log"), serverLog);
  }
});
