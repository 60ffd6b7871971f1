// The lessons' pure logic (web/lessons.js) and the embed API's lesson
// messages (web/embedapi.js), with a fake playground and lessons panel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lessonRequest, lessonQuery, formatValue, barWidths } from "../web/lessons.js";
import { checkMessage, EmbedAPI, MSG } from "../web/embedapi.js";

test("lessonRequest reads ?lesson=ID&variant=V and keeps bad numbers as text for Go to name", () => {
  assert.equal(lessonRequest("?tasks=3"), null);
  assert.deepEqual(lessonRequest("?lesson=ttl&variant=long"), { lesson: "ttl", variant: "long" });
  assert.deepEqual(lessonRequest("?lesson=rwmutex&reads=50"), { lesson: "rwmutex", variant: "", reads: 50 });
  assert.deepEqual(lessonRequest("?lesson=rwmutex&reads=lots"), { lesson: "rwmutex", variant: "", reads: "lots" });
  assert.deepEqual(lessonRequest("?lesson=stampede&originFail=1"), { lesson: "stampede", variant: "", originFail: 1 });
  assert.equal(lessonQuery("lost-update", "get-then-set"), "lesson=lost-update&variant=get-then-set");
});

test("formatValue and barWidths", () => {
  assert.equal(formatValue(5), "5");
  assert.equal(formatValue(7.30499), "7.30");
  assert.deepEqual(barWidths([50, 100, 25]), [50, 100, 25]);
  assert.deepEqual(barWidths([0, 0, 0]), [0, 0, 0]);
});

test("checkMessage: playground:load takes a lesson (strings), not with a scene; run of a loaded lesson needs no seconds", () => {
  assert.deepEqual(checkMessage({ type: MSG.load, lesson: "ttl", variant: "long" }).msg, { type: MSG.load, lesson: "ttl", variant: "long" });
  assert.deepEqual(checkMessage({ type: MSG.load, lesson: "pool" }).msg, { type: MSG.load, lesson: "pool", variant: "" });
  const both = checkMessage({ type: MSG.load, lesson: "ttl", scene: {} });
  assert.equal(both.ok, false);
  assert.equal(both.error.errors[0].field, "scene");
  const num = checkMessage({ type: MSG.load, lesson: 5 });
  assert.equal(num.error.errors[0].field, "lesson");
  assert.match(num.error.errors[0].message, /got 5/);
  const long = checkMessage({ type: MSG.load, lesson: "ttl", variant: "x".repeat(65) });
  assert.equal(long.error.errors[0].field, "variant");
  assert.equal(checkMessage({ type: MSG.run }).ok, false);
  assert.deepEqual(checkMessage({ type: MSG.run }, { lessonLoaded: true }).msg, { type: MSG.run });
  assert.equal(checkMessage({ type: MSG.run, seconds: -1 }, { lessonLoaded: true }).ok, false);
});

function world() {
  const posts = [];
  const parent = { postMessage: (msg) => posts.push(msg) };
  const listeners = [];
  const win = { parent, addEventListener: (t, f) => listeners.push(f) };
  const events = new EventTarget();
  const pg = {
    state: "idle", events, snapshot: { sceneMs: 2000, ops: 30 }, model: { scene: { tasks: 5 } }, lessonActive: false,
    go: { async call() { return JSON.stringify({ ok: true, scene: { tasks: 5 }, query: "" }); } },
    setState(s) { pg.state = s; events.dispatchEvent(new CustomEvent("state", { detail: s })); },
    formScene: () => ({ tasks: 5 }),
  };
  pg.lessons = {
    ids: ["shared-cache", "ttl", "interleave"], running: false, runs: [],
    async load(req) {
      if (req.lesson !== "ttl") return { ok: false, errors: [{ field: "lesson", message: `lesson must be one of "shared-cache", "ttl" (got "${req.lesson}")` }] };
      return { ok: true, lesson: "ttl", variant: req.variant || "short", scene: { tasks: 4 } };
    },
    async run(req) {
      pg.lessons.runs.push(req);
      pg.lessonActive = true;
      pg.setState("running");
      pg.setState("stopped"); // a run's end: no summary yet
      pg.setState("running");
      pg.lessonActive = false;
      pg.setState("stopped");
      const report = { id: "ttl", variant: req.variant, result: { maxExpiredStored: 7, sweeps: 48, sweepLockMs: 7.3 } };
      events.dispatchEvent(new CustomEvent("lesson", { detail: report }));
      return report;
    },
  };
  const api = new EmbedAPI({ win, origin: null, pg, pollMs: 1 });
  const send = async (data) => {
    for (const f of listeners) f({ data, source: parent, origin: "https://host.example" });
    await api.queue;
    await new Promise((r) => setTimeout(r, 5));
  };
  return { api, pg, posts, send };
}

test("EmbedAPI: ready lists the lessons; load, then run, ends in one summary with the lesson's result", async () => {
  const w = world();
  await w.api.ready();
  assert.deepEqual(w.posts[0].lessons, ["shared-cache", "ttl", "interleave"]);
  await w.send({ type: MSG.load, lesson: "ttl", variant: "long" });
  assert.deepEqual(w.posts.at(-1), { type: MSG.loaded, scene: { tasks: 4 }, lesson: { id: "ttl", variant: "long" } });
  w.posts.length = 0;
  await w.send({ type: MSG.run });
  assert.deepEqual(w.pg.lessons.runs, [{ lesson: "ttl", variant: "long" }]);
  const summaries = w.posts.filter((p) => p.type === MSG.summary);
  assert.equal(summaries.length, 1, JSON.stringify(w.posts));
  assert.deepEqual(summaries[0].lesson, { id: "ttl", variant: "long", result: { maxExpiredStored: 7, sweeps: 48, sweepLockMs: 7.3 } });
  assert.equal(summaries[0].stats.ops, 30);
});

test("EmbedAPI: a refused lesson names the field and the value, and changes nothing", async () => {
  const w = world();
  await w.send({ type: MSG.load, lesson: "nope" });
  const err = w.posts.at(-1);
  assert.equal(err.type, MSG.error);
  assert.equal(err.for, MSG.load);
  assert.equal(err.errors[0].field, "lesson");
  assert.match(err.errors[0].message, /got "nope"/);
  assert.equal(w.api.lesson, null);
  await w.send({ type: MSG.run });
  assert.equal(w.posts.at(-1).type, MSG.error); // no lesson loaded: run needs seconds
  assert.equal(w.posts.at(-1).errors[0].field, "seconds");
});
