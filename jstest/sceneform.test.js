// The form's logic: reading its fields into a scene and placing the
// engine's messages, with the engine's own field specs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spec } from "./spec.js";
import { readScene, placeErrors, valueAt, fieldLabel, openAtFirst, groupsWithErrors } from "../web/sceneform.js";

const texts = (overrides = {}) => (name) => (name in overrides ? overrides[name] : String(valueAt(spec.defaults, name)));

test("the defaults read back as the defaults", () => {
  const scene = readScene(spec.fields, texts());
  for (const f of spec.fields) assert.deepEqual(valueAt(scene, f.name), valueAt(spec.defaults, f.name), f.name);
  assert.equal(typeof scene.mix, "object");
});

test("numbers are parsed, choices kept, and bad numbers left for Go to judge", () => {
  const scene = readScene(spec.fields, texts({ tasks: " 12 ", ttlMs: "1e3", keys: "", "mix.get": "lots", locking: "rwmutex" }));
  assert.equal(scene.tasks, 12);
  assert.equal(scene.ttlMs, 1000);
  assert.equal(scene.keys, null);
  assert.equal(scene.mix.get, "lots");
  assert.equal(scene.locking, "rwmutex");
  assert.equal(readScene(spec.fields, texts({ speed: "Infinity" })).speed, "Infinity");
});

test("a message about the mix marks every mix field and the summary", () => {
  const { perField, general } = placeErrors(spec.fields, [
    { field: "mix", message: "The mix must add up to more than 0." },
    { field: "tasks", message: "tasks must be between 1 and 1000 (got 0)." },
    { field: "", message: "the scene is not JSON" },
  ]);
  const mixFields = spec.fields.filter((f) => f.name.startsWith("mix.")).map((f) => f.name);
  assert.ok(mixFields.length > 0);
  for (const name of mixFields) assert.equal(perField.get(name), "The mix must add up to more than 0.");
  assert.equal(perField.get("tasks"), "tasks must be between 1 and 1000 (got 0).");
  assert.equal(perField.has("keys"), false);
  assert.deepEqual(general, ["the scene is not JSON", "The mix must add up to more than 0."]);
});

test("a mix field's own message wins over the mix's", () => {
  const { perField } = placeErrors(spec.fields, [
    { field: "mix", message: "whole" },
    { field: "mix.get", message: "own" },
  ]);
  assert.equal(perField.get("mix.get"), "own");
  assert.equal(perField.get("mix.set"), "whole");
});

test("labels carry their unit", () => {
  assert.equal(fieldLabel({ label: "Think time", unit: "ms" }), "Think time (ms)");
  assert.equal(fieldLabel({ label: "Speed", unit: "x" }), "Speed (×)");
  assert.equal(fieldLabel({ label: "Tasks" }), "Tasks");
});

test("a wide screen opens the goroutines and the cache at first; a narrow one none", () => {
  const groups = [...new Set(spec.fields.map((f) => f.group))];
  assert.deepEqual(groups.filter((g) => openAtFirst(g, true)), ["tasks", "cache"]);
  assert.deepEqual(groups.filter((g) => openAtFirst(g, false)), []);
});

test("the groups to open are those of the fields with a message", () => {
  const { perField } = placeErrors(spec.fields, [
    { field: "mix", message: "The mix must add up to more than 0." },
    { field: "poolSize", message: "poolSize must be between 1 and 1000 (got 0)." },
    { field: "", message: "the scene is not JSON" },
  ]);
  assert.deepEqual([...groupsWithErrors(spec.fields, perField)].sort(), ["pool", "tasks"]);
  assert.equal(groupsWithErrors(spec.fields, new Map()).size, 0);
});
