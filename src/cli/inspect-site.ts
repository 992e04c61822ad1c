/**
 * The inspection page as files: esbuild bundles web/app.ts and web/worker.ts (tfjs and the
 * library's preprocessing, decision and Grad-CAM code included), next to index.html, style.css,
 * tfjs's wasm binaries (wasm/) and the exported model (model/, from the export command). The
 * folder works from any static file server; `serveSite` is a small one bound to 127.0.0.1.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { build } from "esbuild";
import { CliError } from "./args";

const ROOT = path.resolve(__dirname, "../..");
const WEB = path.join(ROOT, "web");

export interface BuildOptions {
  /** A folder written by the export command (model.json, shards, metadata.json[, segmenter/]). */
  model: string;
  out: string;
  minify?: boolean;
}

function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    if (e.isDirectory()) copyDir(src, path.join(to, e.name));
    else fs.copyFileSync(src, path.join(to, e.name));
  }
}

/** Builds into a fresh temporary folder, then swaps it in (a half-built site is never served). */
export async function buildSite(opts: BuildOptions): Promise<string> {
  for (const f of ["model.json", "metadata.json"]) {
    if (!fs.existsSync(path.join(opts.model, f))) throw new CliError(`--model ${opts.model} has no ${f}; write one with the export command`);
  }
  const out = path.resolve(opts.out);
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await build({
    entryPoints: { app: path.join(WEB, "app.ts"), worker: path.join(WEB, "worker.ts") },
    outdir: tmp,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "chrome100",
    minify: opts.minify ?? true,
    sourcemap: false,
    logLevel: "error",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  for (const f of ["index.html", "style.css"]) fs.copyFileSync(path.join(WEB, f), path.join(tmp, f));
  const wasmDir = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
  fs.mkdirSync(path.join(tmp, "wasm"));
  for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith(".wasm"))) fs.copyFileSync(path.join(wasmDir, f), path.join(tmp, "wasm", f));
  copyDir(opts.model, path.join(tmp, "model"));
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(tmp, out);
  return out;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
  ".wasm": "application/wasm", ".bin": "application/octet-stream", ".png": "image/png",
};

/** Static files of `dir` on host:port (port 0 = any free one); resolves once listening. */
export function serveSite(dir: string, host = "127.0.0.1", port = 8765): Promise<{ server: http.Server; url: string }> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = path.join(root, rel.endsWith("/") ? rel + "index.html" : rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const a = server.address() as { port: number };
      resolve({ server, url: `http://${host.includes(":") ? `[${host}]` : host}:${a.port}/` });
    });
  });
}
