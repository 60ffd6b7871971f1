// The model's apply, on records built by hand with the spec's layout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spec, records, lockFlags } from "./spec.js";
import { SceneModel, JANITOR, SCENE } from "../web/model.js";

const scene = { ...spec.defaults, tasks: 3, locking: "mutex" };
const start = { kind: "sceneStart", t: 0, task: SCENE, aux: 3 };

function model(...events) {
  const m = new SceneModel(spec);
  m.reset(scene);
  m.apply(records(start, ...events));
  return m;
}

/** states returns a lane's segments as [state, start] pairs. */
function states(m, lane) {
  const l = m.lanes[lane];
  return Array.from({ length: l.count }, (_, i) => [l.seg(i).s, l.t0(i)]);
}

test("a task's lane follows its operation through the lock", () => {
  const get = spec.ops.indexOf("get");
  const m = model(
    { kind: "think", t: 1, task: 2, key: 5, aux: get, dur: 10 },
    { kind: "opStart", t: 11, task: 2, key: 5, aux: get },
    { kind: "lockWait", t: 12, task: 2, key: 5, flags: lockFlags(true, "get") },
  );
  assert.deepEqual(m.waiters.map((w) => [w.lane, w.shared, spec.lockOps[w.lockOp]]), [[3, true, "get"]]);
  m.apply(records(
    { kind: "lockAcquired", t: 15, task: 2, key: 5, dur: 3, flags: lockFlags(true, "get") },
  ));
  assert.equal(m.waiters.length, 0, "the waiter that got the lock is no longer waiting");
  assert.deepEqual([...m.holders.keys()], [3]);
  assert.equal(m.holders.get(3).waited, 3);
  assert.equal(m.maxReaders, 1);
  m.apply(records(
    { kind: "lockReleased", t: 20, task: 2, key: 5, dur: 5, flags: lockFlags(true, "get") },
    { kind: "opEnd", t: 21, task: 2, key: 5, aux: get, flags: spec.flags.ok },
  ));
  assert.equal(m.holders.size, 0);
  assert.deepEqual(states(m, 3), [["think", 1], ["run", 11], ["lockWait", 12], ["lockRead", 15], ["run", 20], ["idle", 21]]);
  assert.equal(m.thinkCount, 1);
  assert.equal(m.thinkAsked, 10);
  assert.equal(m.thinkRan, 10);
  assert.equal(m.now, 21);
});

test("a lock's flags are read with the spec's codes", () => {
  const m = model({ kind: "lockAcquired", t: 5, task: 0, key: 1, dur: 2, flags: lockFlags(false, "delete") });
  const h = m.holders.get(1);
  assert.equal(h.shared, false);
  assert.equal(spec.lockOps[h.lockOp], "delete");
  assert.equal(m.lanes[1].state, "lockWrite");
  const [line] = m.logLines(new Set(["lock"]), "", 10);
  assert.equal(line.text, "Holds the lock for delete key1, after waiting 2.0 ms.", "a sync.Mutex has no writer: its lock is exclusive");
});

test("an exclusive holder replaces the holders of its shard", () => {
  const m = model(
    { kind: "lockAcquired", t: 1, task: 0, flags: lockFlags(true, "get") },
    { kind: "lockAcquired", t: 2, task: 1, flags: lockFlags(true, "get") },
  );
  assert.equal(m.maxReaders, 2);
  m.apply(records({ kind: "lockAcquired", t: 3, task: 2, flags: lockFlags(false, "set") }));
  assert.deepEqual([...m.holders.keys()], [3]);
});

test("the janitor's sweep is its lane's state", () => {
  const m = model(
    { kind: "sweepStart", t: 100, task: JANITOR, aux: 4 },
    { kind: "lockAcquired", t: 100, task: JANITOR, flags: lockFlags(false, "sweep") },
    { kind: "cacheExpire", t: 101, task: JANITOR, key: 2 },
    { kind: "lockReleased", t: 102, task: JANITOR, dur: 2, flags: lockFlags(false, "sweep") },
    { kind: "sweepEnd", t: 102, task: JANITOR, key: 3, aux: 1, dur: 2 },
  );
  assert.deepEqual(states(m, 0), [["sweep", 100], ["idle", 102]]);
  assert.deepEqual(m.sweeps, [{ t: 102, removed: 1, remaining: 3, took: 2, n: 1 }]);
  assert.equal(m.flashes.get(2).what, "swept");
});

test("events of an earlier scene, before sceneStart, are skipped", () => {
  const m = new SceneModel(spec);
  m.reset(scene);
  const n = m.apply(records(
    { kind: "cacheSet", t: 900, task: 0, key: 1, dur: 50 },
    start,
    { kind: "cacheSet", t: 3, task: 0, key: 2, dur: 50 },
  ));
  assert.equal(n, 3);
  assert.deepEqual([...m.entries.keys()], [2]);
  assert.equal(m.now, 3);
  assert.equal(m.takeSnapshot({ sceneMs: 40, state: "running" }), true);
  assert.equal(m.now, 40);
});

test("a snapshot before the scene's first event is not taken", () => {
  const m = new SceneModel(spec);
  m.reset(scene);
  assert.equal(m.takeSnapshot({ sceneMs: 40, poolTimeouts: 9 }), false);
  assert.equal(m.snapshot, null);
});

test("the cache's entries, and a miss on an expired one", () => {
  const m = model(
    { kind: "cacheSet", t: 1, task: 0, key: 4, dur: 100 },
    { kind: "cacheSet", t: 2, task: 1, key: 5 },
    { kind: "cacheMiss", t: 150, task: 1, key: 4, flags: spec.flags.expired },
    { kind: "cacheMiss", t: 151, task: 1, key: 6 },
  );
  assert.deepEqual(m.entries.get(4), { setAt: 1, ttl: 100, expires: 101 });
  assert.equal(m.entries.get(5).expires, Infinity);
  assert.equal(m.flashes.get(4).what, "expired");
  assert.equal(m.flashes.get(6).what, "miss");
  const texts = m.logLines(new Set(["cache"]), "", 10).map((l) => l.text);
  assert.match(texts[2], /key4 has expired/);
  assert.equal(texts[3], "Cache: key6 is not in the cache.");
  m.apply(records({ kind: "cacheDelete", t: 160, task: 0, key: 5 }, { kind: "cacheEvict", t: 161, task: 0, key: 4 }));
  assert.equal(m.entries.size, 0);
});

test("the pool's queue and connections", () => {
  const m = model(
    { kind: "poolAcquireStart", t: 1, task: 0 },
    { kind: "poolConstructing", t: 1, task: 0, aux: 1 },
    { kind: "poolAcquireStart", t: 2, task: 1 },
    { kind: "poolWaiting", t: 2, task: 1, aux: 1 },
    { kind: "poolAcquireStart", t: 3, task: 2 },
    { kind: "poolWaiting", t: 3, task: 2, aux: 2 },
  );
  assert.deepEqual(m.poolWaiters.map((w) => w.task), [1, 2]);
  assert.equal(m.slots.get(1).state, "opening");
  m.apply(records(
    { kind: "poolAcquired", t: 10, task: 0, aux: 1, dur: 9, flags: spec.flags.created },
    { kind: "poolAcquireFailed", t: 12, task: 2, dur: 9, flags: spec.flags.fails.indexOf("timeout") },
  ));
  assert.deepEqual(m.poolWaiters.map((w) => w.task), [1], "the task that gave up left the queue");
  assert.deepEqual(m.slots.get(1), { state: "inUse", task: 0, since: 10, waited: 9 });
  m.apply(records(
    { kind: "poolReleased", t: 20, task: 0, aux: 1, dur: 10 },
    { kind: "poolAcquired", t: 20, task: 1, aux: 1, dur: 18 },
    { kind: "poolDestroyed", t: 30, task: SCENE, aux: 1, flags: spec.flags.destroyReasons.indexOf("closed") },
  ));
  assert.deepEqual(m.poolWaiters, []);
  assert.equal(m.slots.size, 0);
  assert.deepEqual(states(m, 3), [["poolWait", 3], ["run", 12]]);
  const texts = m.logLines(new Set(["pool"]), "", 20).map((l) => l.text);
  assert.ok(texts.includes("Got connection #1 (new) after 9.0 ms."), texts.join("\n"));
  assert.ok(texts.includes("Gave up waiting for a connection after 9.0 ms (timeout)."), texts.join("\n"));
  assert.ok(texts.includes("Connection #1 closed: the pool was closed."), texts.join("\n"));
});

test("a caller that gives up frees the connection being opened for it", () => {
  const m = model(
    { kind: "poolConstructing", t: 1, task: 0, aux: 7 },
    { kind: "poolAcquireFailed", t: 5, task: 0, flags: spec.flags.fails.indexOf("canceled") },
  );
  assert.equal(m.slots.size, 0);
  assert.equal(m.logLines(new Set(["pool"]), "", 5).at(-1).text, "Stopped while waiting for a connection.");
});

test("sceneStop ends every lane and empties the queues", () => {
  const m = model(
    { kind: "lockWait", t: 1, task: 0, flags: lockFlags(false, "set") },
    { kind: "lockAcquired", t: 1, task: 1, flags: lockFlags(false, "set") },
    { kind: "poolWaiting", t: 1, task: 2, aux: 1 },
    { kind: "sceneStop", t: 9, task: SCENE },
  );
  assert.equal(m.state, "stopped");
  assert.equal(m.waiters.length + m.holders.size + m.poolWaiters.length, 0);
  assert.ok(m.lanes.every((l) => l.state === "idle"));
});

test("aggregated records count what did not fit, by kind name", () => {
  const m = model({ kind: "aggregated", t: 5, task: SCENE, key: spec.kinds.indexOf("cacheHit"), aux: 1234 });
  assert.equal(m.aggregatedTotal, 1234);
  assert.deepEqual([...m.aggregated], [["cacheHit", 1234]]);
});

test("every kind the log shows has words", () => {
  const m = model();
  for (const [i, kind] of spec.kinds.entries()) {
    if (i === 0 || m.noLog[i]) continue; // none: never emitted
    const text = m.describe({ kind, t: 0, dur: 1, flags: 0, task: 0, key: 1, aux: 1 });
    assert.notEqual(text, kind, `the page does not describe ${kind}`);
  }
});

test("the task-level events are not logged", () => {
  const m = model(
    { kind: "think", t: 1, task: 0, dur: 5 },
    { kind: "opStart", t: 6, task: 0 },
    { kind: "opEnd", t: 7, task: 0 },
  );
  assert.equal(m.logTotal, 1); // sceneStart
});

test("a handler for a kind the engine does not have is refused", () => {
  const kinds = spec.kinds.filter((k) => k !== "poolDestroyed");
  assert.throws(() => new SceneModel({ ...spec, kinds }), /no event kind poolDestroyed/);
});
