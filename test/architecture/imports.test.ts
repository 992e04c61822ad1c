/**
 * The import graph under src/: no cycles (files or folders), nothing upward, no hidden
 * require() of project files, and pipelines never import the rendering modules.
 * Layers, lowest first (docs/architecture.md):
 *   config, util → engine → runtime → data, losses, metrics, report → models → train
 *   → runner → experiments → views → api, index.ts → cli
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { projectPaths } from "../../src/lib/config/paths";
import { importGraph, layerOf, LAYERS, findCycles, folderOf, stripComments } from "./graph";

const src = path.join(projectPaths().root, "src");
const graph = importGraph(src);

test("the import graph covers every source file", () => {
  assert.ok(graph.size > 50, `only ${graph.size} files parsed under ${src}`);
  for (const file of graph.keys()) assert.notEqual(layerOf(src, file), undefined, `${path.relative(src, file)} is in no layer: add its folder to LAYERS`);
});

test("no import cycle between files", () => {
  const cycles = findCycles(graph);
  assert.deepEqual(cycles.map((c) => c.map((f) => path.relative(src, f)).join(" → ")), []);
});

test("no import cycle between folders", () => {
  const folders = new Map<string, Set<string>>();
  for (const [file, deps] of graph) {
    const from = folderOf(src, file);
    const set = folders.get(from) ?? new Set<string>();
    for (const d of deps) if (folderOf(src, d) !== from) set.add(folderOf(src, d));
    folders.set(from, set);
  }
  const asFiles = new Map([...folders].map(([k, v]) => [k, [...v]]));
  assert.deepEqual(findCycles(asFiles).map((c) => c.join(" → ")), []);
});

test("nothing imports upward", () => {
  const bad: string[] = [];
  for (const [file, deps] of graph) {
    const from = layerOf(src, file)!;
    for (const d of deps) {
      const to = layerOf(src, d)!;
      if (to > from) bad.push(`${path.relative(src, file)} (${LAYERS[from].join("/")}) imports ${path.relative(src, d)} (${LAYERS[to].join("/")})`);
    }
  }
  assert.deepEqual(bad, []);
});

test("pipelines never render: below views/, nobody imports report/display or report/plotly", () => {
  const render = new Set(["report/display.ts", "report/plotly.ts"].map((f) => path.join(src, "lib", f)));
  const viewsLayer = layerOf(src, path.join(src, "lib/views/x.ts"))!;
  const bad: string[] = [];
  for (const [file, deps] of graph) {
    if (file.startsWith(path.join(src, "lib", "report") + path.sep)) continue; // report/ builds on its own primitives
    if (layerOf(src, file)! >= viewsLayer) continue;
    for (const d of deps) if (render.has(d)) bad.push(`${path.relative(src, file)} imports ${path.relative(src, d)}`);
  }
  assert.deepEqual(bad, []);
});

test("no hidden require() of project files", () => {
  const bad: string[] = [];
  for (const file of graph.keys()) {
    const text = stripComments(fs.readFileSync(file, "utf8"));
    if (/\brequire\(\s*["']\.\.?\//.test(text)) bad.push(path.relative(src, file));
  }
  assert.deepEqual(bad, []);
});
