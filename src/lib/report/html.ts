/** Small HTML helpers shared by notebook displays and the report index. */

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export type Cell = string | number | boolean | null | undefined;

function formatCell(v: Cell, digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? String(v) : v.toFixed(digits);
  }
  return String(v);
}

/** An HTML table from row objects; columns default to the keys of the first row. */
export function htmlTable(rows: Record<string, Cell>[], opts: { columns?: string[]; digits?: number; caption?: string } = {}): string {
  const columns = opts.columns ?? (rows.length ? Object.keys(rows[0]) : []);
  const digits = opts.digits ?? 4;
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td>${escapeHtml(formatCell(r[c], digits))}</td>`).join("")}</tr>`)
    .join("\n");
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : "";
  return `<table class="steel-table" style="border-collapse:collapse">${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Plain-text table for terminals and logs. */
export function textTable(rows: Record<string, Cell>[], opts: { columns?: string[]; digits?: number } = {}): string {
  const columns = opts.columns ?? (rows.length ? Object.keys(rows[0]) : []);
  const digits = opts.digits ?? 4;
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c], digits)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join("  ");
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
