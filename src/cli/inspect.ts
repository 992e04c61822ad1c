/**
 * inspect: build the offline inspection page for an exported model and serve it on 127.0.0.1
 * (`make inspect MODEL=DIR`). --host 0.0.0.0 serves the plant network instead; --build-only
 * just writes the folder (copy it to any static file server or a tablet).
 */
import * as path from "path";
import { COMMON_FLAGS, CliError, parseArgs } from "./args";
import { existingPath, runCli } from "./common";
import { buildSite, serveSite } from "./inspect-site";

const USAGE = `inspect --model EXPORT_DIR [--out DIR] [--host 127.0.0.1] [--port 8765] [--build-only] [--debug]
EXPORT_DIR is a folder written by the export command.`;

runCli(async () => {
  const a = parseArgs(process.argv.slice(2), {
    usage: USAGE,
    flags: { model: "string", out: "string", host: "string", port: "number", "build-only": "boolean", ...COMMON_FLAGS },
    required: ["model"],
  });
  const model = existingPath("model", a.model, "folder") as string;
  const port = typeof a.port === "number" ? a.port : 8765;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0..65535, got ${port}`);
  const out = typeof a.out === "string" ? a.out : path.join(process.env.STEEL_OUTPUTS ?? "outputs", "inspect");
  const dir = await buildSite({ model, out });
  console.log(`inspection page → ${dir}`);
  if (a["build-only"]) return 0;
  const host = typeof a.host === "string" ? a.host : "127.0.0.1";
  const { url } = await serveSite(dir, host, port);
  console.log(`serving on ${url}${host === "127.0.0.1" ? " (this machine only; --host 0.0.0.0 for the network)" : ""} — Ctrl+C stops`);
  await new Promise(() => undefined);
});
