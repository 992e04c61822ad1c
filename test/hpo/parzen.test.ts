import { test } from "node:test";
import assert from "node:assert/strict";
import { categoricalDistribution, Distribution, floatDistribution, intDistribution } from "../../src/lib/hpo/distributions";
import { defaultWeights, parzenEstimator } from "../../src/lib/hpo/samplers/tpe/parzen-estimator";
import { logGaussMass, ndtr, ndtri } from "../../src/lib/hpo/samplers/tpe/truncnorm";
import { createRng } from "../../src/lib/util/rng";
import { hasOptuna, python } from "./helpers";

const OPTS = { priorWeight: 1, considerMagicClip: true, considerEndpoints: false };

test("truncnorm: Φ and Φ⁻¹ against known values; tail masses stay finite and ordered", () => {
  assert.ok(Math.abs(ndtr(1.959963985) - 0.975) < 2e-7);
  assert.ok(Math.abs(ndtr(-3) - 0.0013498980316) < 1e-8);
  for (const p of [1e-6, 0.01, 0.3, 0.5, 0.9, 0.999]) assert.ok(Math.abs(ndtr(ndtri(p)) - p) < 1e-7 * Math.max(1, p / 1e-3), `p=${p}`);
  // Mass of [8, 9] = Φ(-8) − Φ(-9) = 6.220960574e-16 − 1.128588e-19 (scipy.stats.norm.cdf).
  assert.ok(Math.abs(logGaussMass(8, 9) - Math.log(6.220960574e-16 - 1.128588e-19)) < 1e-5);
  assert.ok(Math.abs(logGaussMass(-9, -8) - logGaussMass(8, 9)) < 1e-12);
});

test("defaultWeights: flat up to 25 observations, then Optuna's ramp", () => {
  assert.deepEqual(defaultWeights(3), [1, 1, 1]);
  const w = defaultWeights(30);
  assert.equal(w.length, 30);
  assert.ok(Math.abs(w[0] - 1 / 30) < 1e-12 && Math.abs(w[4] - 1) < 1e-12 && w[5] === 1);
});

// Reference: Optuna 3.1's kernels (mus, sigmas, weights) and log_pdf. For continuous parameters the
// density is scipy.stats.truncnorm over those kernels, because Optuna 3.1's own _truncnorm.logpdf
// omits the −log(scale) term (optuna/optuna#5109, fixed in #5110); ours follows the fix.
test("Parzen estimator: Optuna 3.1's kernels; log-density = scipy truncnorm mixture / Optuna's discrete masses", { skip: !hasOptuna() && "Debian python3 with optuna not installed" }, () => {
  const rng = createRng(7, "parzen-test");
  const cases: { dist: Distribution; optuna: string; obs: number[]; at: number[] }[] = [];
  const f = floatDistribution(-5, 10);
  cases.push({ dist: f, optuna: "FloatDistribution(-5, 10)", obs: Array.from({ length: 8 }, () => rng.uniform(-5, 10)), at: [-5, -1.3, 0, 4.4, 9.99] });
  const lg = floatDistribution(1e-5, 1e-2, { log: true });
  cases.push({ dist: lg, optuna: "FloatDistribution(1e-5, 1e-2, log=True)", obs: Array.from({ length: 30 }, () => Math.exp(rng.uniform(Math.log(1e-5), Math.log(1e-2)))), at: [1e-5, 2.47e-5, 3e-4, 9e-3] });
  const it = intDistribution(0, 4);
  cases.push({ dist: it, optuna: "IntDistribution(0, 4)", obs: [0, 3, 3, 4, 1], at: [0, 1, 2, 3, 4] });
  const st = floatDistribution(0, 1, { step: 0.25 });
  cases.push({ dist: st, optuna: "FloatDistribution(0, 1, step=0.25)", obs: [0.25, 0.5, 0.5], at: [0, 0.25, 0.5, 0.75, 1] });
  const il = intDistribution(1, 64, { log: true });
  cases.push({ dist: il, optuna: "IntDistribution(1, 64, log=True)", obs: [2, 16, 32, 40], at: [1, 3, 16, 64] });
  const cat = categoricalDistribution(["none", "cosine", "step"]);
  cases.push({ dist: cat, optuna: "CategoricalDistribution(['none', 'cosine', 'step'])", obs: [0, 0, 1, 0], at: [0, 1, 2] });
  const script = `
import json, sys, numpy as np
from optuna.distributions import *
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights
out = []
for c in json.load(sys.stdin):
    d = eval(c["optuna"])
    p = _ParzenEstimatorParameters(True, 1.0, True, False, default_weights, False)
    pe = _ParzenEstimator({"x": np.asarray(c["obs"], dtype=float)}, {"x": d}, p)
    at = np.asarray(c["at"], dtype=(int if isinstance(d, CategoricalDistribution) else float))
    if isinstance(d, CategoricalDistribution) or pe._q["x"] is not None:
        out.append(pe.log_pdf({"x": at}).tolist())
        continue
    from scipy.stats import truncnorm
    mus, s, w = pe._mus["x"], pe._sigmas["x"], pe._weights
    lo, hi = pe._low["x"], pe._high["x"]
    y = np.log(at) if d.log else at
    comp = truncnorm.logpdf(y[:, None], (lo - mus) / s, (hi - mus) / s, loc=mus, scale=s) + np.log(w)
    out.append(np.logaddexp.reduce(comp, axis=1).tolist())
print(json.dumps(out))`;
  const ref = python<number[][]>(script, cases.map(({ optuna, obs, at }) => ({ optuna, obs, at })));
  cases.forEach((c, i) => {
    const pe = parzenEstimator(c.dist, c.obs, OPTS);
    c.at.forEach((x, j) => assert.ok(Math.abs(pe.logPdf(x) - ref[i][j]) < 1e-5, `${c.optuna} at ${x}: ours ${pe.logPdf(x)} optuna ${ref[i][j]}`));
  });
});

test("Parzen samples stay inside the distribution and on its grid", () => {
  const rng = createRng(3, "parzen-samples");
  const st = floatDistribution(0, 1, { step: 0.25 });
  for (const x of parzenEstimator(st, [0.25, 1], OPTS).sample(rng, 200)) assert.ok([0, 0.25, 0.5, 0.75, 1].includes(x), String(x));
  const il = intDistribution(16, 64, { step: 16 });
  for (const x of parzenEstimator(il, [16, 64], OPTS).sample(rng, 200)) assert.ok([16, 32, 48, 64].includes(x), String(x));
  const lg = floatDistribution(1e-5, 1e-2, { log: true });
  for (const x of parzenEstimator(lg, [1e-4], OPTS).sample(rng, 200)) assert.ok(x >= 1e-5 && x <= 1e-2);
});
