/**
 * Plotly figures that render offline and on their own, wherever the output is shown.
 *
 * A figure output is a div plus a small loader script; it never depends on an earlier output
 * (the old "plotly.js injected once per kernel" broke after a reopen, a Run All in a fresh tab,
 * or a cleared first output). The loader draws with window.Plotly when the page has it (the HTML
 * reports: one inline copy in each report's <head>, embedPlotlyInReport), and otherwise fetches
 * plotly.min.js from the notebook server itself, never a CDN:
 *   1. <base>/nbextensions/steel-plotly/plotly.min.js — the classic Notebook serves every
 *      nbextensions/ folder on JUPYTER_PATH, and `make lab` puts environment/jupyter on it;
 *   2. <base>/files/<repo>/environment/jupyter/nbextensions/steel-plotly/plotly.min.js — the
 *      contents "files" route of the classic Notebook and JupyterLab (server root = the repo for
 *      `make lab`; a classic Notebook rooted higher up is found from the notebook's path).
 * The kernel writes that file (gitignored) before its first figure. Chosen over a widget or comm
 * because a plain trusted text/html output needs no extension in either front end, and over
 * inlining plotly (5 MB) in every output, which made saved notebooks huge.
 * Outside a notebook figures are standalone HTML files next to a local plotly.min.js.
 */
import * as fs from "fs";
import * as path from "path";
import { escapeHtml } from "./html";
import { tslabDisplay } from "../util/notebook";
import { writeFileAtomic } from "../util/atomic-write";
import { projectPaths } from "../config/paths";

import type { Figure } from "./figure";
export type { Figure } from "./figure";

/**
 * plotly.js-dist ships only the 11 MB unminified bundle; we minify it once with esbuild (already
 * installed with tsx) into outputs/cache, so every report embeds ~5 MB instead of 11.
 */
export function plotlyBundlePath(): string {
  const full = require.resolve("plotly.js-dist/plotly.js");
  const version = (JSON.parse(fs.readFileSync(path.join(path.dirname(full), "package.json"), "utf8")) as { version: string }).version;
  const cached = path.join(projectPaths().cache, `plotly-${version}.min.js`);
  if (fs.existsSync(cached)) return cached;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const esbuild = require("esbuild") as { transformSync(code: string, o: { minify: boolean }): { code: string } };
    writeFileAtomic(cached, esbuild.transformSync(fs.readFileSync(full, "utf8"), { minify: true }).code);
    return cached;
  } catch {
    return full; // no esbuild: the unminified bundle works the same, only larger
  }
}

function plotlyBundle(): string {
  return fs.readFileSync(plotlyBundlePath(), "utf8");
}

/** Where the notebook server finds plotly.min.js, relative to the repository root (see the opening comment). */
export const SERVED_PLOTLY = "environment/jupyter/nbextensions/steel-plotly/plotly.min.js";

/** Writes the served copy when it is missing or not this plotly version; returns its path. */
export function ensureServedPlotly(root: string = projectPaths().root): string {
  const dest = path.join(root, SERVED_PLOTLY);
  const src = plotlyBundlePath();
  const same = fs.existsSync(dest) && fs.statSync(dest).size === fs.statSync(src).size;
  if (!same) writeFileAtomic(dest, fs.readFileSync(src));
  return dest;
}

let figureCounter = 0;
let servedChecked = false;

/** Deterministic ids (same notebook run → same HTML), unique within a kernel. */
function nextId(): string {
  figureCounter += 1;
  return `steel-fig-${figureCounter}`;
}

/** JSON safe to put inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c");
}

/**
 * Browser side, ES5 (it runs in old and new front ends): one shared load per page
 * (window.__steelPlotly), candidates tried in order, a failure shown in the figure and retried
 * by the next figure. Base URL: classic Notebook <body data-base-url>, JupyterLab's page config.
 */
const LOADER =
  `function steelPlotly(){var w=window;if(w.Plotly)return Promise.resolve(w.Plotly);if(w.__steelPlotly)return w.__steelPlotly;` +
  `var b=document.body,base=(b&&b.getAttribute("data-base-url"))||"/",c=document.getElementById("jupyter-config-data");` +
  `if(c){try{base=JSON.parse(c.textContent).baseUrl||base}catch(e){}}if(base.charAt(base.length-1)!=="/")base+="/";` +
  `var m=/^(.*?)notebooks\\/[^\\/]*$/.exec((b&&b.getAttribute("data-notebook-path"))||""),pre=m?m[1]:"";` +
  `var urls=[base+"nbextensions/steel-plotly/plotly.min.js",base+"files/"+pre+${scriptJson(SERVED_PLOTLY)}];` +
  `w.__steelPlotly=new Promise(function(ok,fail){(function next(i){if(i>=urls.length){w.__steelPlotly=undefined;fail(urls.join(", "));return;}` +
  `var s=document.createElement("script");s.src=urls[i];s.onload=function(){w.Plotly?ok(w.Plotly):next(i+1)};` +
  `s.onerror=function(){s.parentNode.removeChild(s);next(i+1)};document.head.appendChild(s)})(0)});return w.__steelPlotly}`;

/** The div + script that draws a figure, loading plotly.js first when the page has none. */
export function figureHtml(fig: Figure, opts: { height?: number; id?: string } = {}): string {
  const id = opts.id ?? nextId();
  const layout = { height: opts.height ?? 420, margin: { t: 48, l: 56, r: 24, b: 48 }, ...(fig.layout ?? {}) };
  const config = { responsive: true, displaylogo: false, ...(fig.config ?? {}) };
  // currentScript's sibling first: in JupyterLab two notebooks' outputs share one document (and ids).
  return (
    `<div id="${escapeHtml(id)}" class="steel-plot" style="width:100%;min-height:${layout.height}px"></div>\n` +
    `<script>(function(){var s=document.currentScript,p=s&&s.previousElementSibling,id=${scriptJson(id)};` +
    `var el=p&&p.id===id?p:document.getElementById(id);${LOADER}` +
    `steelPlotly().then(function(P){P.newPlot(el,${scriptJson(fig.data)},${scriptJson(layout)},${scriptJson(config)})},` +
    `function(tried){el.textContent="plotly.js could not be loaded from the notebook server (tried "+tried+"); start the server with 'make lab'."})})();</script>`
  );
}

/** Shows a figure in tslab, or writes it to `fallbackFile` (standalone HTML) outside a notebook. */
export function showFigure(fig: Figure, opts: { height?: number; fallbackFile?: string } = {}): void {
  const tslab = tslabDisplay();
  if (tslab) {
    if (!servedChecked) {
      servedChecked = true;
      ensureServedPlotly();
    }
    tslab.display.html(figureHtml(fig, opts));
    return;
  }
  if (opts.fallbackFile) writeStandaloneFigure(opts.fallbackFile, fig, opts);
}

/**
 * One inline plotly.js in the <head> of an exported notebook (nbconvert HTML) that has figures,
 * so the report opens offline from anywhere as a single file. Idempotent.
 */
export function embedPlotlyInReport(file: string): boolean {
  const html = fs.readFileSync(file, "utf8");
  if (!html.includes('class="steel-plot"') || html.includes('id="steel-plotly-bundle"')) return false;
  const at = html.indexOf("</head>");
  if (at < 0) throw new Error(`${file}: no </head> to embed plotly.js in`);
  const script = `<script id="steel-plotly-bundle">${plotlyBundle().replace(/<\/script/gi, "<\\/script")}</script>\n`;
  writeFileAtomic(file, html.slice(0, at) + script + html.slice(at));
  return true;
}

/** A standalone HTML page with the figure and a relative link to a copied plotly.min.js. */
export function writeStandaloneFigure(file: string, fig: Figure, opts: { height?: number; title?: string } = {}): void {
  const dir = path.dirname(file);
  ensurePlotlyCopy(dir);
  const title = escapeHtml(opts.title ?? path.basename(file, ".html"));
  writeFileAtomic(
    file,
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>` +
      `<script src="plotly.min.js"></script></head><body>\n${figureHtml(fig, { ...opts, id: "fig" })}\n</body></html>\n`,
  );
}

/** Copies plotly.min.js into `dir` (once) so pages there can load it offline. */
export function ensurePlotlyCopy(dir: string): string {
  const dest = path.join(dir, "plotly.min.js");
  if (!fs.existsSync(dest)) writeFileAtomic(dest, fs.readFileSync(plotlyBundlePath()));
  return dest;
}
