/** Notebook 00's data table: which datasets each notebook opens, real or synthetic, and where. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectPaths } from "../../src/lib/config/paths";
import { dataPlan, datasetsOpenedBy } from "../../src/lib/experiments/data-plan";

const nb = (...code: string[]) => JSON.stringify({ cells: [{ cell_type: "markdown", source: ['openDataset(ws, "gc10") in prose'] }, ...code.map((c) => ({ cell_type: "code", source: [c] }))] });

test("datasetsOpenedBy: code cells only, first-use order, no duplicates, unknown names ignored", () => {
  assert.deepEqual(datasetsOpenedBy(nb('const a = await lab.openDataset(ws, "neu");', "lab.openDataset( ws , 'severstal', { lenient: true }); lab.openDataset(ws, \"neu\"); lab.openDataset(ws, \"mnist\")")), ["neu", "severstal"]);
  assert.deepEqual(datasetsOpenedBy(nb("1 + 1")), []);
});

test("dataPlan: real data under data_raw/<name>/ wins, otherwise the synthetic folder (not generated yet)", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "steel-plan-"));
  fs.mkdirSync(path.join(root, "notebooks"));
  fs.writeFileSync(path.join(root, "notebooks", "01_x.ipynb"), nb('lab.openDataset(ws, "severstal"); lab.openDataset(ws, "neu")'));
  fs.writeFileSync(path.join(root, "notebooks", "00_env.ipynb"), nb("lab.initWorkspace()"));
  fs.writeFileSync(path.join(root, "notebooks", "scratch.ipynb"), nb('lab.openDataset(ws, "gc10")'));
  // Real NEU: an image whose file name tells its class.
  fs.mkdirSync(path.join(root, "data_raw", "neu"), { recursive: true });
  fs.copyFileSync(firstNeuImage(), path.join(root, "data_raw", "neu", "crazing_1.jpg"));
  const paths = projectPaths(root, {});
  assert.deepEqual(dataPlan(paths), [
    { notebook: "01_x", dataset: "severstal", source: "synthetic", where: path.join("outputs", "data_synthetic", "severstal"), generated: false },
    { notebook: "01_x", dataset: "neu", source: "real", where: path.join("data_raw", "neu") },
  ]);
});

/** Any small jpg will do (the file name carries the class); made with sharp if none is at hand. */
function firstNeuImage(): string {
  const f = path.join(os.tmpdir(), "steel-plan-img.jpg");
  if (!fs.existsSync(f)) {
    // 1×1 white JPEG
    fs.writeFileSync(f, Buffer.from("/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=", "base64"));
  }
  return f;
}
