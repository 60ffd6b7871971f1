// SceneModel turns the engine's event records into the picture the page
// draws: what every goroutine is doing, who holds and who waits for the
// lock, what the cache holds and what has expired, the pool's connections
// and its queue, and a log. It keeps nothing it cannot bound: timelines are
// pruned to a window of scene time and the log is a ring.
//
// What each kind of event does to the picture, and what the log says of
// it, is in kinds.js; a goroutine's states over time are Lanes (lane.js).
//
// It names nothing the engine defines: a record's size and field offsets,
// its kinds' names and its flag codes come from the scene spec (sceneSpec in
// wasm/scene.go; wasm/engine's events.go and package doc say what each
// field of each kind means).

import { Lane, STATE_ID } from "./lane.js";
import { KINDS } from "./kinds.js";

export const JANITOR = -1;
export const SCENE = -2;

const LOG_CAPACITY = 4096;

export class SceneModel {
  constructor(spec) {
    this.spec = spec;
    this.K = Object.fromEntries(spec.kinds.map((name, i) => [name, i]));
    this.F = spec.flags;
    this.R = spec.record;
    this.size = spec.eventSize;
    // KINDS (kinds.js) names kinds as the engine does; here it becomes arrays
    // indexed by kind number. A name the engine does not know is a mistake.
    for (const name of Object.keys(KINDS)) {
      if (!(name in this.K)) throw new Error(`model: the engine has no event kind ${name}`);
    }
    const kinds = spec.kinds.map((name) => KINDS[name]);
    this.on = kinds.map((k) => (k && k.apply) || null);
    this.noLog = Uint8Array.from(kinds, (k) => (k && k.log === false ? 1 : 0));
    this.ops = spec.ops;
    this.lockOps = spec.lockOps;
    this.reset(spec.defaults);
  }

  /** reset clears the picture for a new scene. */
  reset(scene) {
    this.epoch = (this.epoch || 0) + 1; // views that cache drawings redraw
    // A batch of the previous scene may still be on its way: skip whatever
    // comes before the new scene's first event, sceneStart.
    this.awaitingStart = true;
    this.scene = scene;
    this.snapshot = null; // the engine's latest numbers (Engine.Snapshot)
    this.now = 0; // the latest scene time seen
    this.state = "idle";
    this.lanes = [];
    // Keep about two million segments in all: a few seconds more than the
    // widest window for a thousand busy goroutines, much more for a few.
    const cap = Math.max(256, Math.min(16384, 2 ** Math.floor(Math.log2(2e6 / (scene.tasks + 1)))));
    for (let i = 0; i <= scene.tasks; i++) this.lanes.push(new Lane(i - 1, cap));
    this.holders = new Map(); // lane index -> {shared, lockOp, key, shard, since, waited}
    this.waiters = []; // {lane, shared, lockOp, key, shard, since}, in order
    this.maxReaders = 0; // the most goroutines that held a read lock at once
    this.maxPerShard = 0; // the most goroutines that held one lock (one shard's) at once
    this.maxShards = 0; // the most locks (shards) held at once
    // Arrival against acquisition: a sync.Mutex is not first in, first
    // out. An acquisition overtakes when a goroutine that asked for the
    // same lock earlier (its lockWait came first) is still waiting.
    this.acquisitions = 0;
    this.overtakes = 0;
    this.lastOvertake = null; // {lane, ahead, t}
    this.entries = new Map(); // key -> {setAt, ttl, expires}
    this.flashes = new Map(); // key -> {what, at}
    this.recent = new Map(); // the keys set most recently, oldest first (for big key spaces)
    this.sweeps = []; // the last sweeps: {t, removed, remaining, took, n}
    this.sweepCount = 0;
    this.slots = new Map(); // connection id -> {state, task, since, waited}
    this.poolWaiters = []; // {task, since, position}
    this.aggregated = new Map(); // kind name -> events folded
    this.aggregatedTotal = 0;
    this.events = 0; // records read since the reset
    this.thinkAsked = 0;
    this.thinkRan = 0;
    this.thinkCount = 0;
    this.pendingThink = new Map(); // lane -> {t, asked}
    // The log: a ring of raw records, formatted only when shown.
    this.logT = new Float64Array(LOG_CAPACITY);
    this.logDur = new Float64Array(LOG_CAPACITY);
    this.logI = new Int32Array(LOG_CAPACITY * 5); // kind, flags, task, key, aux
    this.logNext = 0;
    this.logTotal = 0;
  }

  laneName(lane) {
    return lane === 0 ? "janitor" : `task ${lane - 1}`;
  }

  taskName(task) {
    if (task === JANITOR) return "janitor";
    if (task === SCENE) return "scene";
    return `task ${task}`;
  }

  keyName(key) {
    return key >= 0 ? `key${key}` : "";
  }

  /** apply reads every record in buf (an ArrayBuffer) and returns how many it read. */
  apply(buf) {
    const view = new DataView(buf);
    const { R, size } = this;
    const n = Math.floor(buf.byteLength / size);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      this.#event(
        view.getFloat64(o + R.t, true),
        view.getFloat64(o + R.dur, true),
        view.getUint16(o + R.kind, true),
        view.getUint16(o + R.flags, true),
        view.getInt32(o + R.task, true),
        view.getInt32(o + R.key, true),
        view.getInt32(o + R.aux, true),
      );
    }
    this.events += n;
    return n;
  }

  /** takeSnapshot keeps the engine's numbers (a parsed Snapshot), once the scene's first event has come. */
  takeSnapshot(s) {
    if (this.awaitingStart) return false;
    this.snapshot = s;
    if (s.sceneMs > this.now) this.now = s.sceneMs;
    return true;
  }

  /** setLane starts a segment of state in a lane, unless the lane is in it already (for KINDS). */
  setLane(lane, state, t, op, key) {
    const l = this.lanes[lane];
    if (!l) return;
    if (l.state === state && l.key === key && l.op === op) return;
    l.push(STATE_ID[state], t, op, key);
    l.state = state;
    l.op = op;
    l.key = key;
  }

  #log(t, dur, kind, flags, task, key, aux) {
    const i = this.logNext;
    this.logT[i] = t;
    this.logDur[i] = dur;
    const j = i * 5;
    this.logI[j] = kind;
    this.logI[j + 1] = flags;
    this.logI[j + 2] = task;
    this.logI[j + 3] = key;
    this.logI[j + 4] = aux;
    this.logNext = (i + 1) % LOG_CAPACITY;
    this.logTotal++;
  }

  #event(t, dur, kind, flags, task, key, aux) {
    if (this.awaitingStart) {
      if (kind !== this.K.sceneStart) return;
      this.awaitingStart = false;
    }
    if (t > this.now) this.now = t;
    const lane = task >= JANITOR ? task + 1 : -1;
    const on = this.on[kind];
    if (on) on.call(this, t, dur, flags, task, key, aux, lane, this.lanes[lane]);
    if (!this.noLog[kind]) this.#log(t, dur, kind, flags, task, key, aux);
  }

  /** category returns the log category of a kind number. */
  category(kind) {
    const name = this.spec.kinds[kind] || "";
    if (name.startsWith("lock")) return "lock";
    if (name.startsWith("pool")) return "pool";
    if (name.startsWith("sweep") || name === "cacheExpire") return "janitor";
    if (name.startsWith("cache")) return "cache";
    if (name.startsWith("load") || name.startsWith("op") || name === "think") return "task";
    return "scene";
  }

  /**
   * logLines returns up to max of the most recent log lines whose category
   * is in cats and whose text includes filter, newest last; with after,
   * only those numbered (seq) after it.
   */
  logLines(cats, filter, max, after = -1) {
    const out = [];
    const have = Math.min(this.logTotal, LOG_CAPACITY, this.logTotal - 1 - after);
    const f = filter ? filter.toLowerCase() : "";
    for (let n = 0; n < have && out.length < max; n++) {
      const i = (this.logNext - 1 - n + LOG_CAPACITY) % LOG_CAPACITY;
      const j = i * 5;
      const kind = this.logI[j];
      const cat = this.category(kind);
      if (!cats.has(cat)) continue;
      const line = {
        t: this.logT[i],
        dur: this.logDur[i],
        kind: this.spec.kinds[kind],
        flags: this.logI[j + 1],
        task: this.logI[j + 2],
        key: this.logI[j + 3],
        aux: this.logI[j + 4],
        cat,
        seq: this.logTotal - 1 - n, // the line's number since the scene started
      };
      line.who = this.taskName(line.task);
      line.text = this.describe(line);
      if (f && !(`${line.who} ${line.text}`.toLowerCase().includes(f))) continue;
      out.push(line);
    }
    return out.reverse();
  }

  /** describe says what an event means, in the lesson's words. */
  describe(e) {
    const k = KINDS[e.kind];
    return k && k.text ? k.text.call(this, e, this.keyName(e.key)) : e.kind;
  }
}
