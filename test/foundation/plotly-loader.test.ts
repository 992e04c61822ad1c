/**
 * Figure outputs load plotly.js on demand from the notebook server (no earlier output, no CDN):
 * driven in headless Chromium against a stand-in server with the classic Notebook's
 * nbextensions route, the contents "files" route, JupyterLab's page config, and neither.
 * HTML reports carry one inline copy and draw offline from file://.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { chromium, Browser } from "playwright-core";
import { checkChromium } from "../../src/lib/runtime/tools";
import { SERVED_PLOTLY, embedPlotlyInReport, figureHtml, plotlyBundlePath } from "../../src/lib/report/plotly";

const chrome = checkChromium();
const skip = !chrome.ok && "chromium not installed";
const fig = (n: number) => figureHtml({ data: [{ type: "bar", x: ["a", "b"], y: [n, 2] }] }, { id: `f${n}`, height: 200 });
const three = [fig(1), fig(2), fig(3)].join("\n");

let browser: Browser;
let server: http.Server;
let base = "";
const routes = new Map<string, string>(); // url path -> page html or "PLOTLY"
const requests: string[] = [];

before(async () => {
  if (skip) return;
  server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const r = routes.get(req.url ?? "");
    if (r === undefined) return res.writeHead(404).end("not found");
    if (r === "PLOTLY") return res.writeHead(200, { "content-type": "application/javascript" }).end(fs.readFileSync(plotlyBundlePath()));
    res.writeHead(200, { "content-type": "text/html" }).end(r);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chrome.path, args: ["--no-sandbox", "--disable-gpu"] });
});

after(async () => {
  if (skip) return;
  await browser.close();
  server.close();
});

/** Opens `url`, waits for every .steel-plot to hold an SVG or a message; returns what each shows. */
async function open(url: string): Promise<string[]> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(() => Array.from(document.querySelectorAll(".steel-plot")).every((e) => e.querySelector("svg.main-svg") || e.textContent), undefined, { timeout: 30_000 });
    return await page.$$eval(".steel-plot", (els) => els.map((e) => (e.querySelector("svg.main-svg") ? "svg" : e.textContent ?? "")));
  } finally {
    await page.close();
  }
}

const page = (bodyAttrs: string, body: string, head = "") => `<!DOCTYPE html><html><head>${head}</head><body ${bodyAttrs}>${body}</body></html>`;

test("classic Notebook: three figures, one plotly fetch from <base>/nbextensions", { skip }, async () => {
  routes.clear();
  requests.length = 0;
  routes.set("/nb/notebooks/03.ipynb", page('data-base-url="/nb/" data-notebook-path="notebooks/03.ipynb"', three));
  routes.set("/nb/nbextensions/steel-plotly/plotly.min.js", "PLOTLY");
  assert.deepEqual(await open(`${base}/nb/notebooks/03.ipynb`), ["svg", "svg", "svg"]);
  assert.equal(requests.filter((r) => r.endsWith("plotly.min.js")).length, 1);
});

test("no nbextensions route: the files route, with the repo prefix taken from the notebook path", { skip }, async () => {
  routes.clear();
  requests.length = 0;
  routes.set("/notebooks/steel/notebooks/03.ipynb", page('data-base-url="/" data-notebook-path="steel/notebooks/03.ipynb"', three));
  routes.set(`/files/steel/${SERVED_PLOTLY}`, "PLOTLY");
  assert.deepEqual(await open(`${base}/notebooks/steel/notebooks/03.ipynb`), ["svg", "svg", "svg"]);
});

test("JupyterLab: base URL from the page config", { skip }, async () => {
  routes.clear();
  routes.set("/jl/lab", page("", three, `<script id="jupyter-config-data" type="application/json">{"baseUrl": "/jl/"}</script>`));
  routes.set(`/jl/files/${SERVED_PLOTLY}`, "PLOTLY");
  assert.deepEqual(await open(`${base}/jl/lab`), ["svg", "svg", "svg"]);
});

test("nowhere to load from: each figure says so and names the fix", { skip }, async () => {
  routes.clear();
  routes.set("/x", page('data-base-url="/"', three));
  const shown = await open(`${base}/x`);
  assert.equal(shown.length, 3);
  for (const s of shown) assert.match(s, /plotly.js could not be loaded from the notebook server \(tried .*nbextensions\/steel-plotly\/plotly.min.js.*\); start the server with 'make lab'/);
});

test("embedPlotlyInReport: one inline copy, idempotent, draws offline from file://", { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steel-report-"));
  const file = path.join(dir, "r.html");
  fs.writeFileSync(file, page("", three));
  assert.equal(embedPlotlyInReport(file), true);
  assert.equal(embedPlotlyInReport(file), false);
  const html = fs.readFileSync(file, "utf8");
  assert.equal(html.split('id="steel-plotly-bundle"').length, 2, "exactly one bundle");
  assert.deepEqual(await open(`file://${file}`), ["svg", "svg", "svg"]);
  const plain = path.join(dir, "plain.html");
  fs.writeFileSync(plain, page("", "<p>no figures</p>"));
  assert.equal(embedPlotlyInReport(plain), false);
});
