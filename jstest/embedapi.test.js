// The embed API's pure logic: message validation, the ?parent= origin, the
// summary's stats, and EmbedAPI's dispatch with a fake window and worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkMessage, parseParentOrigin, summaryStats, STAT_NAMES, MSG, EmbedAPI, MAX_MESSAGE_BYTES, publicState } from "../web/embedapi.js";
import { embedSnippet, copyText, attr } from "../web/embedcode.js";

test("checkMessage accepts the commands and their fields", () => {
  for (const type of [MSG.start, MSG.pause, MSG.resume, MSG.stop, MSG.reset]) assert.deepEqual(checkMessage({ type }), { ok: true, msg: { type } });
  assert.deepEqual(checkMessage({ type: MSG.load, scene: { tasks: 3 } }).msg, { type: MSG.load, scene: { tasks: 3 } });
  assert.deepEqual(checkMessage({ type: MSG.run, seconds: 600 }).msg, { type: MSG.run, seconds: 600 });
  assert.deepEqual(checkMessage({ type: MSG.run, seconds: 0.5, scene: {} }).msg, { type: MSG.run, seconds: 0.5, scene: {} });
});

test("checkMessage refuses what is not a plain object of JSON data", () => {
  const cases = [
    ["a string", "playground:start", null, ""],
    ["null", null, null, ""],
    ["an array", [{ type: MSG.start }], null, ""],
    ["no type", {}, null, "type"],
    ["a number type", { type: 7 }, null, "type"],
    ["an unknown type", { type: "playground:explode" }, "playground:explode", "type"],
    ["a reply type", { type: MSG.ready }, MSG.ready, "type"],
    ["NaN seconds", { type: MSG.run, seconds: NaN }, MSG.run, "seconds"],
    ["zero seconds", { type: MSG.run, seconds: 0 }, MSG.run, "seconds"],
    ["too many seconds", { type: MSG.run, seconds: 601 }, MSG.run, "seconds"],
    ["string seconds", { type: MSG.run, seconds: "5" }, MSG.run, "seconds"],
    ["no seconds", { type: MSG.run }, MSG.run, "seconds"],
    ["load without scene", { type: MSG.load }, MSG.load, "scene"],
    ["scene as a string", { type: MSG.load, scene: "tasks=3" }, MSG.load, "scene"],
    ["scene as an array", { type: MSG.load, scene: [] }, MSG.load, "scene"],
    ["NaN in a scene", { type: MSG.load, scene: { tasks: NaN } }, MSG.load, "tasks"],
    ["Infinity in a scene", { type: MSG.load, scene: { mix: { get: Infinity } } }, MSG.load, "mix.get"],
    ["a __proto__ key", JSON.parse('{"type":"playground:load","scene":{"__proto__":{"tasks":1}}}'), MSG.load, "__proto__"],
    ["a constructor key", { type: MSG.load, scene: { constructor: 1 } }, MSG.load, "constructor"],
    ["a Date", { type: MSG.load, scene: { tasks: new Date() } }, MSG.load, "tasks"],
    ["a Map", { type: MSG.load, scene: new Map() }, MSG.load, "scene"],
    ["a function", { type: MSG.start, f() {} }, MSG.start, "f"],
  ];
  for (const [name, data, forType, field] of cases) {
    const r = checkMessage(data);
    assert.equal(r.ok, false, name);
    assert.equal(r.error.type, MSG.error, name);
    assert.equal(r.error.for, forType, name);
    assert.equal(typeof r.error.message, "string", name);
    assert.ok(Array.isArray(r.error.errors), name);
    if (field) assert.equal(r.error.errors[0]?.field, field, name);
  }
});

test("checkMessage refuses a message over 64 KB, deep nesting and cycles", () => {
  const big = checkMessage({ type: MSG.load, scene: { locking: "x".repeat(MAX_MESSAGE_BYTES) } });
  assert.equal(big.ok, false);
  assert.match(big.error.message, /bytes/);
  assert.equal(checkMessage({ type: MSG.load, scene: { locking: "é".repeat(MAX_MESSAGE_BYTES / 2) } }).ok, false, "bytes, not characters");
  assert.equal(checkMessage({ type: MSG.load, scene: { locking: "x".repeat(1000) } }).ok, true);
  let deep = {};
  const top = { type: MSG.load, scene: deep };
  for (let i = 0; i < 20; i++) deep = deep.a = {};
  assert.equal(checkMessage(top).ok, false);
  const cyc = { type: MSG.load, scene: {} };
  for (let i = 0; i < 50; i++) cyc.scene[`k${i}`] = cyc.scene;
  assert.equal(checkMessage(cyc).ok, false);
});

test("parseParentOrigin takes an exact http(s) origin only", () => {
  assert.deepEqual(parseParentOrigin("?embed=1"), { origin: null });
  assert.deepEqual(parseParentOrigin("?parent=https%3A%2F%2Fcourse.example"), { origin: "https://course.example" });
  assert.deepEqual(parseParentOrigin("?parent=http://127.0.0.1:8000"), { origin: "http://127.0.0.1:8000" });
  for (const bad of ["*", "null", "", "course.example", "https://course.example/", "https://course.example/path", "javascript:alert(1)", "file:///x", "https://a.example@b.example", "HTTPS://COURSE.EXAMPLE", "<b>x</b>"]) {
    const r = parseParentOrigin(`?parent=${encodeURIComponent(bad)}`);
    assert.ok(r.error, bad);
    assert.equal(r.origin, undefined, bad);
  }
});

test("summaryStats has exactly the contract's names, as finite numbers", () => {
  const s = summaryStats({ sceneMs: 2500, ops: 40, opsPerSec: 16, hits: 3, misses: 1, hitRatio: 0.75, lockWaitMeanMs: 1.5, lockWaitP99Ms: 9, poolWaitMeanMs: 0, poolTimeouts: 2, sweeps: 4, expiredSwept: 5, entries: 6, speed: 1, state: "stopped" });
  assert.deepEqual(Object.keys(s), [...STAT_NAMES]);
  assert.deepEqual(s, { sceneSeconds: 2.5, ops: 40, opsPerSecond: 16, hits: 3, misses: 1, hitRatio: 0.75, lockWaitMeanMs: 1.5, lockWaitP99Ms: 9, poolWaitMeanMs: 0, poolTimeouts: 2, sweeps: 4, expiredSwept: 5, entries: 6 });
  const empty = summaryStats(null);
  assert.deepEqual(Object.keys(empty), [...STAT_NAMES]);
  assert.ok(Object.values(empty).every((v) => v === 0));
  assert.equal(summaryStats({ ops: "x", hitRatio: NaN }).ops, 0);
  assert.equal(publicState("stopping"), null);
  assert.equal(publicState("paused"), "paused");
});

// until waits for a condition the code under test reaches through its own
// timers; the bound only turns a hang into a failure.
async function until(cond, what) {
  for (let i = 0; i < 5000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(cond(), what);
}

// A fake world for EmbedAPI: a window with a parent that records posts, and
// a playground whose Go side judges scenes like the engine (tasks 1..1000).
function world({ origin = null } = {}) {
  const posts = [];
  const parent = { postMessage: (msg, target) => posts.push({ msg, target }) };
  const listeners = [];
  const win = { parent, addEventListener: (t, f) => listeners.push(f) };
  const events = new EventTarget();
  const calls = [];
  const pg = {
    state: "idle", events, scene: { tasks: 5 }, snapshot: null, model: { scene: null },
    go: {
      async call(name, arg) {
        calls.push(name);
        if (name === "sceneParse") {
          const s = { tasks: 5, ...JSON.parse(arg) };
          if (!(s.tasks >= 1 && s.tasks <= 1000)) return JSON.stringify({ ok: false, errors: [{ field: "tasks", message: `tasks must be between 1 and 1000 (got ${s.tasks})` }] });
          return JSON.stringify({ ok: true, scene: s, query: `tasks=${s.tasks}` });
        }
        if (name === "sceneSnapshot") return JSON.stringify({ sceneMs: pg.sceneMs ?? 0, ops: 12 });
        throw new Error(`unexpected call ${name}`);
      },
    },
    setState(s) { pg.state = s; events.dispatchEvent(new CustomEvent("state", { detail: s })); },
    formScene: () => ({ ...pg.scene }),
    setScene(s) { pg.scene = { ...s }; },
    showErrors() {},
    async start() { pg.model.scene = { ...pg.scene }; pg.setState("running"); return true; },
    async togglePause() { pg.setState(pg.state === "running" ? "paused" : "running"); },
    async stop() { pg.setState("stopping"); pg.setState("stopped"); },
    async reset() { if (pg.state === "running") await pg.stop(); pg.setState("idle"); },
  };
  const api = new EmbedAPI({ win, origin, pg, pollMs: 1 });
  const send = async (data, from = { source: parent, origin: "https://host.example" }) => {
    for (const f of listeners) f({ data, ...from });
    await api.queue;
    await new Promise((r) => setTimeout(r, 5));
  };
  return { api, pg, posts, send, parent, calls, types: () => posts.map((p) => p.msg.type) };
}

test("EmbedAPI: ready, load, start, a refused start while running, stop with a summary", async () => {
  const w = world();
  await w.api.ready();
  assert.deepEqual(w.posts[0].msg, { type: MSG.ready, version: 1, scene: { tasks: 5 }, lessons: [] });
  assert.equal(w.posts[0].target, "*");
  await w.send({ type: MSG.load, scene: { tasks: 7 } });
  assert.deepEqual(w.posts.at(-1).msg, { type: MSG.loaded, scene: { tasks: 7 } });
  await w.send({ type: MSG.start });
  assert.equal(w.pg.state, "running");
  assert.deepEqual(w.posts.at(-1).msg, { type: MSG.state, state: "running" });
  await w.send({ type: MSG.start });
  assert.equal(w.posts.at(-1).msg.type, MSG.error);
  assert.equal(w.posts.at(-1).msg.for, MSG.start);
  await w.send({ type: MSG.load, scene: { tasks: 9 } });
  assert.equal(w.posts.at(-1).msg.for, MSG.load, "load while running is refused");
  assert.equal(w.pg.scene.tasks, 7, "and changes nothing");
  await w.send({ type: MSG.resume });
  assert.equal(w.posts.at(-1).msg.for, MSG.resume);
  await w.send({ type: MSG.pause });
  assert.equal(w.pg.state, "paused");
  await w.send({ type: MSG.resume });
  assert.equal(w.pg.state, "running");
  await w.send({ type: MSG.stop });
  await until(() => w.types().includes(MSG.summary), "a summary");
  const summary = w.posts.find((p) => p.msg.type === MSG.summary).msg;
  assert.deepEqual(summary.scene, { tasks: 7 });
  assert.equal(summary.stats.ops, 12);
  assert.equal(w.types().filter((t) => t === MSG.summary).length, 1, "one summary per scene, not one per resume");
  assert.ok(!w.types().includes("stopping"));
});

test("EmbedAPI: a bad scene is refused with the engine's field errors and changes nothing", async () => {
  const w = world();
  await w.send({ type: MSG.load, scene: { tasks: 5000 } });
  const err = w.posts.at(-1).msg;
  assert.equal(err.type, MSG.error);
  assert.deepEqual(err.errors, [{ field: "tasks", message: "tasks must be between 1 and 1000 (got 5000)" }]);
  assert.equal(w.pg.scene.tasks, 5);
  await w.send({ type: MSG.run, scene: { tasks: 0 }, seconds: 1 });
  assert.equal(w.posts.at(-1).msg.for, MSG.run);
  assert.equal(w.pg.state, "idle");
});

test("EmbedAPI: run stops after its scene seconds and sends the summary", async () => {
  const w = world();
  await w.send({ type: MSG.run, scene: { tasks: 3 }, seconds: 2 });
  assert.equal(w.pg.state, "running");
  w.pg.sceneMs = 2000;
  await until(() => w.types().includes(MSG.summary), "a summary");
  assert.equal(w.pg.state, "stopped");
  const summary = w.posts.find((p) => p.msg.type === MSG.summary).msg;
  assert.deepEqual(summary.scene, { tasks: 3 });
  assert.equal(summary.stats.sceneSeconds, 2);
});

test("EmbedAPI: a stop that fails at a run's end is reported, and later commands still run", async () => {
  const w = world();
  await w.send({ type: MSG.run, seconds: 1 });
  w.pg.stop = async () => { throw new Error("the worker is gone"); };
  w.pg.sceneMs = 1000;
  await until(() => w.posts.some((p) => p.msg.type === MSG.error && p.msg.for === MSG.run), "the run's error");
  w.pg.state = "stopped";
  await w.send({ type: MSG.start });
  assert.equal(w.pg.state, "running", "the start after it ran");
});

test("EmbedAPI: only the parent, and with ?parent= only its origin, which is every reply's target", async () => {
  const w = world({ origin: "https://course.example" });
  await w.send({ type: MSG.start }, { source: {}, origin: "https://course.example" });
  await w.send({ type: MSG.start }, { source: w.parent, origin: "https://evil.example" });
  await w.send("garbage", { source: {}, origin: "https://course.example" });
  assert.equal(w.posts.length, 0, "ignored, not even answered");
  assert.equal(w.pg.state, "idle");
  await w.send({ type: MSG.start }, { source: w.parent, origin: "https://course.example" });
  assert.equal(w.pg.state, "running");
  assert.ok(w.posts.length > 0 && w.posts.every((p) => p.target === "https://course.example"));
});

test("embedSnippet: an iframe with a title, lazy, clipboard-write, a size; and the component", () => {
  const s = embedSnippet("https://x.example/pg/?a=1#h", "tasks=3&locking=rwmutex");
  assert.match(s, /<iframe src="https:\/\/x\.example\/pg\/\?embed=1&amp;tasks=3&amp;locking=rwmutex" title="[^"]+" width="800" height="600" loading="lazy" allow="clipboard-write"/);
  assert.match(s, /<script type="module" src="https:\/\/x\.example\/pg\/embed\.js"><\/script>/);
  assert.match(s, /<shared-state-playground scene="tasks=3&amp;locking=rwmutex"><\/shared-state-playground>/);
  assert.equal(attr(`"><script>`), "&quot;&gt;&lt;script&gt;");
});

test("copyText selects the text and names the keys when the clipboard is refused", async () => {
  let selected = false;
  const out = { value: "", hidden: true, focus() {}, select() { selected = true; } };
  const status = { textContent: "" };
  assert.equal(await copyText("code", out, status, { clipboard: { writeText: async () => { throw new Error("denied"); } } }), false);
  assert.ok(selected);
  assert.equal(out.value, "code");
  assert.equal(out.hidden, false);
  assert.match(status.textContent, /Ctrl\+C/);
  assert.match(status.textContent, /Cmd\+C/);
  assert.equal(await copyText("code", out, status, { clipboard: { writeText: async () => {} } }), true);
  assert.match(status.textContent, /Copied/);
});
