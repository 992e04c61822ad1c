import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createRng } from "../../src/lib/util/rng";
import { stableStringify, writeFileAtomic, writeJsonAtomic } from "../../src/lib/util/atomic-write";
import { createProgress, ProgressState, textLine } from "../../src/lib/util/progress";
import { roundDeep } from "../../src/lib/runtime/run-record";

test("rng: same seed and stream → same sequence; other stream or seed → different", () => {
  const a = Array.from({ length: 5 }, createRng(42, "s").next);
  const b = Array.from({ length: 5 }, createRng(42, "s").next);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, Array.from({ length: 5 }, createRng(42, "t").next));
  assert.notDeepEqual(a, Array.from({ length: 5 }, createRng(43, "s").next));
});

test("rng: forks are independent of the parent's later draws", () => {
  const r1 = createRng(1);
  const f1 = r1.fork("aug").next();
  const r2 = createRng(1);
  r2.next();
  r2.next();
  assert.equal(r2.fork("aug").next(), f1);
});

test("rng: int range, shuffle is a permutation, normal moments", () => {
  const r = createRng(5);
  for (let i = 0; i < 1000; i++) {
    const v = r.int(3, 7);
    assert.ok(Number.isInteger(v) && v >= 3 && v < 7);
  }
  const items = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = r.shuffle(items.slice());
  assert.notDeepEqual(shuffled, items);
  assert.deepEqual(shuffled.slice().sort((x, y) => x - y), items);
  const xs = Array.from({ length: 20000 }, () => r.normal(2, 3));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
  assert.ok(Math.abs(mean - 2) < 0.1, `mean ${mean}`);
  assert.ok(Math.abs(sd - 3) < 0.1, `sd ${sd}`);
});

test("atomic write leaves the final file and no temp file; JSON keys sorted", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aw-"));
  const file = path.join(dir, "sub", "m.json");
  writeJsonAtomic(file, { b: 1, a: { d: [1, { z: 0, y: 1 }], c: 2 } });
  assert.equal(fs.readFileSync(file, "utf8"), '{\n  "a": {\n    "c": 2,\n    "d": [\n      1,\n      {\n        "y": 1,\n        "z": 0\n      }\n    ]\n  },\n  "b": 1\n}\n');
  writeFileAtomic(file, "x");
  assert.equal(fs.readFileSync(file, "utf8"), "x");
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ["m.json"]);
  assert.equal(stableStringify({ b: 1, a: 2 }, 0), '{"a":2,"b":1}\n');
});

test("roundDeep keeps 8 significant digits and leaves integers and strings", () => {
  assert.deepEqual(roundDeep({ a: 0.123456789123, b: [1, "x", 2.5e-9 + 1e-20] }), { a: 0.12345679, b: [1, "x", 2.5e-9] });
});

test("progress: text line and the final state reaches the sink", () => {
  const s: ProgressState = { label: "train", current: 5, total: 10, elapsedMs: 10000, values: { loss: 0.5 }, finished: false };
  assert.equal(textLine(s, 10), "train [#####-----] 5/10 10s eta 10s loss=0.5000");
  const seen: ProgressState[] = [];
  const p = createProgress({ total: 3, label: "x", sink: (st) => seen.push({ ...st }), intervalMs: 1e9 });
  p.tick();
  p.tick(2, { acc: 1 });
  p.done();
  const last = seen[seen.length - 1];
  assert.equal(last.current, 3);
  assert.equal(last.finished, true);
  assert.deepEqual(last.values, { acc: 1 });
  // With a huge interval only forced draws happen: start, reaching total, done.
  assert.equal(seen.length, 3);
});
