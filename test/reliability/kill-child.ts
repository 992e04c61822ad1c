/**
 * Test helper: run a node child (with tsx) to its end, or SIGKILL it as soon as `killWhen()` holds
 * (polled every 5 ms) — the kill-and-resume tests wait for a file, never a fixed sleep.
 */
import { spawn, SpawnOptions } from "child_process";

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runKillable(script: string, args: string[], options: SpawnOptions = {}, killWhen?: () => boolean): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = killWhen
      ? setInterval(() => {
          if (killWhen()) {
            clearInterval(timer);
            child.kill("SIGKILL");
          }
        }, 5)
      : undefined;
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
