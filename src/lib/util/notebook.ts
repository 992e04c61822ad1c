/**
 * Whether we run inside the tslab kernel, and a lazy handle on its display API.
 * The library must work the same from scripts and tests, where tslab has no kernel.
 */
import type * as TslabModule from "tslab";

export function inNotebook(): boolean {
  return (globalThis as { __tslab__?: unknown }).__tslab__ !== undefined;
}

/** tslab's display API, or undefined outside a kernel. Required lazily: outside the kernel it has no channel. */
export function tslabDisplay(): typeof TslabModule | undefined {
  if (!inNotebook()) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require("tslab") as typeof TslabModule;
}
