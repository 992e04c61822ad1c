/**
 * Makes sure every dataset has data: real data under data_raw/<name>/ is used as it is (never
 * written); for any dataset without it the seeded synthetic copy is generated (once per
 * seed/profile) under outputs/data_synthetic/<name>/.
 */
import { ProjectPaths } from "../lib/config/paths";
import { RunConfig } from "../lib/config/run-config";
import { ensureSyntheticData, locateDataset } from "../lib/data/sources";
import { DatasetName } from "../lib/data/types";

export const DATASETS: DatasetName[] = ["severstal", "neu", "gc10"];

export async function prepareData(cfg: RunConfig, paths: ProjectPaths, force = false): Promise<Record<DatasetName, string>> {
  const sources = {} as Record<DatasetName, string>;
  const missing: DatasetName[] = [];
  for (const name of DATASETS) {
    const loc = locateDataset(name, paths);
    sources[name] = loc.source;
    if (loc.source === "synthetic") missing.push(name);
  }
  if (missing.length) {
    const t0 = Date.now();
    const r = await ensureSyntheticData({ profile: cfg.profile, seed: cfg.seed, paths, datasets: missing, force });
    console.log(
      `data: no real ${missing.join(", ")} under ${paths.dataRaw} — ` +
        (r.generated ? `generated SYNTHETIC data (seed ${cfg.seed}, profile ${cfg.profile}) in ${((Date.now() - t0) / 1000).toFixed(1)} s` : "using the SYNTHETIC data already generated") +
        ` at ${r.dir}`,
    );
  }
  for (const name of DATASETS) if (sources[name] === "real") console.log(`data: ${name} — REAL data from ${paths.dataRaw}/${name}`);
  return sources;
}
