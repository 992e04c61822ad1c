/** The trials table as a danfojs-node DataFrame (loaded lazily: the package takes seconds to import). */
import type { DataFrame } from "danfojs-node";
import { FrozenTrial } from "../trial/frozen";
import { trialRows } from "./rows";

export function trialsDataFrame(trials: FrozenTrial[]): DataFrame {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const dfd = require("danfojs-node") as typeof import("danfojs-node");
  const rows = trialRows(trials);
  if (!rows.length) return new dfd.DataFrame([], { columns: ["number", "state", "value"] });
  return new dfd.DataFrame(rows);
}
