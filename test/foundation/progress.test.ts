/**
 * Progress bars: redraws are throttled and coalesced (the kernel's sockets must not be flooded),
 * the final state is always drawn, and one bar can be relabelled per epoch.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createProgress, ProgressState } from "../../src/lib/util/progress";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("progress: 10,000 fast ticks make a handful of redraws and end on the final state", () => {
  const seen: ProgressState[] = [];
  const p = createProgress({ total: 10_000, label: "fit", sink: (s) => seen.push({ ...s }), intervalMs: 60_000 });
  for (let i = 0; i < 10_000; i++) p.tick(1, { loss: 1 / (i + 1) });
  p.done();
  // start, reaching total, done — nothing in between within one interval
  assert.equal(seen.length, 3);
  assert.equal(seen[2].current, 10_000);
  assert.equal(seen[2].finished, true);
  assert.equal(seen[2].values.loss, 1 / 10_000);
});

test("progress: a skipped update is drawn by the trailing timer without done()", async () => {
  const seen: ProgressState[] = [];
  const p = createProgress({ total: 100, label: "eval", sink: (s) => seen.push({ ...s }), intervalMs: 30 });
  p.tick(5);
  p.tick(5, { acc: 0.5 });
  assert.equal(seen.length, 1, "only the initial draw happens inside the interval");
  await sleep(120);
  assert.equal(seen.length, 2, "exactly one coalesced trailing draw");
  assert.equal(seen[1].current, 10);
  assert.deepEqual(seen[1].values, { acc: 0.5 });
  p.done();
  assert.equal(seen.length, 3);
});

test("progress: restart relabels one bar per epoch and counts from zero again", () => {
  const seen: ProgressState[] = [];
  const p = createProgress({ total: 4, label: "fit epoch 1/3", sink: (s) => seen.push({ ...s }), intervalMs: 60_000 });
  for (let epoch = 0; epoch < 3; epoch++) {
    if (epoch > 0) p.restart(`fit epoch ${epoch + 1}/3`);
    for (let b = 0; b < 4; b++) p.tick(1, { loss: epoch + b / 10 });
  }
  p.done();
  const last = seen[seen.length - 1];
  assert.equal(last.label, "fit epoch 3/3");
  assert.equal(last.current, 4);
  assert.equal(last.total, 4);
  assert.equal(last.finished, true);
  assert.equal(last.values.loss, 2.3);
  // Each epoch's last tick reaches its total and is drawn: the label of every epoch was shown.
  assert.deepEqual([...new Set(seen.map((s) => s.label))], ["fit epoch 1/3", "fit epoch 2/3", "fit epoch 3/3"]);
});

test("progress: restart after done() un-finishes the bar and can change the total", () => {
  const seen: ProgressState[] = [];
  const p = createProgress({ total: 2, label: "a", sink: (s) => seen.push({ ...s }), intervalMs: 0 });
  p.tick(2);
  p.done();
  p.restart("b", 5);
  p.tick(1);
  const last = seen[seen.length - 1];
  assert.deepEqual([last.label, last.current, last.total, last.finished], ["b", 1, 5, false]);
});
