/** One-cycle schedule against torch.optim.lr_scheduler.OneCycleLR (/usr/bin/python3) and hand values. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { lrAt, oneCycleLr } from "../../src/lib/train/schedulers";

test("one-cycle: max/div at step 0, max at the end of phase 1, max/(div·finalDiv) at the last step", () => {
  // T = 20, pct 0.3: phase 1 ends at 0.3·20 − 1 = 5.
  assert.ok(Math.abs(oneCycleLr(0.4, 0, 20, { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 }) - 0.4 / 25) < 1e-15);
  assert.ok(Math.abs(oneCycleLr(0.4, 5, 20, { pctStart: 0.3 }) - 0.4) < 1e-15);
  assert.ok(Math.abs(oneCycleLr(0.4, 19, 20, { pctStart: 0.3 }) - 0.4 / 25 / 1e4) < 1e-15);
  // Halfway through phase 2 (step 5 + 7 = 12 of 5..19): the mean of max and final.
  assert.ok(Math.abs(oneCycleLr(0.4, 12, 20, { pctStart: 0.3 }) - (0.4 + 0.4 / 25 / 1e4) / 2) < 1e-15);
});

test("one-cycle equals torch OneCycleLR (cycle_momentum off) step by step", (t) => {
  const py = `
import json, torch
p = torch.nn.Parameter(torch.zeros(1))
opt = torch.optim.AdamW([p], lr=1.0)
s = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=37, pct_start=0.25, div_factor=25, final_div_factor=1e4, cycle_momentum=False)
out = []
for _ in range(37):
    out.append(opt.param_groups[0]["lr"])
    opt.step(); s.step()
print(json.dumps(out))
`;
  const r = spawnSync("/usr/bin/python3", ["-c", py], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) return t.skip(`torch not available: ${r.stderr.slice(0, 200)}`);
  const torch = JSON.parse(r.stdout) as number[];
  const ours = torch.map((_, step) => lrAt({ type: "one-cycle", pctStart: 0.25 }, 3e-3, { step, epoch: 0, stepsPerEpoch: 37, totalSteps: 37 }));
  torch.forEach((v, i) => assert.ok(Math.abs(ours[i] - v) <= 1e-12 + 1e-9 * v, `step ${i}: ${ours[i]} vs torch ${v}`));
});
