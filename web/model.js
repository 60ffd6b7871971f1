// SceneModel turns the engine's event records into the picture the page
// draws: what every goroutine is doing, who holds and who waits for the
// lock, what the cache holds and what has expired, the pool's connections
// and its queue, and a log. It keeps nothing it cannot bound: timelines are
// pruned to a window of scene time and the log is a ring.
//
// Records are 32 bytes, little-endian (see wasm/engine's package doc):
//   0 float64 t (scene ms) | 8 float64 dur (ms) | 16 uint16 kind | 18 uint16 flags
//   20 int32 task | 24 int32 key | 28 int32 aux

export const JANITOR = -1;
export const SCENE = -2;

/** Lane states, in the order of the legend. */
export const STATES = ["think", "run", "lockWait", "lockRead", "lockWrite", "load", "poolWait", "poolOpen", "poolUse", "sweep"];

export const STATE_LABELS = {
  idle: "idle",
  think: "thinking",
  run: "running (no lock held)",
  lockWait: "waiting for the lock",
  lockRead: "holding the lock (read)",
  lockWrite: "holding the lock (write)",
  load: "loading a missing value",
  poolWait: "waiting for a connection",
  poolOpen: "opening a connection",
  poolUse: "using a connection",
  sweep: "sweeping expired entries",
};


const LOG_CAPACITY = 4096;

/** STATE_ID maps a state's name to its number in a Lane; 0 is idle. */
export const STATE_ID = Object.fromEntries([["idle", 0], ...STATES.map((s, i) => [s, i + 1])]);
export const STATE_NAME = ["idle", ...STATES];

/**
 * Lane is one goroutine's states over time, in a ring of typed arrays (no
 * object per segment, so a thousand busy lanes make no garbage). Segment i
 * (0 = the oldest kept) starts at t0(i) and lasts until the next one
 * starts; the last is still going on.
 */
export class Lane {
  constructor(task, cap) {
    this.task = task;
    this.cap = cap;
    this.starts = new Float64Array(cap);
    this.states = new Uint8Array(cap);
    this.ops = new Uint8Array(cap);
    this.keys = new Int32Array(cap);
    this.head = 0;
    this.count = 0;
    this.state = "idle"; // now
    this.op = 0;
    this.key = -1;
  }

  /** push starts a segment; one that would last no time replaces the last. */
  push(stateId, t, op, key) {
    let i;
    if (this.count > 0 && this.starts[(i = (this.head + this.count - 1) % this.cap)] === t) {
      // the previous segment lasted no time: overwrite it
    } else {
      if (this.count === this.cap) {
        this.head = (this.head + 1) % this.cap;
        this.count--;
      }
      i = (this.head + this.count) % this.cap;
      this.count++;
    }
    this.starts[i] = t;
    this.states[i] = stateId;
    this.ops[i] = op;
    this.keys[i] = key;
  }

  t0(i) {
    return this.starts[(this.head + i) % this.cap];
  }

  /** t1 returns when segment i ended, or null if it goes on. */
  t1(i) {
    return i + 1 < this.count ? this.starts[(this.head + i + 1) % this.cap] : null;
  }

  stateId(i) {
    return this.states[(this.head + i) % this.cap];
  }

  /** seg returns segment i as an object, for descriptions. */
  seg(i) {
    const j = (this.head + i) % this.cap;
    return { s: STATE_NAME[this.states[j]], t0: this.starts[j], t1: this.t1(i), op: this.ops[j], key: this.keys[j] };
  }

  /** first returns the index of the first segment still going on at or after t. */
  first(t) {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const end = this.t1(mid);
      if (end !== null && end < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class SceneModel {
  constructor(spec) {
    this.spec = spec;
    this.K = Object.fromEntries(spec.kinds.map((name, i) => [name, i]));
    // code[kind number] is the case number #event switches on.
    const CASES = ["aggregated", "cacheDelete", "cacheEvict", "cacheExpire", "cacheHit", "cacheMiss", "cacheSet", "loadEnd", "loadStart", "lockAcquired", "lockReleased", "lockWait", "opEnd", "opStart", "poolAcquireFailed", "poolAcquireStart", "poolAcquired", "poolConstructing", "poolDestroyed", "poolReleased", "poolWaiting", "scenePause", "sceneResume", "sceneStart", "sceneStop", "sweepEnd", "sweepStart", "think"];
    this.code = new Uint8Array(spec.kinds.length);
    spec.kinds.forEach((name, i) => {
      this.code[i] = CASES.indexOf(name) + 1;
    });
    this.noLog = new Uint8Array(spec.kinds.length);
    for (const name of ["think", "opStart", "opEnd"]) if (name in this.K) this.noLog[this.K[name]] = 1;
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
    this.now = 0; // the latest scene time seen
    this.state = "idle";
    this.lanes = [];
    // Keep about two million segments in all: a few seconds more than the
    // widest window for a thousand busy goroutines, much more for a few.
    const cap = Math.max(256, Math.min(16384, 2 ** Math.floor(Math.log2(2e6 / (scene.tasks + 1)))));
    for (let i = 0; i <= scene.tasks; i++) this.lanes.push(new Lane(i - 1, cap));
    this.holders = new Map(); // lane index -> {shared, lockOp, key, shard, since}
    this.waiters = []; // {lane, shared, lockOp, key, shard, since}, in order
    this.maxReaders = 0; // the most goroutines that held a read lock at once
    this.entries = new Map(); // key -> {setAt, ttl, expires}
    this.flashes = new Map(); // key -> {what, at}
    this.recent = new Map(); // the keys set most recently, oldest first (for big key spaces)
    this.sweeps = []; // the last sweeps: {t, removed, remaining, took}
    this.sweepCount = 0;
    this.expiredSwept = 0;
    this.slots = new Map(); // connection id -> {state, task, since}
    this.poolWaiters = []; // {task, since, position}
    this.poolTimeouts = 0;
    this.aggregated = new Map(); // kind name -> events folded
    this.aggregatedTotal = 0;
    this.events = 0;
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
    this.version = 0; // bumps on every change, for views that redraw on change
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
    const n = Math.floor(buf.byteLength / 32);
    for (let i = 0; i < n; i++) {
      const o = i * 32;
      this.#event(
        view.getFloat64(o, true),
        view.getFloat64(o + 8, true),
        view.getUint16(o + 16, true),
        view.getUint16(o + 18, true),
        view.getInt32(o + 20, true),
        view.getInt32(o + 24, true),
        view.getInt32(o + 28, true),
      );
    }
    this.events += n;
    if (n > 0) this.version++;
    return n;
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

  #dropHolderAndWaiter(lane) {
    this.holders.delete(lane);
    const w = this.waiters.findIndex((x) => x.lane === lane);
    if (w >= 0) this.waiters.splice(w, 1);
  }

  #event(t, dur, kind, flags, task, key, aux) {
    if (this.awaitingStart) {
      if (kind !== this.K.sceneStart) return;
      this.awaitingStart = false;
    }
    if (t > this.now) this.now = t;
    const lane = task >= JANITOR ? task + 1 : -1;
    const lk = this.lanes[lane];
    // Map the kind to a small dense code once (a switch over constants is
    // a jump table; over object properties it is a chain of lookups).
    switch (this.code[kind]) {
      case 24: // sceneStart
        this.state = "running";
        break;
      case 22: // scenePause
        this.state = "paused";
        break;
      case 23: // sceneResume
        this.state = "running";
        break;
      case 25: // sceneStop
        this.state = "stopped";
        for (let i = 0; i < this.lanes.length; i++) this.#setLane(i, "idle", t, 0, -1);
        this.waiters = [];
        this.holders.clear();
        this.poolWaiters = [];
        break;
      case 28: // think
        if (lk) {
          this.#dropHolderAndWaiter(lane);
          this.pendingThink.set(lane, { t, asked: dur });
          this.#setLane(lane, "think", t, aux, key);
        }
        break;
      case 14: { // opStart
        const p = this.pendingThink.get(lane);
        if (p) {
          this.thinkAsked += p.asked;
          this.thinkRan += t - p.t;
          this.thinkCount++;
          this.pendingThink.delete(lane);
        }
        if (lk) this.#setLane(lane, "run", t, aux, key);
        break;
      }
      case 13: // opEnd
        if (lk) {
          this.#dropHolderAndWaiter(lane);
          this.#setLane(lane, "idle", t, 0, -1);
        }
        break;
      case 12: { // lockWait
        const shared = (flags & 1) === 1;
        const lockOp = flags >> 8;
        const w = this.waiters.findIndex((x) => x.lane === lane);
        if (w >= 0) this.waiters.splice(w, 1);
        this.waiters.push({ lane, shared, lockOp, key, shard: aux, since: t });
        if (lk) this.#setLane(lane, "lockWait", t, lk.op, key);
        break;
      }
      case 10: { // lockAcquired
        const shared = (flags & 1) === 1;
        const lockOp = flags >> 8;
        const w = this.waiters.findIndex((x) => x.lane === lane);
        if (w >= 0) this.waiters.splice(w, 1);
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
        break;
      }
      case 11: // lockReleased
        this.holders.delete(lane);
        if (lk) this.#setLane(lane, lane === 0 ? "idle" : "run", t, lk.op, lk.key);
        break;
      case 7: // cacheSet
        this.entries.set(key, { setAt: t, ttl: dur, expires: dur > 0 ? t + dur : Infinity });
        this.recent.delete(key);
        this.recent.set(key, t);
        if (this.recent.size > 400) this.recent.delete(this.recent.keys().next().value);
        this.flashes.set(key, { what: "set", at: t });
        break;
      case 5: // cacheHit
        this.flashes.set(key, { what: "hit", at: t });
        break;
      case 6: // cacheMiss
        this.flashes.set(key, { what: (flags & 1) ? "expired" : "miss", at: t });
        break;
      case 2: // cacheDelete
        this.entries.delete(key);
        this.flashes.set(key, { what: "delete", at: t });
        break;
      case 3: // cacheEvict
        this.entries.delete(key);
        this.flashes.set(key, { what: "evict", at: t });
        break;
      case 4: // cacheExpire
        this.entries.delete(key);
        this.flashes.set(key, { what: "swept", at: t });
        this.expiredSwept++;
        break;
      case 27: // sweepStart
        this.#setLane(0, "sweep", t, 0, -1);
        break;
      case 26: // sweepEnd
        this.#setLane(0, "idle", t, 0, -1);
        this.sweepCount++;
        this.sweeps.push({ t, removed: aux, remaining: key, took: dur, n: this.sweepCount });
        if (this.sweeps.length > 12) this.sweeps.shift();
        break;
      case 9: // loadStart
        if (lk) this.#setLane(lane, "load", t, lk.op, key);
        break;
      case 8: // loadEnd
        if (lk) this.#setLane(lane, "run", t, lk.op, key);
        break;
      case 16: // poolAcquireStart
        if (lk) this.#setLane(lane, "poolWait", t, lk.op, -1);
        break;
      case 21: { // poolWaiting
        const w = this.poolWaiters.findIndex((x) => x.task === task);
        if (w >= 0) this.poolWaiters.splice(w, 1);
        this.poolWaiters.push({ task, since: t, position: aux });
        break;
      }
      case 18: // poolConstructing
        this.slots.set(aux, { state: "opening", task, since: t });
        if (lk) this.#setLane(lane, "poolOpen", t, lk.op, -1);
        break;
      case 17: { // poolAcquired
        const w = this.poolWaiters.findIndex((x) => x.task === task);
        if (w >= 0) this.poolWaiters.splice(w, 1);
        this.slots.set(aux, { state: "inUse", task, since: t, waited: dur });
        if (lk) this.#setLane(lane, "poolUse", t, lk.op, -1);
        break;
      }
      case 15: { // poolAcquireFailed
        const w = this.poolWaiters.findIndex((x) => x.task === task);
        if (w >= 0) this.poolWaiters.splice(w, 1);
        if (flags === 1) this.poolTimeouts++;
        // A connection being opened for this caller was abandoned with it:
        // its slot is free again.
        for (const [id, s] of this.slots) if (s.state === "opening" && s.task === task) this.slots.delete(id);
        if (lk) this.#setLane(lane, "run", t, lk.op, -1);
        break;
      }
      case 20: // poolReleased
        this.slots.set(aux, { state: "idle", task: -1, since: t });
        if (lk) this.#setLane(lane, "run", t, lk.op, -1);
        break;
      case 19: // poolDestroyed
        this.slots.delete(aux);
        break;
      case 1: { // aggregated
        const name = this.spec.kinds[key] || `kind ${key}`;
        this.aggregated.set(name, (this.aggregated.get(name) || 0) + aux);
        this.aggregatedTotal += aux;
        break;
      }
    }
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
    const key = this.keyName(e.key);
    const ms = (x) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
    const lockDesc = () => `${e.flags & 1 ? "read" : "write"} lock for ${this.lockOps[e.flags >> 8] || "?"}${key ? " " + key : ""}${this.scene.locking === "sharded" ? `, shard ${e.aux}` : ""}`;
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
      case "cacheMiss": return e.flags & 1 ? `Cache: ${key} has expired: Get returns nothing, though no sweep has removed it yet.` : `Cache: ${key} is not in the cache.`;
      case "cacheDelete": return `Cache: Deleted ${key}.`;
      case "cacheEvict": return `Cache: Evicted ${key}, the least recently used entry, to stay within the bound.`;
      case "cacheExpire": return `Cache: Swept away expired ${key}.`;
      case "sweepStart": return `Cache: Running cleanup. Current size: ${e.aux}`;
      case "sweepEnd": return `Cache: Cleanup done: removed ${e.aux} expired, ${e.key} left, in ${ms(e.dur)}.`;
      case "loadStart": return `Loading ${key} (a miss in GetOrLoad).`;
      case "loadEnd": return e.flags & 1 ? `Loading ${key} failed.` : `Loaded ${key} in ${ms(e.dur)}.`;
      case "poolAcquireStart": return "Asks the pool for a connection.";
      case "poolWaiting": return `Waits for a connection: number ${e.aux} in line.`;
      case "poolConstructing": return `Opens connection #${e.aux}.`;
      case "poolAcquired": return `Got connection #${e.aux}${e.flags & 1 ? " (new)" : ""} after ${ms(e.dur)}.`;
      case "poolAcquireFailed": return ["", `Gave up waiting for a connection after ${ms(e.dur)} (timeout).`, "The pool is closed.", "Opening a connection failed.", "Stopped while waiting for a connection."][e.flags] || "Acquire failed.";
      case "poolReleased": return `Released connection #${e.aux}, held ${ms(e.dur)}.`;
      case "poolDestroyed": return `Connection #${e.aux} closed.`;
      case "aggregated": return `${e.aux} ${this.spec.kinds[e.key] || "?"} events came faster than the page could draw: counted, not shown one by one.`;
      default: return e.kind;
    }
  }
}
