/**
 * Display helpers that do the right thing in tslab (rich HTML/markdown/PNG) and in a terminal
 * (plain text), so the same library call serves notebooks and scripts.
 */
import { Cell, htmlTable, textTable } from "./html";
import { tslabDisplay } from "../util/notebook";

export function showMarkdown(md: string): void {
  const tslab = tslabDisplay();
  if (tslab) tslab.display.markdown(md);
  else console.log(md);
}

export function showHtml(html: string, textFallback?: string): void {
  const tslab = tslabDisplay();
  if (tslab) tslab.display.html(html);
  else if (textFallback !== undefined) console.log(textFallback);
}

/** A table from row objects (or a danfo DataFrame, via its `toJSON`), HTML in notebooks. */
export function showTable(
  rows: Record<string, Cell>[] | { toJSON(): unknown },
  opts: { columns?: string[]; digits?: number; caption?: string } = {},
): void {
  const data = Array.isArray(rows) ? rows : (rows.toJSON() as Record<string, Cell>[]);
  const tslab = tslabDisplay();
  if (tslab) tslab.display.html(htmlTable(data, opts));
  else console.log((opts.caption ? opts.caption + "\n" : "") + textTable(data, opts));
}

export function showPng(png: Uint8Array, caption?: string): void {
  const tslab = tslabDisplay();
  if (tslab) {
    if (caption) tslab.display.markdown(`**${caption}**`);
    tslab.display.png(png);
  } else if (caption) {
    console.log(`[image] ${caption} (${png.length} bytes)`);
  }
}

/** A loud banner, e.g. "these results come from SYNTHETIC data". */
export function showBanner(text: string, kind: "info" | "warning" = "info"): void {
  const color = kind === "warning" ? "#8a4b00;background:#fff3cd;border:1px solid #e0b252" : "#0b4f6c;background:#e8f4fa;border:1px solid #8cc4dd";
  showHtml(`<div style="padding:8px 12px;border-radius:4px;color:${color};font-weight:600">${text}</div>`, `*** ${text} ***`);
}
