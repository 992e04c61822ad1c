/**
 * Atomic writes: files and whole directories are written to a temp sibling, fsynced, then
 * renamed into place, so a crash (even SIGKILL) leaves either the previous version or the new
 * one, never a half-written mix. Temp siblings left by a killed writer (`<name>.tmp-<pid>-…`,
 * `<name>.old-<pid>-…`) are removed at the next write to the same parent (by the first write of
 * each process there: a writer that dies mid-run is another process for the next run).
 * Hand-written because the npm packages for this (write-file-atomic) cover files, not directories.
 */
import * as fs from "fs";
import * as path from "path";

const STALE = /^(.+)\.(tmp|old)-(\d+)-\d+(?:-\d+)?$/;
let counter = 0;
/** Parents already cleaned by this process: a folder of 10 000 images is listed once, not per write. */
const cleaned = new Set<string>();

function cleanOnce(parent: string): void {
  if (cleaned.has(parent)) return;
  cleaned.add(parent);
  removeStaleTemps(parent);
}

function stamp(): string {
  counter = (counter + 1) % 1e9;
  return `${process.pid}-${Date.now()}-${counter}`;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function fsyncPath(p: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(p, "r");
    fs.fsyncSync(fd);
  } catch {
    // Directories cannot be fsynced on every platform; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes `data` to `file` and fsyncs it (not atomic by itself). */
export function writeFileSynced(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Removes temp siblings in `parent` left by writers that are no longer running. Another live
 * process's temps are kept (it may be mid-write); this process's own are stale, since its writes
 * are synchronous and none is in flight here. Returns the removed paths.
 */
export function removeStaleTemps(parent: string): string[] {
  if (!fs.existsSync(parent)) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(parent)) {
    const m = STALE.exec(name);
    if (!m) continue;
    const pid = Number(m[3]);
    const p = path.join(parent, name);
    // An .old-* whose target is missing is the only copy left (a crash between the two renames).
    if (m[2] === "old" && !fs.existsSync(path.join(parent, m[1]))) continue;
    if (pid !== process.pid && isAlive(pid)) continue;
    fs.rmSync(p, { recursive: true, force: true });
    removed.push(p);
  }
  return removed;
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const parent = path.dirname(path.resolve(file));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = `${file}.tmp-${stamp()}`;
  try {
    writeFileSynced(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  // No fsync of the parent here (a hot path: thousands of PNGs); the rename is atomic regardless.
  cleanOnce(parent);
}

/**
 * Writes `files` as the directory `dir`, atomically: all files go to `<dir>.tmp-*` (fsynced);
 * then the old `dir` is renamed to `<dir>.old-*`, the temp renamed to `dir`, and only then the old
 * copy deleted. A crash between the two renames leaves `<dir>.old-*`, the complete previous
 * version, which readers fall back to (see findDirOrPrevious).
 */
export function writeDirAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  fs.mkdirSync(parent, { recursive: true });
  const s = stamp();
  const tmp = `${abs}.tmp-${s}`;
  fs.mkdirSync(tmp);
  try {
    for (const [name, data] of Object.entries(files)) writeFileSynced(path.join(tmp, name), data);
    fsyncPath(tmp);
    if (fs.existsSync(abs)) {
      const old = `${abs}.old-${s}`;
      fs.renameSync(abs, old);
      fs.renameSync(tmp, abs);
      fsyncPath(parent);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(tmp, abs);
      fsyncPath(parent);
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  cleanOnce(parent);
}

/**
 * `dir` if it holds `marker`, else the newest complete `<dir>.old-*` holding it (left by a crash
 * between writeDirAtomic's two renames), else undefined.
 */
export function findDirOrPrevious(dir: string, marker: string): string | undefined {
  const abs = path.resolve(dir);
  if (fs.existsSync(path.join(abs, marker))) return abs;
  const parent = path.dirname(abs);
  if (!fs.existsSync(parent)) return undefined;
  const base = path.basename(abs) + ".old-";
  const olds = fs
    .readdirSync(parent)
    .filter((f) => f.startsWith(base) && fs.existsSync(path.join(parent, f, marker)))
    .map((f) => path.join(parent, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return olds[0];
}

/** Stable JSON: keys sorted, so the same values always give the same bytes. */
export function stableStringify(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value), null, indent) + "\n";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, stableStringify(value));
}
