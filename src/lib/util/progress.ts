/**
 * Progress bars for every long loop: an updating HTML bar in tslab, a `\r` line on a terminal,
 * and sparse plain lines when stderr is a log file (CI), so logs stay readable.
 *
 * Redraws are throttled and coalesced (at most one per `intervalMs`, default 250 ms; a skipped
 * update is drawn by a trailing timer, and done() draws at once), because every notebook redraw
 * is a kernel message: thousands per second flooded the kernel's sockets. One bar can serve a
 * whole fit: `restart(label, total)` relabels it and starts the count again in the same display,
 * so 300 epochs show one bar ("fit epoch 7/300"), not 300.
 */
import { tslabDisplay } from "./notebook";

export type ProgressValues = Record<string, number | string>;

export interface Progress {
  /** Advance by `n` steps and optionally show the latest values (loss, metric...). */
  tick(n?: number, values?: ProgressValues): void;
  /** Show values without advancing. */
  set(values: ProgressValues): void;
  /** Finish the bar (idempotent). */
  done(values?: ProgressValues): void;
  /**
   * Reuse the bar for the next phase (e.g. the next epoch): new label, count back to 0, timer
   * restarted, values kept until overwritten; `total` defaults to the current total.
   * Un-finishes a done() bar.
   */
  restart(label: string, total?: number): void;
}

export interface ProgressOptions {
  total: number;
  label: string;
  /** Minimum milliseconds between redraws (default 250). */
  intervalMs?: number;
  /** Force a sink (tests); default picks notebook, tty or log. */
  sink?: ProgressSink;
}

export interface ProgressState {
  label: string;
  current: number;
  total: number;
  elapsedMs: number;
  values: ProgressValues;
  finished: boolean;
}

export type ProgressSink = (state: ProgressState) => void;

/** Progress that reports nowhere — for inner loops whose caller already shows progress. */
export const silentProgress: Progress = { tick() {}, set() {}, done() {}, restart() {} };

export function formatValues(values: ProgressValues): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${typeof v === "number" ? formatNumber(v) : v}`)
    .join(" ");
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

function eta(state: ProgressState): string {
  if (state.current <= 0 || state.finished) return "";
  const remaining = (state.elapsedMs / state.current) * (state.total - state.current);
  return ` eta ${formatDuration(remaining)}`;
}

export function textLine(state: ProgressState, width = 24): string {
  const frac = state.total > 0 ? Math.min(1, state.current / state.total) : 1;
  const filled = Math.round(frac * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const vals = formatValues(state.values);
  return `${state.label} [${bar}] ${state.current}/${state.total} ${formatDuration(state.elapsedMs)}${eta(state)}${vals ? " " + vals : ""}`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function notebookSink(): ProgressSink | undefined {
  const tslab = tslabDisplay();
  if (!tslab) return undefined;
  const display = tslab.newDisplay();
  return (state) => {
    const pct = state.total > 0 ? Math.min(100, (100 * state.current) / state.total) : 100;
    const vals = escapeHtml(formatValues(state.values));
    display.html(
      `<div style="font-family:monospace;font-size:12px">${escapeHtml(state.label)} ` +
        `<progress value="${pct.toFixed(1)}" max="100" style="width:220px;vertical-align:middle"></progress> ` +
        `${state.current}/${state.total} ${formatDuration(state.elapsedMs)}${eta(state)} ${vals}</div>`,
    );
  };
}

function terminalSink(): ProgressSink {
  const tty = Boolean(process.stderr.isTTY);
  let lastLoggedDecile = -1;
  return (state) => {
    if (tty) {
      process.stderr.write(`\r${textLine(state)}\x1b[K${state.finished ? "\n" : ""}`);
      return;
    }
    // Log files: one line per 10 % and the final line.
    const decile = state.total > 0 ? Math.floor((10 * state.current) / state.total) : 10;
    if (state.finished || decile > lastLoggedDecile) {
      lastLoggedDecile = decile;
      process.stderr.write(textLine(state) + "\n");
    }
  };
}

export function createProgress(options: ProgressOptions): Progress {
  const sink = options.sink ?? notebookSink() ?? terminalSink();
  const interval = options.intervalMs ?? 250;
  let label = options.label;
  let total = options.total;
  let start = Date.now();
  let current = 0;
  let values: ProgressValues = {};
  let lastDraw = 0;
  let finished = false;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  const emit = () => {
    if (trailing !== undefined) clearTimeout(trailing);
    trailing = undefined;
    lastDraw = Date.now();
    sink({ label, current, total, elapsedMs: lastDraw - start, values, finished });
  };
  const draw = (force: boolean) => {
    if (force || Date.now() - lastDraw >= interval) return emit();
    if (trailing !== undefined) return; // the pending redraw will show the latest state
    trailing = setTimeout(emit, interval - (Date.now() - lastDraw));
    // Never keeps a script alive; done() draws the final state itself.
    (trailing as { unref?: () => void }).unref?.();
  };
  draw(true);
  return {
    tick(n = 1, v) {
      current += n;
      if (v) values = { ...values, ...v };
      draw(current >= total);
    },
    set(v) {
      values = { ...values, ...v };
      draw(false);
    },
    done(v) {
      if (finished) return;
      if (v) values = { ...values, ...v };
      finished = true;
      draw(true);
    },
    restart(nextLabel, nextTotal) {
      label = nextLabel;
      total = nextTotal ?? total;
      current = 0;
      finished = false;
      start = Date.now();
      draw(false);
    },
  };
}
