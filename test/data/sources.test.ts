import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureSyntheticData, hasRealData, locateDataset, syntheticIsCurrent } from "../../src/lib/data/sources";
import { projectPaths } from "../../src/lib/config/paths";
import { loadNeu } from "../../src/lib/data/neu";
import { loadGc10 } from "../../src/lib/data/gc10";
import { GENERATOR_VERSION, SyntheticManifest } from "../../src/lib/data/synthetic/common";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sources-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

function tempPaths(name: string) {
  const root = path.join(tmp, name);
  fs.mkdirSync(root, { recursive: true });
  return projectPaths(root, {});
}

/** Every file under `dir` with its size and mtime: detects any write. */
function snapshot(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p);
        out.push(`${p}:${st.size}:${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

test("locateDataset: synthetic copy when data_raw/<name> is absent or incomplete, real data when usable", () => {
  const paths = tempPaths("locate");
  for (const name of ["severstal", "neu", "gc10"] as const) {
    assert.deepEqual(locateDataset(name, paths), { root: path.join(paths.synthetic, name), source: "synthetic" });
  }
  // Severstal needs BOTH train.csv and train_images/.
  const sev = path.join(paths.dataRaw, "severstal");
  fs.mkdirSync(sev, { recursive: true });
  fs.writeFileSync(path.join(sev, "train.csv"), "ImageId,ClassId,EncodedPixels\n");
  assert.equal(locateDataset("severstal", paths).source, "synthetic");
  fs.mkdirSync(path.join(sev, "train_images"));
  assert.deepEqual(locateDataset("severstal", paths), { root: sev, source: "real" });
  // NEU: a file with a class name, nested as in the NEU-DET archive.
  const neu = path.join(paths.dataRaw, "neu");
  fs.mkdirSync(path.join(neu, "NEU-DET", "IMAGES"), { recursive: true });
  fs.writeFileSync(path.join(neu, "NEU-DET", "IMAGES", "holiday.jpg"), "");
  assert.equal(locateDataset("neu", paths).source, "synthetic", "an image with no NEU class does not count");
  fs.writeFileSync(path.join(neu, "NEU-DET", "IMAGES", "crazing_1.jpg"), "");
  assert.deepEqual(locateDataset("neu", paths), { root: neu, source: "real" });
  // GC10: a class folder with an image.
  const gc = path.join(paths.dataRaw, "gc10");
  fs.mkdirSync(path.join(gc, "3"), { recursive: true });
  assert.equal(hasRealData("gc10", gc), false, "an empty class folder does not count");
  fs.writeFileSync(path.join(gc, "3", "img_01_1_00001.jpg"), "");
  assert.deepEqual(locateDataset("gc10", paths), { root: gc, source: "real" });
});

test("ensureSyntheticData: generates once, reuses a matching manifest, regenerates on mismatch or force, atomically", async () => {
  const paths = tempPaths("ensure");
  const rawBefore = snapshot(paths.dataRaw);
  const first = await ensureSyntheticData({ profile: "smoke", seed: 42, paths, datasets: ["neu"] });
  assert.deepEqual(first, { generated: true, dir: paths.synthetic });
  const dir = path.join(paths.synthetic, "neu");
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as SyntheticManifest;
  assert.deepEqual(
    { dataset: manifest.dataset, seed: manifest.seed, profile: manifest.profile, version: manifest.generatorVersion, counts: manifest.counts },
    { dataset: "neu", seed: 42, profile: "smoke", version: GENERATOR_VERSION, counts: { images: 72, perClass: 12, classes: 6 } },
  );
  assert.equal(fs.readdirSync(path.join(dir, "images")).length, 72);
  assert.equal(syntheticIsCurrent("neu", dir, "smoke", 42), true);
  assert.equal(syntheticIsCurrent("neu", dir, "smoke", 43), false);
  assert.equal(syntheticIsCurrent("neu", dir, "quick", 42), false);

  const mtime = fs.statSync(path.join(dir, "images", "crazing_1.jpg")).mtimeMs;
  assert.deepEqual(await ensureSyntheticData({ profile: "smoke", seed: 42, paths, datasets: ["neu"] }), { generated: false, dir: paths.synthetic });
  assert.equal(fs.statSync(path.join(dir, "images", "crazing_1.jpg")).mtimeMs, mtime, "nothing rewritten");

  // A stale manifest (other generator version) → regenerated, and the stray file of the old copy is gone.
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ ...manifest, generatorVersion: "0.0.1" }));
  fs.writeFileSync(path.join(dir, "stray.txt"), "from the old copy");
  assert.equal((await ensureSyntheticData({ profile: "smoke", seed: 42, paths, datasets: ["neu"] })).generated, true);
  assert.equal(fs.existsSync(path.join(dir, "stray.txt")), false);
  assert.equal(syntheticIsCurrent("neu", dir, "smoke", 42), true);
  assert.equal((await ensureSyntheticData({ profile: "smoke", seed: 42, paths, datasets: ["neu"], force: true })).generated, true);
  // No temp or old copies left behind; data_raw/ untouched.
  assert.deepEqual(fs.readdirSync(paths.synthetic), ["neu"]);
  assert.deepEqual(snapshot(paths.dataRaw), rawBefore);
});

test("ensureSyntheticData refuses to write inside data_raw/", async () => {
  const paths = tempPaths("refuse");
  await assert.rejects(
    ensureSyntheticData({ profile: "smoke", seed: 1, paths: { ...paths, synthetic: path.join(paths.dataRaw, "synthetic") } }),
    /refusing to generate synthetic data inside data_raw/,
  );
  assert.equal(fs.existsSync(path.join(paths.dataRaw, "synthetic")), false);
});

test("smoke profile end to end: all three sets generated, located as synthetic and readable by the loaders", async () => {
  const paths = tempPaths("smoke");
  const r = await ensureSyntheticData({ profile: "smoke", seed: 42, paths });
  assert.equal(r.generated, true);
  assert.deepEqual(fs.readdirSync(paths.synthetic).sort(), ["gc10", "neu", "severstal"]);
  const sev = locateDataset("severstal", paths);
  assert.equal(sev.source, "synthetic");
  const csv = fs.readFileSync(path.join(sev.root, "train.csv"), "utf8").trim().split("\n").slice(1);
  const perClass = [1, 2, 3, 4].map((k) => csv.filter((l) => l.split(",")[1] === String(k)).length);
  assert.ok(perClass.every((n) => n >= 4), `every class ≥ 4 rows: ${perClass}`);
  assert.equal(fs.readdirSync(path.join(sev.root, "train_images")).length, 48);
  const neu = await loadNeu(locateDataset("neu", paths).root, { source: "synthetic" });
  assert.equal(neu.samples.length, 72);
  const gc = await loadGc10(locateDataset("gc10", paths).root, { source: "synthetic" });
  assert.equal(gc.samples.length, 20);
  assert.equal((await ensureSyntheticData({ profile: "smoke", seed: 42, paths })).generated, false);
});
