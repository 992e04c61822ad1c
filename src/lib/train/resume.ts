/**
 * For commands: whether a run starts fresh, resumes from <runDir>/last, or must be refused
 * because last/ was written under another configuration — and the stable config hash that
 * decides it (sha256 of canonical JSON: sorted keys, no whitespace; undefined fields dropped,
 * as JSON does).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { findDirOrPrevious, stableStringify } from "../util/atomic-write";
import { readCheckpoint } from "./checkpoint";
import { LAST_DIR } from "./callbacks/last-checkpoint";
import { TrainerMeta, checkTrainerMeta } from "./trainer-meta";

/** sha256 (hex) of the canonical JSON of `config`: key order does not matter, values do. */
export function configHash(config: unknown): string {
  const canonical = stableStringify(config, 0).slice(0, -1); // without the trailing newline
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}

export type ResumeDecision =
  /** No usable last/ (or restart): train from epoch 0. */
  | { action: "fresh"; message: string; restarted: boolean }
  /** Pass `from` as fit's resumeFrom. */
  | { action: "resume"; from: string; afterEpoch: number; epochs: number; message: string }
  /** Do not train: print `message` and exit non-zero. */
  | { action: "refuse"; message: string };

export interface ResumeOptions {
  /** Start over even when last/ exists (--restart); last/ is overwritten at the first epoch end. */
  restart?: boolean;
}

/** Decides from `<runDir>/last` and the current run's configHash. Never modifies files. */
export function decideResume(runDir: string, currentHash: string, options: ResumeOptions = {}): ResumeDecision {
  const last = path.join(path.resolve(runDir), LAST_DIR);
  const found = findDirOrPrevious(last, "model.json");
  if (!found && !fs.existsSync(last)) return { action: "fresh", restarted: false, message: `starting ${runDir} from epoch 1 (no ${LAST_DIR}/ checkpoint)` };
  if (options.restart) return { action: "fresh", restarted: true, message: `restarting ${runDir} from epoch 1 (--restart: ${last} will be overwritten)` };
  let meta: TrainerMeta;
  try {
    const ckpt = readCheckpoint<TrainerMeta>(last);
    const metaFile = path.join(ckpt.dir, "checkpoint.json");
    if (!ckpt.hasMetadata) throw new Error(`${metaFile} is missing`);
    checkTrainerMeta(ckpt.file.meta, metaFile);
    meta = ckpt.file.meta;
  } catch (e) {
    return { action: "refuse", message: `cannot resume ${runDir}: ${(e as Error).message}. Use --restart to start over` };
  }
  if (meta.configHash !== currentHash) {
    const was = meta.configHash === undefined ? "no recorded configuration" : `configuration ${meta.configHash.slice(0, 12)}`;
    return {
      action: "refuse",
      message: `${runDir} was started with a different configuration (${was}, now ${currentHash.slice(0, 12)}); use --restart to start over, or the same settings to resume`,
    };
  }
  const done = meta.epoch + 1;
  const finished = done >= meta.epochs || meta.stopped === true;
  return {
    action: "resume",
    from: last,
    afterEpoch: meta.epoch,
    epochs: meta.epochs,
    message: finished
      ? `${runDir} already finished (${done} of ${meta.epochs} epochs${meta.stopped ? ", stopped early" : ""}); resuming runs no more epochs — use --restart to train again`
      : `resuming ${runDir} from ${last} after epoch ${done} of ${meta.epochs}`,
  };
}
