/** Good data passes the pre-flight check untouched: the synthetic generators' output, strict, nothing dropped. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "path";
import { preflight } from "../../src/lib/data/preflight";
import { loadNeu } from "../../src/lib/data/neu";
import { loadSeverstal } from "../../src/lib/data/severstal";
import { generateNeuSynthetic } from "../../src/lib/data/synthetic/neu-synth";
import { generateSeverstalSynthetic } from "../../src/lib/data/synthetic/severstal-synth";
import { silentProgress } from "../../src/lib/util/progress";
import { formatSkipSummary } from "../../src/lib/data/skip-report";
import { tempDir } from "./data-fixtures";

const tmp = tempDir("data-synthetic");

test("synthetic NEU and Severstal pass strict preflight with every sample kept as loaded", async () => {
  const neu = path.join(tmp, "neu");
  await generateNeuSynthetic(neu, { seed: 3, perClass: 2, progress: silentProgress });
  const sev = path.join(tmp, "severstal");
  await generateSeverstalSynthetic(sev, { seed: 11, images: 12, minPerClass: 1, progress: silentProgress });
  for (const [name, root, loaded] of [
    ["neu", neu, await loadNeu(neu)],
    ["severstal", sev, await loadSeverstal(sev)],
  ] as const) {
    const { dataset, report } = await preflight({ name, root }, { progress: silentProgress });
    assert.deepEqual(dataset.samples, loaded.samples, name);
    assert.equal(formatSkipSummary(report), `${loaded.samples.length} images used; 0 skipped`);
  }
});
