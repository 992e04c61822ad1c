import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedClass, gc10Names, SHARED_CLASSES } from "../../src/lib/cross-dataset";

test("inclusion maps NEU label 1 to GC10 folder 7 / 7_yiwu", () => {
  const c = sharedClass("inclusion");
  assert.equal(c.neu, 1);
  assert.equal(c.gc10, 6);
  assert.deepEqual(gc10Names(c), { folder: "7", pinyin: "7_yiwu" });
  assert.equal(SHARED_CLASSES.length, 1);
});

test("a class without an honest match is a clear error", () => {
  assert.throws(() => sharedClass("crazing"), /no honest NEU↔GC10 match/);
});
