import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { byProfile, readRunConfig } from "../../src/lib/config/run-config";
import { findProjectRoot, projectPaths } from "../../src/lib/config/paths";
import { CliError, parseArgs } from "../../src/cli/args";

test("run config defaults to seed 42 and the quick profile", () => {
  assert.deepEqual(readRunConfig({}), { seed: 42, profile: "quick", backend: undefined });
});

test("run config reads SEED, STEEL_PROFILE and STEEL_BACKEND", () => {
  assert.deepEqual(readRunConfig({ SEED: "7", STEEL_PROFILE: "smoke", STEEL_BACKEND: "cpu" }), { seed: 7, profile: "smoke", backend: "cpu" });
});

test("bad SEED and unknown profile are clear errors", () => {
  assert.throws(() => readRunConfig({ SEED: "abc" }), /SEED must be a non-negative integer, got "abc"/);
  assert.throws(() => readRunConfig({ SEED: "-1" }), /SEED/);
  assert.throws(() => readRunConfig({ STEEL_PROFILE: "huge" }), /one of smoke, quick, full, got "huge"/);
});

test("byProfile picks the active profile's value", () => {
  assert.equal(byProfile({ profile: "smoke" }, { smoke: 1, quick: 5, full: 30 }), 1);
  assert.equal(byProfile({ profile: "full" }, { smoke: 1, quick: 5, full: 30 }), 30);
});

test("paths derive from the project root and can be relocated by env", () => {
  const root = findProjectRoot();
  assert.ok(fs.existsSync(path.join(root, "Makefile")));
  const p = projectPaths(root, { STEEL_OUTPUTS: "/tmp/x-out" });
  assert.equal(p.outputs, "/tmp/x-out");
  assert.equal(p.metrics, "/tmp/x-out/metrics");
  assert.equal(p.dataRaw, path.join(root, "data_raw"));
  assert.equal(p.sharedData, path.resolve(root, "..", "shared", "data"));
});

test("findProjectRoot fails clearly outside the project", () => {
  assert.throws(() => findProjectRoot(os.tmpdir()), /project root not found/);
});

test("argument parser: types, required flags, unknown flags", () => {
  const spec = { usage: "x --n N [--name S] [--v]", flags: { n: "number", name: "string", v: "boolean" } as const, required: ["n"] };
  assert.deepEqual(parseArgs(["--n", "3", "--name=a=b", "--v", "pos"], { ...spec, positionals: 1 }), { _: ["pos"], n: 3, name: "a=b", v: true });
  assert.throws(() => parseArgs(["--n", "x"], spec), (e: Error) => e instanceof CliError && /--n must be a number/.test(e.message));
  assert.throws(() => parseArgs(["--bogus"], spec), /unknown option --bogus/);
  assert.throws(() => parseArgs([], spec), /--n is required/);
});
