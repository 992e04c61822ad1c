/**
 * Plotly figures that render offline: in the notebook the first figure of a kernel embeds
 * plotly.js inline (so executed notebooks and their HTML reports need no CDN); outside a
 * notebook figures are written as standalone HTML files next to a local plotly.min.js.
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

let figureCounter = 0;
let bundleEmbedded = false;

/** Deterministic ids (same notebook run → same HTML), unique within a kernel. */
function nextId(): string {
  figureCounter += 1;
  return `steel-fig-${figureCounter}`;
}

/** JSON safe to put inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c");
}

/** The div + script that draws a figure; assumes window.Plotly is (or will be) loaded before it runs. */
export function figureHtml(fig: Figure, opts: { height?: number; id?: string } = {}): string {
  const id = opts.id ?? nextId();
  const layout = { height: opts.height ?? 420, margin: { t: 48, l: 56, r: 24, b: 48 }, ...(fig.layout ?? {}) };
  const config = { responsive: true, displaylogo: false, ...(fig.config ?? {}) };
  return (
    `<div id="${escapeHtml(id)}" class="steel-plot" style="width:100%;min-height:${layout.height}px"></div>\n` +
    `<script>(function(){var el=document.getElementById(${scriptJson(id)});` +
    `if(!window.Plotly){el.textContent="plotly.js is not loaded: re-run the notebook from the top";return;}` +
    `window.Plotly.newPlot(el,${scriptJson(fig.data)},${scriptJson(layout)},${scriptJson(config)});})();</script>`
  );
}

/** Shows a figure in tslab, or writes it to `fallbackFile` (standalone HTML) outside a notebook. */
export function showFigure(fig: Figure, opts: { height?: number; fallbackFile?: string } = {}): void {
  const tslab = tslabDisplay();
  if (tslab) {
    let html = "";
    if (!bundleEmbedded) {
      // First figure of this kernel: embed plotly.js once; later figures reuse window.Plotly.
      html += `<script>${plotlyBundle()}</script>\n`;
      bundleEmbedded = true;
    }
    tslab.display.html(html + figureHtml(fig, opts));
    return;
  }
  if (opts.fallbackFile) writeStandaloneFigure(opts.fallbackFile, fig, opts);
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
