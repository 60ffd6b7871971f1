// Issue 10's logic: the lock's words and order, the windowed rate, the
// experiment's cells and verdict, and the form's error summary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spec, records, lockFlags } from "./spec.js";
import { SceneModel, SCENE } from "../web/model.js";
import { holdWord } from "../web/kinds.js";
import { lockSummary, overtakeNote } from "../web/views.js";
import { RateWindow } from "../web/rate.js";
import { heldAtOnce, verdict, SUGGESTED_THINK_MS } from "../web/compare.js";
import { errorSummary } from "../web/sceneform.js";

function model(locking, ...events) {
  const m = new SceneModel(spec);
  m.reset({ ...spec.defaults, tasks: 4, locking });
  m.apply(records({ kind: "sceneStart", t: 0, task: SCENE, aux: 4 }, ...events));
  return m;
}

test("a sync.Mutex is exclusive; only an RWMutex has readers and writers", () => {
  assert.equal(holdWord("mutex", false), "exclusive");
  assert.equal(holdWord("sharded", false), "exclusive");
  assert.equal(holdWord("rwmutex", true), "read");
  assert.equal(holdWord("rwmutex", false), "write");
  assert.doesNotMatch(lockSummary("mutex", [[1, { shared: false, shard: 0 }]]), /writer|reader/);
  assert.match(lockSummary("rwmutex", [[1, { shared: true, shard: 0 }], [2, { shared: true, shard: 0 }]]), /2 readers/);
  assert.match(lockSummary("sharded", [[1, { shared: false, shard: 0 }], [2, { shared: false, shard: 3 }]]), /2 shard locks held, one goroutine each/);
  const m = model("mutex", { kind: "lockWait", t: 1, task: 0, key: 2, flags: lockFlags(false, "get") });
  const [line] = m.logLines(new Set(["lock"]), "", 5);
  assert.equal(line.text, "Wants the lock for get key2.");
});

/** locks makes lock events of one kind of lock: [kind, t, task, shard] each. */
function locks(flags, ...evs) {
  return evs.map(([kind, t, task, aux = 0]) => ({ kind, t, task, aux, flags }));
}

test("waiters keep their arrival order, and an acquisition ahead of earlier waiters is counted", () => {
  const get = lockFlags(false, "get");
  // task 3 arrives after 1 and 2, and takes the lock first: it barged.
  const m = model("mutex", ...locks(get, ["lockAcquired", 1, 0], ["lockWait", 2, 1], ["lockWait", 3, 2], ["lockReleased", 4, 0], ["lockWait", 5, 3], ["lockAcquired", 5, 3]));
  assert.deepEqual(m.waiters.map((w) => w.lane), [2, 3], "arrival order");
  assert.equal(m.acquisitions, 2);
  assert.equal(m.overtakes, 1);
  assert.deepEqual(m.lastOvertake, { lane: 4, ahead: 2, t: 5 });
  assert.equal(overtakeNote(m), "Out of arrival order: 1 of 2 acquisitions. Last: task 3 at 0.01 s, ahead of 2.");
  // The first waiter taking it next is in order.
  m.apply(records(...locks(get, ["lockReleased", 6, 3], ["lockAcquired", 7, 1])));
  assert.equal(m.overtakes, 1);
});

test("readers let in together do not overtake each other; other shards are not counted", () => {
  const m = model("rwmutex", ...locks(lockFlags(true, "get"), ["lockWait", 1, 0], ["lockWait", 1, 1], ["lockAcquired", 2, 1], ["lockAcquired", 2, 0]));
  assert.equal(m.overtakes, 0);
  assert.equal(m.maxReaders, 2);
  const s = model("sharded", ...locks(lockFlags(false, "get"), ["lockWait", 1, 0, 1], ["lockWait", 1, 1, 2], ["lockAcquired", 2, 1, 2], ["lockAcquired", 2, 2, 3]));
  assert.equal(s.overtakes, 0);
  assert.equal(s.maxShards, 2);
  assert.equal(s.maxPerShard, 1);
});

test("the operations rate is over a stated window, not the last gap", () => {
  const r = new RateWindow(2000);
  assert.equal(r.push(0, 0), null);
  // A steady 10 ops/s, finishing in bursts: 0 or 1 per 50 ms.
  const rates = [];
  for (let t = 50, n = 0; t <= 6000; t += 50) {
    if (t % 100 === 0) n++;
    rates.push(r.push(t, n));
  }
  for (const x of rates.slice(40)) assert.ok(Math.abs(x - 10) < 0.6, `rate ${x}`);
  // A new scene (time goes back) starts over.
  assert.equal(r.push(0, 0), null);
});

test("held at once: what is true for each locking", () => {
  assert.equal(heldAtOnce({ locking: "mutex", maxPerShard: 1 }), "1");
  assert.equal(heldAtOnce({ locking: "rwmutex", maxReaders: 5 }), "5 readers");
  assert.equal(heldAtOnce({ locking: "sharded", maxShards: 4, maxPerShard: 1 }), "4 shards, 1 each");
});

test("the verdict says what the numbers mean, and what would show a difference", () => {
  const row = (locking, opsPerSec, lockWaitMeanMs) => ({ locking, opsPerSec, lockWaitMeanMs });
  const close = verdict([row("mutex", 18, 40), row("rwmutex", 21, 5), row("sharded", 21, 2)], { thinkMs: 300, workMs: 10 });
  assert.match(close, /within 17 %/);
  assert.match(close, /only in lock wait \(mean: mutex 40\.0 ms, rwmutex 5\.0 ms, sharded 2\.0 ms\)/);
  assert.match(close, new RegExp(`think time to ${SUGGESTED_THINK_MS} ms`));
  const far = verdict([row("mutex", 18, 90), row("rwmutex", 79, 3), row("sharded", 85, 1)], { thinkMs: 20, workMs: 10 });
  assert.match(far, /^sharded got through 4\.7× the operations per second of mutex \(85 against 18\)/);
});

test("the error summary names each field and says what the link's unknown parameters were", () => {
  const fields = spec.fields;
  const s = errorSummary(fields, [
    { field: "tasks", message: "tasks must be …" },
    { field: "mix", message: "the operation mix needs at least one weight above 0" },
  ], [{ field: "taks", message: "the link's parameter \"taks\" is not a scene field and was ignored; the closest known name is \"tasks\"" }]);
  const tasks = fields.find((f) => f.name === "tasks");
  assert.ok(s.startsWith(`The scene cannot run: 2 fields need fixing: ${tasks.label}, the operation mix. The operation mix needs`), s);
  assert.match(s, /closest known name is "tasks"\.$/);
  assert.equal(errorSummary(fields, []), "");
});

test("the announcer says at most one thing a second, the latest", async () => {
  const { Announcer, MIN_GAP_MS } = await import("../web/announce.js");
  let now = 0;
  const timers = [];
  const said = [];
  const a = new Announcer({ set textContent(t) { said.push(t); } }, () => now, (f, ms) => timers.push({ f, at: now + ms }));
  a.say("Scene running.");
  now = 100;
  a.say("Scene stopped.");
  a.say("Scene running.");
  a.say("Scene stopped: every goroutine has ended.");
  assert.deepEqual(said, ["Scene running."]);
  assert.equal(timers.length, 1);
  assert.equal(timers[0].at, MIN_GAP_MS);
  now = timers[0].at;
  timers.shift().f();
  assert.deepEqual(said, ["Scene running.", "Scene stopped: every goroutine has ended."]);
  now += MIN_GAP_MS;
  a.say("Comparison finished.");
  assert.equal(said.length, 3);
});
