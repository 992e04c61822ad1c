import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SchedulerSpec,
  cosineLr,
  initialSchedulerState,
  lrAt,
  plateauUpdate,
  schedulerEpochEnd,
  stepLr,
  warmupFactor,
} from "../../src/lib/train/schedulers";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
const pt = (step: number, stepsPerEpoch = 5, epochs = 4) => ({ step, epoch: Math.floor(step / stepsPerEpoch), stepsPerEpoch, totalSteps: stepsPerEpoch * epochs });

test("cosine: base at t=0, midpoint at T/2, min at T", () => {
  close(cosineLr(0.1, 0.001, 0, 10), 0.1);
  close(cosineLr(0.1, 0.001, 5, 10), (0.1 + 0.001) / 2);
  close(cosineLr(0.1, 0.001, 10, 10), 0.001);
  close(cosineLr(0.1, 0, 2.5, 10), 0.1 * (1 + Math.cos(Math.PI / 4)) / 2);
  const spec: SchedulerSpec = { type: "cosine", minLr: 0.01 };
  close(lrAt(spec, 1, pt(0)), 1);
  close(lrAt(spec, 1, pt(10)), 0.01 + 0.99 * 0.5);
  close(lrAt(spec, 1, pt(20)), 0.01);
});

test("step: base · γ^⌊epoch/stepSize⌋", () => {
  const got = [0, 1, 2, 3, 4, 5, 6].map((e) => stepLr(1, 0.5, e, 3));
  assert.deepEqual(got, [1, 1, 1, 0.5, 0.5, 0.5, 0.25]);
  close(lrAt({ type: "step", stepSize: 2, gamma: 0.1 }, 0.5, pt(12)), 0.5 * 0.1); // epoch 2
  assert.throws(() => stepLr(1, 0.5, 1, 0), /stepSize/);
});

test("linear warmup rises from startFactor to 1, then composes with cosine over the remaining steps", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 9].map((s) => warmupFactor(s, 4, 0.2)), [0.2, 0.4, 0.6000000000000001, 0.8, 1, 1]);
  const spec: SchedulerSpec = { type: "cosine", minLr: 0, warmup: { steps: 4, startFactor: 0.2 } };
  // totalSteps 20: warmup 4, cosine over the remaining 16
  close(lrAt(spec, 1, pt(0)), 0.2 * 1);
  close(lrAt(spec, 1, pt(2)), 0.6);
  close(lrAt(spec, 1, pt(4)), 1);
  close(lrAt(spec, 1, pt(12)), 0.5);
  close(lrAt(spec, 1, pt(20)), 0);
  // warmup given in epochs = epochs × stepsPerEpoch
  close(lrAt({ type: "none", warmup: { epochs: 1, startFactor: 0 } }, 2, pt(1)), 2 * (1 / 5));
});

test("reduce-on-plateau follows torch semantics: patience, cooldown, min lr", () => {
  const opts = { patience: 1, factor: 0.5, cooldown: 1, minLr: 0.2, threshold: 0 };
  const metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95];
  // e0 best 1; e1 best .9; e2 bad 1; e3 bad 2 > 1 → lr .5, cooldown 1; e4 cooldown → bad 0;
  // e5 bad 1; e6 bad 2 → lr .25; e7 cooldown; (next reduction would clip at minLr 0.2)
  const expectedLr = [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25];
  let s = initialSchedulerState();
  metrics.forEach((m, e) => {
    s = plateauUpdate(s, m, 1, opts);
    close(Math.max(opts.minLr, s.scale), expectedLr[e]);
  });
  for (let e = 0; e < 4; e++) s = plateauUpdate(s, 0.95, 1, opts);
  close(lrAt({ type: "plateau", ...opts }, 1, pt(0), s), 0.2);
  // mode max
  let m = initialSchedulerState();
  for (const v of [0.5, 0.6, 0.6, 0.6]) m = plateauUpdate(m, v, 1, { mode: "max", patience: 1, factor: 0.1 });
  close(m.scale, 0.1);
});

test("schedules are pure: state is not mutated and equal inputs give equal outputs", () => {
  const s0 = initialSchedulerState();
  const frozen = JSON.stringify(s0);
  const s1 = plateauUpdate(s0, 1, 1);
  assert.equal(JSON.stringify(s0), frozen);
  assert.deepEqual(plateauUpdate(s0, 1, 1), s1);
  const spec: SchedulerSpec = { type: "plateau", monitor: "val_loss" };
  assert.throws(() => schedulerEpochEnd(spec, s0, 1, { epoch: 0, lr: 1, loss: 0.3 }), /monitors "val_loss".*loss/);
  assert.equal(schedulerEpochEnd({ type: "cosine" }, s0, 1, { epoch: 0, lr: 1 }), s0);
});
