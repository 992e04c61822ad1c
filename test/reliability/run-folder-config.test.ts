/** A run folder whose config.json was cut short: loadClassifier names the file (was a bare SyntaxError "at position …"). */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadClassifier } from "../../src/lib/experiments/classification";

test("truncated config.json of a run folder: the error names config.json", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steel-cfg-"));
  const file = path.join(dir, "config.json");
  fs.writeFileSync(file, JSON.stringify({ run: "x", model: "simplecnn", classNames: ["a", "b"] }).slice(0, 20));
  await assert.rejects(loadClassifier(dir), (e: Error) => e.message.startsWith(`${file} is not valid JSON`) && /retrain/.test(e.message));
  fs.rmSync(dir, { recursive: true, force: true });
});
