// The step mode's pure logic (web/stepmodel.js), and the embed API's
// step-mode messages with a fake window and step mode. The states are the
// Go side's own: taken from the built wasm's step bindings under Node, as
// the page takes them, so that no field name here is the test's invention.
import { test } from "node:test";
import assert from "node:assert/strict";
import "./spec.js"; // starts the built wasm: globalThis.playground has the bindings
import {
  LESSON, isStepLink, stepQuery, stepLink, taskForKey, lineMarks, hasLocalV, vText, taskStatus, lockText,
  historyText, outcomeText, refusalText, publicState, summaryLesson, freeText,
} from "../web/stepmodel.js";
import { checkMessage, EmbedAPI, MSG, STAT_NAMES } from "../web/embedapi.js";

const go = (method, ...args) => {
  const v = globalThis.playground[method](...args);
  if (v instanceof Error) throw v;
  return JSON.parse(v);
};
const load = (options) => go("stepLoad", options).state;
const steps = (...tasks) => tasks.map((t) => go("stepStep", t)).at(-1);

test("the lesson id is the Go side's", () => {
  assert.equal(go("stepSpec").lesson, LESSON);
});

test("links: read and written as the Go side reads them back", () => {
  assert.equal(isStepLink("?lesson=interleave&variant=locked"), true);
  assert.equal(isStepLink("?lesson=ttl"), false);
  assert.equal(isStepLink("?tasks=4"), false);
  const q = stepQuery({ variant: "unlocked", tasks: 2, schedule: "0,1,0" });
  assert.equal(q, "lesson=interleave&variant=unlocked&tasks=2&schedule=0,1,0");
  assert.equal(stepQuery({ variant: "update", tasks: 4, schedule: "" }), "lesson=interleave&variant=update&tasks=4");
  assert.equal(stepLink("https://x.example/pg/?embed=1#a", { variant: "locked", tasks: 3, schedule: "0" }), "https://x.example/pg/?lesson=interleave&variant=locked&tasks=3&schedule=0");
  // What is written is what Go loads.
  const st = go("stepFromQuery", `?${q}`).state;
  assert.equal(st.schedule, "0,1,0");
  assert.equal(st.tasks.length, 2);
  // A value that needs escaping is escaped, and Go names it.
  const bad = go("stepFromQuery", `?${stepQuery({ variant: "<b>&x", tasks: 2, schedule: "" })}`);
  assert.equal(bad.ok, false);
  assert.equal(bad.errors[0].field, "variant");
  assert.match(bad.errors[0].message, /"<b>&x"/);
});

test("keys 1 to 4 are tasks 0 to 3, whatever the run's number of tasks", () => {
  assert.equal(taskForKey("1", 4), 0);
  assert.equal(taskForKey("4", 4), 3);
  assert.equal(taskForKey("5", 4), null);
  assert.equal(taskForKey("0", 4), null);
  assert.equal(taskForKey("a", 4), null);
  assert.equal(taskForKey("Enter", 4), null);
  assert.equal(taskForKey("12", 4), null);
});

test("a goroutine's lines are marked in words: ran, next, waits", () => {
  load({ variant: "locked", tasks: 2 });
  const st = steps(0, 0).state; // task 0 holds mu and has read v
  assert.deepEqual(lineMarks(st.tasks[0]).map((l) => l.mark), ["ran", "ran", "next", "", ""]);
  assert.deepEqual(lineMarks(st.tasks[1]).map((l) => l.mark), ["waits", "", "", "", ""]);
  assert.equal(lineMarks(st.tasks[1])[0].code, "mu.Lock()");
  assert.equal(vText(st.tasks[0]), "v = 0");
  assert.equal(vText(st.tasks[1]), "v: not read yet");
  assert.equal(taskStatus(st.tasks[1]), "Blocked: task 1's mu.Lock() waits: mu is held by task 0.");
  assert.equal(taskStatus(st.tasks[0]), "Ready: its next step is line 3.");
  assert.equal(lockText(st.locks[0]), "mu is held by task 0; waiting: task 1");
  assert.equal(historyText(st.history[1], 1), `2. task 0, line 2: v, _ := c.Get("count")  (v = 0, count = 0)`);
  assert.equal(hasLocalV(st.tasks[0]), true);
  assert.equal(hasLocalV(load({ variant: "update" }).tasks[0]), false);
  const free = load({ variant: "deadlock" }).locks;
  assert.equal(lockText(free[0]), "a is free; nobody waits");
});

test("the outcome: a lost update, none lost, a deadlock in the runtime's words", () => {
  load({ variant: "unlocked", tasks: 2 });
  assert.equal(outcomeText(go("stepState").state), "");
  const lost = steps(0, 1, 0, 1, 0, 1).state;
  assert.equal(outcomeText(lost), "Done in 6 steps: the count is 1, expected 2. An update was lost: a task read the count before another task's Set, then wrote over it.");
  assert.deepEqual(summaryLesson(lost), { id: "interleave", variant: "unlocked", result: { expected: 2, actual: 1, steps: 6, deadlock: 0 } });
  load({ variant: "update", tasks: 2 });
  const kept = steps(1, 0).state;
  assert.match(outcomeText(kept), /count is 2, expected 2\. No update was lost\.$/);
  load({ variant: "deadlock", tasks: 2 });
  const dead = steps(0, 1).state;
  const text = outcomeText(dead);
  assert.ok(text.startsWith("fatal error: all goroutines are asleep - deadlock!"), text);
  assert.match(text, /a is held by task 0/);
  assert.match(text, /b is held by task 1/);
  assert.deepEqual(summaryLesson(dead).result, { expected: 2, actual: 0, steps: 2, deadlock: 1 });
  const refused = go("stepStep", 0).result;
  assert.match(refusalText(refused), /^Step refused: fatal error: all goroutines are asleep/);
});

test("publicState: idle before a step, running, stopped once over", () => {
  const st = load({ variant: "update", tasks: 2 });
  assert.equal(publicState(st), "idle");
  assert.equal(publicState(steps(0).state), "running");
  assert.equal(publicState(steps(1).state), "stopped");
  assert.equal(summaryLesson(st), null, "no summary before the end");
  assert.equal(publicState(null), null);
});

test("freeText says how often, and why so rarely in the browser", () => {
  const res = { variant: "unlocked", tasks: 2, runs: 10000, expected: 2, lost: 3, lowest: 1, procs: 1 };
  const t = freeText(res);
  assert.match(t, /10,000 times in this browser: 3 runs lost an update \(0\.03 %\), the lowest count was 1 of 2\./);
  assert.match(t, /GOMAXPROCS is 1: every goroutine shares one thread and none is preempted/);
  assert.match(freeText({ ...res, lost: 0 }), /0 runs lost an update \(0 %\)/);
});

// A fake world for EmbedAPI's step messages: the playground's scene side
// idle, its step mode the real Go session behind a stand-in for StepMode
// (the same methods and "change" events).
function world({ active = false } = {}) {
  const posts = [];
  const parent = { postMessage: (msg) => posts.push(msg) };
  const listeners = [];
  const win = { parent, addEventListener: (t, f) => listeners.push(f) };
  const step = new EventTarget();
  step.active = active;
  step.activated = [];
  const answer = (res) => {
    if (res.state) setTimeout(() => step.dispatchEvent(new CustomEvent("change", { detail: res.state })), 0);
    return res;
  };
  step.load = async (o) => answer(go("stepLoad", o));
  step.step = async (t) => answer(go("stepStep", t));
  step.undo = async () => answer(go("stepUndo"));
  step.reset = async () => answer(go("stepReset"));
  step.activate = (on) => step.activated.push(on);
  const pg = {
    state: "idle", events: new EventTarget(), step, model: { scene: null },
    go: { async call() { throw new Error("no scene calls expected"); } },
  };
  const api = new EmbedAPI({ win, origin: null, pg, pollMs: 1 });
  const send = async (data) => {
    for (const f of listeners) f({ data, source: parent, origin: "https://host.example" });
    await api.queue;
    await new Promise((r) => setTimeout(r, 5));
  };
  return { api, posts, send, step, of: (type) => posts.filter((m) => m.type === type) };
}

test("checkMessage: a lesson load, a step, an undo", () => {
  assert.deepEqual(checkMessage({ type: MSG.load, lesson: "interleave", variant: "locked", tasks: 3 }).msg, { type: MSG.load, lesson: "interleave", variant: "locked", tasks: 3 });
  assert.deepEqual(checkMessage({ type: MSG.step, task: 1 }).msg, { type: MSG.step, task: 1 });
  assert.deepEqual(checkMessage({ type: MSG.undo }).msg, { type: MSG.undo });
  for (const [data, field] of [
    [{ type: MSG.load, lesson: 5 }, "lesson"],
    [{ type: MSG.step }, "task"],
    [{ type: MSG.step, task: "1" }, "task"],
    [{ type: MSG.step, task: 1.5 }, "task"],
    [{ type: MSG.step, task: NaN }, "task"],
  ]) {
    const r = checkMessage(data);
    assert.equal(r.ok, false, JSON.stringify(data));
    assert.equal(r.error.errors[0].field, field, JSON.stringify(data));
  }
});

test("EmbedAPI: load interleave, lose an update by steps, the summary and the states", async () => {
  const w = world();
  await w.send({ type: MSG.step, task: 0 });
  assert.equal(w.posts.at(-1).type, MSG.error, "a step before the lesson is loaded is refused");
  await w.send({ type: MSG.load, lesson: "interleave", variant: "unlocked", tasks: 2 });
  assert.deepEqual(w.of(MSG.loaded)[0], { type: MSG.loaded, lesson: { id: "interleave", variant: "unlocked", tasks: 2 } });
  assert.deepEqual(w.step.activated, [true]);
  for (const task of [0, 1, 0, 1, 0]) await w.send({ type: MSG.step, task });
  await w.send({ type: MSG.step, task: 1 });
  const stepped = w.of(MSG.stepped);
  assert.equal(stepped.length, 6);
  assert.deepEqual(stepped.at(-1), { type: MSG.stepped, task: 1, ok: true, reason: "", count: 1, done: true });
  assert.deepEqual(stepped[0], { type: MSG.stepped, task: 0, ok: true, reason: "", count: 0, done: false });
  const sums = w.of(MSG.summary);
  assert.equal(sums.length, 1);
  assert.deepEqual(sums[0].lesson, { id: "interleave", variant: "unlocked", result: { expected: 2, actual: 1, steps: 6, deadlock: 0 } });
  assert.deepEqual(Object.keys(sums[0].stats), [...STAT_NAMES]);
  assert.deepEqual(w.of(MSG.state).map((m) => m.state), ["idle", "running", "stopped"]);
  // The summary comes after the step's own answer.
  assert.ok(w.posts.indexOf(stepped.at(-1)) < w.posts.indexOf(sums[0]));
  // A step after the end is refused, and says why; nothing is summarised again.
  await w.send({ type: MSG.step, task: 0 });
  assert.deepEqual(w.of(MSG.stepped).at(-1), { type: MSG.stepped, task: 0, ok: false, reason: "task 0 has finished", count: 1, done: true });
  // Undo answers stepped for the state it went back to, and a new end is a new summary.
  await w.send({ type: MSG.undo });
  assert.deepEqual(w.of(MSG.stepped).at(-1), { type: MSG.stepped, task: 1, ok: true, reason: "", count: 1, done: false });
  await w.send({ type: MSG.step, task: 1 });
  assert.equal(w.of(MSG.summary).length, 2);
  assert.deepEqual(w.of(MSG.state).map((m) => m.state), ["idle", "running", "stopped", "running", "stopped"]);
  await w.send({ type: MSG.reset });
  assert.equal(w.of(MSG.state).at(-1).state, "idle");
  assert.equal(go("stepState").state.history.length, 0);
});

test("EmbedAPI: a refused lesson load names the field and changes nothing", async () => {
  const w = world();
  await w.send({ type: MSG.load, lesson: "interleave", variant: "locked", tasks: 2 });
  const before = go("stepState");
  for (const [data, field] of [
    [{ type: MSG.load, lesson: "interleave", variant: "nope" }, "variant"],
    [{ type: MSG.load, lesson: "interleave", tasks: 9 }, "tasks"],
    [{ type: MSG.load, lesson: "interleave", tasks: "2" }, "tasks"],
    [{ type: MSG.load, lesson: "no-such-lesson" }, "lesson"],
  ]) {
    await w.send(data);
    const err = w.posts.at(-1);
    assert.equal(err.type, MSG.error, JSON.stringify(data));
    assert.equal(err.for, MSG.load);
    assert.equal(err.errors[0].field, field, JSON.stringify(data));
  }
  assert.deepEqual(go("stepState"), before);
  // In locked, task 1's Lock after task 0's is refused, naming task 0.
  await w.send({ type: MSG.step, task: 0 });
  await w.send({ type: MSG.step, task: 1 });
  const r = w.of(MSG.stepped).at(-1);
  assert.equal(r.ok, false);
  assert.match(r.reason, /held by task 0/);
  await w.send({ type: MSG.step, task: 9 });
  assert.equal(w.of(MSG.stepped).at(-1).reason, "there is no task 9 (the tasks are 0 to 1)");
});

test("EmbedAPI: deadlock's schedule 0,1 ends the run with deadlock 1 and refuses every later step", async () => {
  const w = world({ active: true });
  await w.send({ type: MSG.load, lesson: "interleave", variant: "deadlock" });
  await w.send({ type: MSG.step, task: 0 });
  await w.send({ type: MSG.step, task: 1 });
  assert.equal(w.of(MSG.stepped).at(-1).done, true);
  assert.equal(w.of(MSG.summary)[0].lesson.result.deadlock, 1);
  for (const task of [0, 1]) {
    await w.send({ type: MSG.step, task });
    const r = w.of(MSG.stepped).at(-1);
    assert.equal(r.ok, false);
    assert.match(r.reason, /all goroutines are asleep/);
  }
});
