/** Chart specs the notebooks show: integer epoch ticks, confusion-matrix titles clear of the labels. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { confusionHeatmap, integerTickStep, learningCurves } from "../../src/lib/report/charts";

test("integerTickStep: 1-2-5 steps, at most 10 ticks", () => {
  const cases: [number, number][] = [[1, 1], [2, 1], [10, 1], [11, 2], [20, 2], [21, 5], [50, 5], [51, 10], [300, 50], [1000, 100], [1001, 200]];
  for (const [n, step] of cases) assert.equal(integerTickStep(n), step, `n=${n}`);
});

test("learning curves: epochs 1..n on an integer-only linear axis", () => {
  const history: Record<string, number>[] = [{ epoch: 0, loss: 1, val_loss: 1.2 }, { epoch: 1, loss: 0.8, val_loss: 1.1 }, { epoch: 2, loss: 0.7 }];
  const fig = learningCurves(history, ["loss"]);
  const x = (fig.layout as { xaxis: Record<string, unknown> }).xaxis;
  assert.deepEqual([x.tickmode, x.dtick, x.tickformat], ["linear", 1, "d"]);
  assert.deepEqual((fig.data as { x: number[] }[])[0].x, [1, 2, 3]);
  const long = learningCurves(Array.from({ length: 300 }, (_, i) => ({ epoch: i, loss: 1 / (i + 1) })), ["loss"]);
  assert.equal((long.layout as { xaxis: { dtick: number } }).xaxis.dtick, 50);
});

test("confusion heatmap: axis titles placed beyond the tick labels (automargin + standoff)", () => {
  const fig = confusionHeatmap([[1, 0], [0, 1]], ["OK", "a_long_class_name"]);
  const { xaxis, yaxis } = fig.layout as { xaxis: Record<string, any>; yaxis: Record<string, any> };
  for (const ax of [xaxis, yaxis]) {
    assert.equal(ax.automargin, true);
    assert.ok(ax.title.standoff > 0);
  }
  assert.equal(yaxis.title.text, "true");
});
