import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import { frechetDistance, mmdRbf, pca2d, symmetricEigen } from "../../src/lib/cross-dataset";
import { createRng } from "../../src/lib/util/rng";

const PY = "/usr/bin/python3";
// Independent computation: numpy (median-heuristic RBF MMD², unbiased) and scipy.linalg.sqrtm (FID formula).
const SCRIPT = `
import json, sys, numpy as np
from scipy import linalg
d = json.load(sys.stdin); x = np.array(d["x"]); y = np.array(d["y"])
z = np.vstack([x, y]); D = ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
s2 = np.median(D[np.triu_indices(len(z), 1)])
K = np.exp(-D / (2 * s2)); n, m = len(x), len(y)
kxx = K[:n, :n]; kyy = K[n:, n:]; kxy = K[:n, n:]
mmd = (kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * kxy.mean()
s1, s2c = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
covmean = linalg.sqrtm(s1 @ s2c).real
fid = ((x.mean(0) - y.mean(0)) ** 2).sum() + np.trace(s1 + s2c - 2 * covmean)
pc = np.linalg.svd(z - z.mean(0), full_matrices=False)[1] ** 2
print(json.dumps({"mmd2": mmd, "sigma2": s2, "fid": fid, "explained": list(pc[:2] / pc.sum())}))
`;

function sets(): { x: number[][]; y: number[][] } {
  const r = createRng(7, "embedding-distance-test");
  const x = Array.from({ length: 40 }, () => Array.from({ length: 6 }, (_, j) => r.normal(0, 1 + j * 0.2)));
  const y = Array.from({ length: 30 }, () => Array.from({ length: 6 }, (_, j) => r.normal(j === 0 ? 1 : 0, 1.5)));
  return { x, y };
}

test("MMD², its median bandwidth and the Fréchet distance match numpy/scipy", { skip: spawnSync(PY, ["-c", "import scipy"]).status !== 0 && "no scipy" }, () => {
  const { x, y } = sets();
  const py = spawnSync(PY, ["-c", SCRIPT], { input: JSON.stringify({ x, y }), encoding: "utf8" });
  assert.equal(py.status, 0, py.stderr);
  const want = JSON.parse(py.stdout) as { mmd2: number; sigma2: number; fid: number; explained: number[] };
  const m = mmdRbf(x, y);
  assert.ok(Math.abs(m.sigma2 - want.sigma2) < 1e-9 * want.sigma2, `${m.sigma2} vs ${want.sigma2}`);
  assert.ok(Math.abs(m.mmd2 - want.mmd2) < 1e-9, `${m.mmd2} vs ${want.mmd2}`);
  const f = frechetDistance(x, y);
  assert.ok(Math.abs(f - want.fid) < 1e-6 * Math.max(1, want.fid), `${f} vs ${want.fid}`);
  const p = pca2d([...x, ...y]);
  assert.ok(Math.abs(p.explained[0] - want.explained[0]) < 1e-9 && Math.abs(p.explained[1] - want.explained[1]) < 1e-9, JSON.stringify([p.explained, want.explained]));
});

test("identical sets: Fréchet 0, MMD² below the between-set value", () => {
  const { x, y } = sets();
  assert.ok(Math.abs(frechetDistance(x, x)) < 1e-8);
  assert.ok(mmdRbf(x.slice(0, 20), x.slice(20)).mmd2 < mmdRbf(x, y).mmd2);
});

test("Jacobi eigen-solver on a hand 2×2: [[2,1],[1,2]] → 3, 1", () => {
  const { values, vectors } = symmetricEigen([[2, 1], [1, 2]]);
  assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1] - 1) < 1e-12);
  assert.ok(Math.abs(Math.abs(vectors[0][0]) - Math.SQRT1_2) < 1e-12);
});
