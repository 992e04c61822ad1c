import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createRng } from "../../src/lib/util/rng";
import type { Sample } from "../../src/lib/data/types";
import { DataError } from "../../src/lib/data/types";
import {
  foldSplit,
  kFold,
  readFoldCsv,
  readSplitCsv,
  splitCsvPath,
  splitDataset,
  SPLIT_NAMES,
  writeFoldCsv,
  writeSplitCsv,
} from "../../src/lib/data/splits";

function sample(id: string, label: number, numClasses = 5): Sample {
  const labels = new Array<number>(numClasses).fill(0);
  labels[label] = 1;
  return { id, path: `/x/${id}.png`, dataset: "neu", label, labels, height: 8, width: 8 };
}

/** Unit groups with class counts [50, 31, 17, 9, 3], interleaved in a seeded order. */
function unitDataset(): Sample[] {
  const counts = [50, 31, 17, 9, 3];
  const out: Sample[] = [];
  counts.forEach((n, c) => {
    for (let i = 0; i < n; i++) out.push(sample(`c${c}_${i}`, c));
  });
  return createRng(1, "order").shuffle(out);
}

/** 80 images of 1..4 tiles each ("img7#2"), all tiles of an image share its label. */
function tiledDataset(): Sample[] {
  const rng = createRng(2, "tiles");
  const out: Sample[] = [];
  for (let i = 0; i < 80; i++) {
    const label = i % 4;
    const tiles = rng.int(1, 5);
    for (let t = 0; t < tiles; t++) out.push(sample(`img${i}#${t}`, label, 4));
  }
  return out;
}

const groupOf = (s: Sample) => s.id.split("#")[0];

function classCounts(samples: Sample[], idx: number[], numClasses: number): number[] {
  const c = new Array<number>(numClasses).fill(0);
  for (const i of idx) c[samples[i].label]++;
  return c;
}

test("split: each class's count per split is within ±1 of n_class * fraction, and splits partition the data", () => {
  const ds = unitDataset();
  const fractions = { train: 0.7, val: 0.15, test: 0.15 };
  const split = splitDataset(ds, { seed: 42, fractions });
  const all = [...split.train, ...split.val, ...split.test].sort((a, b) => a - b);
  assert.deepEqual(all, ds.map((_, i) => i));
  const totals = classCounts(ds, all, 5);
  for (const name of SPLIT_NAMES) {
    const counts = classCounts(ds, split[name], 5);
    counts.forEach((n, c) => {
      const target = totals[c] * fractions[name];
      assert.ok(Math.abs(n - target) <= 1, `${name} class ${c}: ${n} vs target ${target}`);
    });
  }
  // A zero fraction gets nothing.
  const noTest = splitDataset(ds, { seed: 1, fractions: { train: 0.8, val: 0.2, test: 0 } });
  assert.equal(noTest.test.length, 0);
  assert.throws(() => splitDataset(ds, { seed: 1, fractions: { train: 0.8, val: 0.3, test: 0 } }), /sum to 1/);
});

test("split: tiles of one image never cross splits (grouped), proportions stay close", () => {
  const ds = tiledDataset();
  const split = splitDataset(ds, { seed: 7, groupOf });
  const where = new Map<string, string>();
  for (const name of SPLIT_NAMES) {
    for (const i of split[name]) {
      const g = groupOf(ds[i]);
      assert.ok(!where.has(g) || where.get(g) === name, `group ${g} in ${where.get(g)} and ${name}`);
      where.set(g, name);
    }
  }
  // Greedy on sample counts: each class within one group (<= 4 tiles) of its target.
  const totals = classCounts(ds, ds.map((_, i) => i), 4);
  for (const name of SPLIT_NAMES) {
    const counts = classCounts(ds, split[name], 4);
    const f = { train: 0.7, val: 0.15, test: 0.15 }[name];
    counts.forEach((n, c) => assert.ok(Math.abs(n - totals[c] * f) <= 4, `${name} class ${c}: ${n} vs ${totals[c] * f}`));
  }
  // Without grouping, the same data WOULD leak (ids are per tile): the grouping is what prevents it.
  const ungrouped = splitDataset(ds, { seed: 7 });
  const leaks = new Set<string>();
  const seen = new Map<string, string>();
  for (const name of SPLIT_NAMES) {
    for (const i of ungrouped[name]) {
      const g = groupOf(ds[i]);
      if (seen.has(g) && seen.get(g) !== name) leaks.add(g);
      seen.set(g, name);
    }
  }
  assert.ok(leaks.size > 0);
});

test("k-fold: folds partition the data, classes balanced within ±1 per fold, groups intact", () => {
  const ds = unitDataset();
  const folds = kFold(ds, { k: 5, seed: 3 });
  assert.equal(folds.length, ds.length);
  assert.ok(folds.every((f) => Number.isInteger(f) && f >= 0 && f < 5));
  const totals = classCounts(ds, ds.map((_, i) => i), 5);
  for (let f = 0; f < 5; f++) {
    const { train, val } = foldSplit(folds, f);
    assert.equal(train.length + val.length, ds.length);
    assert.ok(val.every((i) => !train.includes(i)));
    classCounts(ds, val, 5).forEach((n, c) => assert.ok(Math.abs(n - totals[c] / 5) <= 1, `fold ${f} class ${c}: ${n}`));
  }
  const tiled = tiledDataset();
  const tf = kFold(tiled, { k: 4, seed: 3, groupOf });
  const foldOf = new Map<string, number>();
  tiled.forEach((s, i) => {
    const g = groupOf(s);
    assert.ok(!foldOf.has(g) || foldOf.get(g) === tf[i], `group ${g} split across folds`);
    foldOf.set(g, tf[i]);
  });
  assert.throws(() => kFold(ds.slice(0, 3), { k: 5, seed: 1 }), /3 groups cannot fill 5 folds/);
});

test("multi-label combo stratification keeps each presence pattern balanced", () => {
  const patterns = ["0000", "1000", "0010", "0011", "0100", "1010"];
  const counts = [40, 20, 30, 10, 5, 15];
  const ds: Sample[] = [];
  patterns.forEach((p, k) => {
    for (let i = 0; i < counts[k]; i++) {
      const labels = [...p].map(Number);
      const first = labels.indexOf(1);
      ds.push({ id: `${p}_${i}.jpg`, path: "", dataset: "severstal", label: first + 1, labels, height: 256, width: 1600 });
    }
  });
  const split = splitDataset(ds, { seed: 5, stratify: "combo", fractions: { train: 0.6, val: 0.2, test: 0.2 } });
  for (const name of SPLIT_NAMES) {
    const f = { train: 0.6, val: 0.2, test: 0.2 }[name];
    patterns.forEach((p, k) => {
      const n = split[name].filter((i) => ds[i].labels.join("") === p).length;
      assert.ok(Math.abs(n - counts[k] * f) <= 1, `${name} ${p}: ${n} vs ${counts[k] * f}`);
    });
  }
});

test("splits are deterministic by seed and change with it", () => {
  const ds = unitDataset();
  const a = splitDataset(ds, { seed: 11 });
  assert.deepEqual(splitDataset(ds, { seed: 11 }), a);
  assert.notDeepEqual(splitDataset(ds, { seed: 12 }), a);
  assert.deepEqual(kFold(ds, { k: 3, seed: 4 }), kFold(ds, { k: 3, seed: 4 }));
  assert.notDeepEqual(kFold(ds, { k: 3, seed: 4 }), kFold(ds, { k: 3, seed: 5 }));
});

test("split CSVs round-trip and bad files fail with the file and line", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "splits-"));
  try {
    const ds = unitDataset();
    ds[0] = { ...ds[0], id: 'odd,"id"' };
    const split = splitDataset(ds, { seed: 1 });
    const file = writeSplitCsv(splitCsvPath("demo", dir), ds, split);
    assert.equal(file, path.join(dir, "demo.csv"));
    assert.equal(fs.readFileSync(file, "utf8").split("\n")[0], "id,split");
    assert.deepEqual(readSplitCsv(file, ds), split);
    const folds = kFold(ds, { k: 4, seed: 1 });
    const ffile = writeFoldCsv(path.join(dir, "folds.csv"), ds, folds);
    assert.deepEqual(readFoldCsv(ffile, ds), folds);

    fs.writeFileSync(path.join(dir, "bad.csv"), "id,split\nc0_0,train\nnope,val\n");
    assert.throws(
      () => readSplitCsv(path.join(dir, "bad.csv"), ds),
      (e: unknown) => e instanceof DataError && e.line === 3 && /bad\.csv:3: id "nope"/.test(e.message),
    );
    assert.throws(() => readSplitCsv(path.join(dir, "folds.csv"), ds), /expected header "id,split"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
