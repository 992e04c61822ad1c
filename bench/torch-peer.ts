/**
 * Runs the PyTorch CPU peer (../shared/bench/torch_peer.py, Debian's /usr/bin/python3) and reads
 * its JSON lines — one place for every benchmark, with the glibc malloc settings its README says a
 * fair peer needs (without them each step page-faults its buffers back: up to 2× slower).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectPaths } from "../src/lib/config/paths";

export const PYTHON = "/usr/bin/python3";
export const PEER_SCRIPT = path.join(projectPaths().sharedData, "..", "bench", "torch_peer.py");

export function runTorchPeer<T>(args: string[]): { records: T[]; error?: string } {
  if (!fs.existsSync(PEER_SCRIPT)) return { records: [], error: `no torch peer at ${PEER_SCRIPT}` };
  const r = spawnSync(PYTHON, [PEER_SCRIPT, ...args], {
    encoding: "utf8",
    env: { ...process.env, MALLOC_MMAP_THRESHOLD_: "33554432", MALLOC_TRIM_THRESHOLD_: "17179869184" },
    timeout: 20 * 60 * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const records = (r.stdout ?? "")
    .split("\n")
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => JSON.parse(l) as T);
  return { records, error: r.status === 0 ? undefined : `torch peer exit ${r.status}: ${(r.stderr ?? "").slice(-300)}` };
}
