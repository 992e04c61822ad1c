/**
 * A small import-graph reader for the architecture test: regex over `import … from`, `export …
 * from`, `import("…")` and `require("…")` of relative paths (TypeScript's own parser would be
 * exact but slow to load; src/ follows one import style, so a regex is enough here).
 */
import * as fs from "fs";
import * as path from "path";

/** Folders of each layer, lowest first; a file's layer is that of its first folder under src/lib (or "cli"). */
export const LAYERS: string[][] = [
  ["config", "util"],
  ["engine"],
  ["runtime"],
  ["data", "losses", "metrics", "report"],
  ["models"],
  ["train", "segmentation"],
  ["runner"],
  ["experiments"],
  ["explain", "hpo", "robustness", "cross-dataset", "export"],
  ["views"],
  ["api", "index.ts"],
  ["cli"],
];

export function folderOf(src: string, file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  if (rel[0] === "cli") return "cli";
  return rel.length === 2 ? rel[1] : rel[1];
}

export function layerOf(src: string, file: string): number | undefined {
  const folder = folderOf(src, file);
  const i = LAYERS.findIndex((l) => l.includes(folder));
  return i < 0 ? undefined : i;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, path.join(base, "index.ts")]) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return undefined;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;

/** Block comments and whole-line // comments out (doc comments quote import paths). */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** file → the project files it imports (relative specifiers only). */
export function importGraph(src: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of walk(src)) {
    const text = stripComments(fs.readFileSync(file, "utf8"));
    const deps = new Set<string>();
    for (const m of text.matchAll(IMPORT)) {
      const target = resolve(file, m[1]);
      if (!target) throw new Error(`${file}: cannot resolve import "${m[1]}"`);
      deps.add(target);
    }
    graph.set(file, [...deps]);
  }
  return graph;
}

/** Strongly connected components with more than one node, or a self-import (Tarjan). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}
