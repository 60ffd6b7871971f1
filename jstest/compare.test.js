// The comparison's parsing and its table's cells.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spec } from "./spec.js";
import { parseSeconds, rowCells, LOCKINGS } from "../web/compare.js";

test("seconds per run: a whole number from 1 to 60", () => {
  assert.deepEqual(parseSeconds("5"), { seconds: 5 });
  assert.deepEqual(parseSeconds("60"), { seconds: 60 });
  for (const bad of ["", "0", "61", "2.5", "abc", "-3"]) {
    const { seconds, error } = parseSeconds(bad);
    assert.equal(seconds, undefined, bad);
    assert.match(error, new RegExp(`\\(got ${bad || "nothing"}\\)`), bad);
  }
});

test("the lockings compared are the engine's", () => {
  const locking = spec.fields.find((f) => f.name === "locking");
  assert.deepEqual(LOCKINGS, locking.options);
});

test("a run's row", () => {
  const r = { locking: "rwmutex", opsPerSec: 123.6, lockWaitMeanMs: 1.26, lockWaitP99Ms: 10, maxReaders: 3, hits: 3, misses: 1, hitRatio: 0.75 };
  assert.deepEqual(rowCells(r), ["rwmutex", "124", "1.3 ms", "10.0 ms", "3 readers", "75 %"]);
  assert.equal(rowCells({ ...r, hits: 0, misses: 0 })[5], "–");
});
