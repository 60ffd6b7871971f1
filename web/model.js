// SceneModel turns the engine's event records into the picture the page
// draws: what every goroutine is doing, who holds and who waits for the
// lock, what the cache holds and what has expired, the pool's connections
// and its queue, and a log. It keeps nothing it cannot bound: timelines are
// pruned to a window of scene time and the log is a ring.
//
// A goroutine's states over time are Lanes (lane.js).
//
// It names nothing the engine defines: a record's size and field offsets,
// its kinds' names and its flag codes come from the scene spec (sceneSpec in
// wasm/scene.go; wasm/engine's events.go and package doc say what each
// field of each kind means).

import { Lane, STATE_ID } from "./lane.js";

export const JANITOR = -1;
export const SCENE = -2;

const LOG_CAPACITY = 4096;

/** What a poolAcquireFailed line says, by the failure's name (engine.Flags().Fails); waited is formatted. */
const FAILED = {
  __proto__: null,
  timeout: (waited) => `Gave up waiting for a connection after ${waited} (timeout).`,
  closed: () => "The pool is closed.",
  constructor: () => "Opening a connection failed.",
  canceled: () => "Stopped while waiting for a connection.",
};

/** Why a connection was closed, by the reason's name (engine.Flags().DestroyReasons, the pool's DestroyReason). */
const DESTROYED = {
  __proto__: null,
  broken: "its holder destroyed it",
  "idle timeout": "it stayed idle too long",
  "max lifetime": "it reached its maximum lifetime",
  unhealthy: "its health check failed",
  closed: "the pool was closed",
};

/** removeWhere drops the first item of list that match accepts, if any. */
function removeWhere(list, match) {
  const i = list.findIndex(match);
  if (i >= 0) list.splice(i, 1);
}

export class SceneModel {
  constructor(spec) {
    this.spec = spec;
    this.K = Object.fromEntries(spec.kinds.map((name, i) => [name, i]));
    this.F = spec.flags;
    this.R = spec.record;
    this.size = spec.eventSize;
    // on[kind number] is the handler of that kind, from the table below,
    // which names kinds as the engine does (kinds without a handler are
    // only logged). A name the engine does not know is a mistake here.
    for (const name of Object.keys(SceneModel.#ON)) {
      if (!(name in this.K)) throw new Error(`model: the engine has no event kind ${name}`);
    }
    this.on = spec.kinds.map((name) => SceneModel.#ON[name] || null);
    this.noLog = new Uint8Array(spec.kinds.length);
    for (const name of ["think", "opStart", "opEnd"]) this.noLog[this.K[name]] = 1;
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

  #setLane(lane, state, t, op, key) {
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

  #dropLockWaiter(lane) {
    removeWhere(this.waiters, (w) => w.lane === lane);
  }

  #dropPoolWaiter(task) {
    removeWhere(this.poolWaiters, (w) => w.task === task);
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

  /**
   * #ON is what each kind of event does to the picture, by the kind's name
   * (engine.KindNames). A handler gets the record's fields, then the lane
   * of its task (0 the janitor) and that Lane, undefined for the scene.
   */
  static #ON = {
    sceneStart() {
      this.state = "running";
    },
    scenePause() {
      this.state = "paused";
    },
    sceneResume() {
      this.state = "running";
    },
    sceneStop(t) {
      this.state = "stopped";
      for (let i = 0; i < this.lanes.length; i++) this.#setLane(i, "idle", t, 0, -1);
      this.waiters = [];
      this.holders.clear();
      this.poolWaiters = [];
    },
    think(t, dur, flags, task, key, aux, lane, lk) {
      if (!lk) return;
      this.holders.delete(lane);
      this.#dropLockWaiter(lane);
      this.pendingThink.set(lane, { t, asked: dur });
      this.#setLane(lane, "think", t, aux, key);
    },
    opStart(t, dur, flags, task, key, aux, lane, lk) {
      const p = this.pendingThink.get(lane);
      if (p) {
        this.thinkAsked += p.asked;
        this.thinkRan += t - p.t;
        this.thinkCount++;
        this.pendingThink.delete(lane);
      }
      if (lk) this.#setLane(lane, "run", t, aux, key);
    },
    opEnd(t, dur, flags, task, key, aux, lane, lk) {
      if (!lk) return;
      this.holders.delete(lane);
      this.#dropLockWaiter(lane);
      this.#setLane(lane, "idle", t, 0, -1);
    },
    lockWait(t, dur, flags, task, key, aux, lane, lk) {
      const shared = (flags & this.F.shared) !== 0;
      const lockOp = flags >> this.F.lockOpShift;
      this.#dropLockWaiter(lane);
      this.waiters.push({ lane, shared, lockOp, key, shard: aux, since: t });
      if (lk) this.#setLane(lane, "lockWait", t, lk.op, key);
    },
    lockAcquired(t, dur, flags, task, key, aux, lane, lk) {
      const shared = (flags & this.F.shared) !== 0;
      const lockOp = flags >> this.F.lockOpShift;
      this.#dropLockWaiter(lane);
      if (!shared) {
        // An exclusive lock: nobody else holds this shard (heals the
        // picture if a release was folded into an aggregate).
        for (const [l, h] of this.holders) if (h.shard === aux) this.holders.delete(l);
      }
      this.holders.set(lane, { shared, lockOp, key, shard: aux, since: t, waited: dur });
      if (shared) {
        let readers = 0;
        for (const h of this.holders.values()) if (h.shared && h.shard === aux) readers++;
        if (readers > this.maxReaders) this.maxReaders = readers;
      }
      if (lk) this.#setLane(lane, lane === 0 ? "sweep" : shared ? "lockRead" : "lockWrite", t, lk.op, key);
    },
    lockReleased(t, dur, flags, task, key, aux, lane, lk) {
      this.holders.delete(lane);
      if (lk) this.#setLane(lane, lane === 0 ? "idle" : "run", t, lk.op, lk.key);
    },
    cacheSet(t, dur, flags, task, key) {
      this.entries.set(key, { setAt: t, ttl: dur, expires: dur > 0 ? t + dur : Infinity });
      this.recent.delete(key);
      this.recent.set(key, t);
      if (this.recent.size > 400) this.recent.delete(this.recent.keys().next().value);
      this.flashes.set(key, { what: "set", at: t });
    },
    cacheHit(t, dur, flags, task, key) {
      this.flashes.set(key, { what: "hit", at: t });
    },
    cacheMiss(t, dur, flags, task, key) {
      this.flashes.set(key, { what: flags & this.F.expired ? "expired" : "miss", at: t });
    },
    cacheDelete(t, dur, flags, task, key) {
      this.entries.delete(key);
      this.flashes.set(key, { what: "delete", at: t });
    },
    cacheEvict(t, dur, flags, task, key) {
      this.entries.delete(key);
      this.flashes.set(key, { what: "evict", at: t });
    },
    cacheExpire(t, dur, flags, task, key) {
      this.entries.delete(key);
      this.flashes.set(key, { what: "swept", at: t });
    },
    sweepStart(t) {
      this.#setLane(0, "sweep", t, 0, -1);
    },
    sweepEnd(t, dur, flags, task, key, aux) {
      this.#setLane(0, "idle", t, 0, -1);
      this.sweepCount++;
      this.sweeps.push({ t, removed: aux, remaining: key, took: dur, n: this.sweepCount });
      if (this.sweeps.length > 12) this.sweeps.shift();
    },
    loadStart(t, dur, flags, task, key, aux, lane, lk) {
      if (lk) this.#setLane(lane, "load", t, lk.op, key);
    },
    loadEnd(t, dur, flags, task, key, aux, lane, lk) {
      if (lk) this.#setLane(lane, "run", t, lk.op, key);
    },
    poolAcquireStart(t, dur, flags, task, key, aux, lane, lk) {
      if (lk) this.#setLane(lane, "poolWait", t, lk.op, -1);
    },
    poolWaiting(t, dur, flags, task, key, aux) {
      this.#dropPoolWaiter(task);
      this.poolWaiters.push({ task, since: t, position: aux });
    },
    poolConstructing(t, dur, flags, task, key, aux, lane, lk) {
      this.slots.set(aux, { state: "opening", task, since: t });
      if (lk) this.#setLane(lane, "poolOpen", t, lk.op, -1);
    },
    poolAcquired(t, dur, flags, task, key, aux, lane, lk) {
      this.#dropPoolWaiter(task);
      this.slots.set(aux, { state: "inUse", task, since: t, waited: dur });
      if (lk) this.#setLane(lane, "poolUse", t, lk.op, -1);
    },
    poolAcquireFailed(t, dur, flags, task, key, aux, lane, lk) {
      this.#dropPoolWaiter(task);
      // A connection being opened for this caller was abandoned with it:
      // its slot is free again.
      for (const [id, s] of this.slots) if (s.state === "opening" && s.task === task) this.slots.delete(id);
      if (lk) this.#setLane(lane, "run", t, lk.op, -1);
    },
    poolReleased(t, dur, flags, task, key, aux, lane, lk) {
      this.slots.set(aux, { state: "idle", task: -1, since: t });
      if (lk) this.#setLane(lane, "run", t, lk.op, -1);
    },
    poolDestroyed(t, dur, flags, task, key, aux) {
      this.slots.delete(aux);
    },
    aggregated(t, dur, flags, task, key, aux) {
      const name = this.spec.kinds[key] || `kind ${key}`;
      this.aggregated.set(name, (this.aggregated.get(name) || 0) + aux);
      this.aggregatedTotal += aux;
    },
  };

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
    const F = this.F;
    const key = this.keyName(e.key);
    const ms = (x) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
    const lockDesc = () => `${e.flags & F.shared ? "read" : "write"} lock for ${this.lockOps[e.flags >> F.lockOpShift] || "?"}${key ? " " + key : ""}${this.scene.locking === "sharded" ? `, shard ${e.aux}` : ""}`;
    switch (e.kind) {
      case "sceneStart": return `Scene started: ${e.aux} tasks.`;
      case "scenePause": return "Scene paused: the clock is frozen.";
      case "sceneResume": return "Scene resumed.";
      case "sceneStop": return "Scene stopped: every goroutine has ended.";
      case "sceneSpeed": return `Speed set to ${(e.aux / 100).toFixed(2)}x.`;
      case "lockWait": return `Wants the ${lockDesc()}.`;
      case "lockAcquired": return `Holds the ${lockDesc()}, after waiting ${ms(e.dur)}.`;
      case "lockReleased": return `Released the ${lockDesc()}, held ${ms(e.dur)}.`;
      case "cacheSet": return `Cache: Inserted ${key}.${e.dur > 0 ? ` It expires in ${ms(e.dur)}.` : ""}`;
      case "cacheHit": return `Cache: Got ${key}.`;
      case "cacheMiss": return e.flags & F.expired ? `Cache: ${key} has expired: Get returns nothing, though no sweep has removed it yet.` : `Cache: ${key} is not in the cache.`;
      case "cacheDelete": return `Cache: Deleted ${key}.`;
      case "cacheEvict": return `Cache: Evicted ${key}, the least recently used entry, to stay within the bound.`;
      case "cacheExpire": return `Cache: Swept away expired ${key}.`;
      case "sweepStart": return `Cache: Running cleanup. Current size: ${e.aux}`;
      case "sweepEnd": return `Cache: Cleanup done: removed ${e.aux} expired, ${e.key} left, in ${ms(e.dur)}.`;
      case "loadStart": return `Loading ${key} (a miss in GetOrLoad).`;
      case "loadEnd": return e.flags & F.loadError ? `Loading ${key} failed.` : `Loaded ${key} in ${ms(e.dur)}.`;
      case "poolAcquireStart": return "Asks the pool for a connection.";
      case "poolWaiting": return `Waits for a connection: number ${e.aux} in line.`;
      case "poolConstructing": return `Opens connection #${e.aux}.`;
      case "poolAcquired": return `Got connection #${e.aux}${e.flags & F.created ? " (new)" : ""} after ${ms(e.dur)}.`;
      case "poolAcquireFailed": return FAILED[F.fails[e.flags]]?.(ms(e.dur)) || "Acquire failed.";
      case "poolReleased": return `Released connection #${e.aux}, held ${ms(e.dur)}.`;
      case "poolDestroyed": {
        const why = DESTROYED[F.destroyReasons[e.flags]];
        return `Connection #${e.aux} closed${why ? `: ${why}` : ""}.`;
      }
      case "aggregated": return `${e.aux} ${this.spec.kinds[e.key] || "?"} events came faster than the page could draw: counted, not shown one by one.`;
      default: return e.kind;
    }
  }
}
