// KINDS is the page's side of the engine's event kinds (engine.KindNames in
// wasm/engine/events.go): for each kind, by name, what it does to the
// SceneModel's picture and what the log says of it. Adding a kind is one
// entry in events.go and one here; SceneModel turns this table into arrays
// indexed by kind number when it starts, and refuses a name the engine does
// not have.

const fmtMs = (x) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;

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

/** dropWaiter takes the first waiter that match accepts out of a queue, if one is there. */
function dropWaiter(list, match) {
  const i = list.findIndex(match);
  if (i >= 0) list.splice(i, 1);
}

/**
 * overtaken counts the goroutines in the arrival-ordered queue that asked
 * for the same lock (shard) before lane did and still wait as lane takes
 * it: how many it overtook. Readers queued behind a writer are let in
 * together, so a reader is not counted as overtaking another reader.
 */
export function overtaken(waiters, lane, shared, shard) {
  const me = waiters.findIndex((w) => w.lane === lane);
  if (me < 0) return 0;
  let n = 0;
  for (let i = 0; i < me; i++) {
    const w = waiters[i];
    if (w.shard === shard && !(shared && w.shared)) n++;
  }
  return n;
}

/**
 * holdWord is how a holder holds the lock, in Go's words: an RWMutex has
 * readers (RLock) and a writer (Lock); a sync.Mutex, the one lock or a
 * shard's, has neither, only one holder at a time.
 */
export function holdWord(locking, shared) {
  if (locking === "rwmutex") return shared ? "read" : "write";
  return "exclusive";
}

/** lockDesc names a lock event's lock: read, write or exclusive, for which op and key, and its shard. */
function lockDesc(m, e, key) {
  const F = m.F;
  const how = holdWord(m.scene.locking, e.flags & F.shared);
  return `${how === "exclusive" ? "" : how + " "}lock for ${m.lockOps[e.flags >> F.lockOpShift] || "?"}${key ? " " + key : ""}${m.scene.locking === "sharded" ? `, shard ${e.aux}` : ""}`;
}

/**
 * KINDS is each kind of event, by the kind's name (engine.KindNames):
 * apply is what it does to the picture, text what the log says of it (in
 * the lesson's words), log: false keeps it out of the log. apply gets the
 * record's fields, then the lane of its task (0 the janitor) and that
 * Lane, undefined for the scene; text gets the record as a log line and
 * its key's name. Both run as methods of the model.
 */
export const KINDS = {
  sceneStart: {
    apply() {
      this.state = "running";
    },
    text(e) {
      return `Scene started: ${e.aux} tasks.`;
    },
  },
  scenePause: {
    apply() {
      this.state = "paused";
    },
    text() {
      return "Scene paused: the clock is frozen.";
    },
  },
  sceneResume: {
    apply() {
      this.state = "running";
    },
    text() {
      return "Scene resumed.";
    },
  },
  sceneSpeed: {
    text(e) {
      return `Speed set to ${(e.aux / 100).toFixed(2)}x.`;
    },
  },
  sceneStop: {
    apply(t) {
      this.state = "stopped";
      for (let i = 0; i < this.lanes.length; i++) this.setLane(i, "idle", t, 0, -1);
      this.waiters = [];
      this.holders.clear();
      this.poolWaiters = [];
    },
    text() {
      return "Scene stopped: every goroutine has ended.";
    },
  },
  think: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      if (!lk) return;
      this.holders.delete(lane);
      dropWaiter(this.waiters, (w) => w.lane === lane);
      this.pendingThink.set(lane, { t, asked: dur });
      this.setLane(lane, "think", t, aux, key);
    },
    log: false,
  },
  opStart: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      const p = this.pendingThink.get(lane);
      if (p) {
        this.thinkAsked += p.asked;
        this.thinkRan += t - p.t;
        this.thinkCount++;
        this.pendingThink.delete(lane);
      }
      if (lk) this.setLane(lane, "run", t, aux, key);
    },
    log: false,
  },
  opEnd: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      if (!lk) return;
      this.holders.delete(lane);
      dropWaiter(this.waiters, (w) => w.lane === lane);
      this.setLane(lane, "idle", t, 0, -1);
    },
    log: false,
  },
  lockWait: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      const shared = (flags & this.F.shared) !== 0;
      const lockOp = flags >> this.F.lockOpShift;
      dropWaiter(this.waiters, (w) => w.lane === lane);
      this.waiters.push({ lane, shared, lockOp, key, shard: aux, since: t });
      if (lk) this.setLane(lane, "lockWait", t, lk.op, key);
    },
    text(e, key) {
      return `Wants the ${lockDesc(this, e, key)}.`;
    },
  },
  lockAcquired: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      const shared = (flags & this.F.shared) !== 0;
      const lockOp = flags >> this.F.lockOpShift;
      const ahead = overtaken(this.waiters, lane, shared, aux);
      this.acquisitions++;
      if (ahead > 0) {
        this.overtakes++;
        this.lastOvertake = { lane, ahead, t };
      }
      dropWaiter(this.waiters, (w) => w.lane === lane);
      if (!shared) {
        // An exclusive lock: nobody else holds this shard (heals the
        // picture if a release was folded into an aggregate).
        for (const [l, h] of this.holders) if (h.shard === aux) this.holders.delete(l);
      }
      this.holders.set(lane, { shared, lockOp, key, shard: aux, since: t, waited: dur });
      let here = 0;
      const shards = new Set();
      for (const h of this.holders.values()) {
        shards.add(h.shard);
        if (h.shard === aux) here++;
      }
      if (here > this.maxPerShard) this.maxPerShard = here;
      if (shards.size > this.maxShards) this.maxShards = shards.size;
      if (shared && here > this.maxReaders) this.maxReaders = here;
      if (lk) this.setLane(lane, lane === 0 ? "sweep" : shared ? "lockRead" : "lockWrite", t, lk.op, key);
    },
    text(e, key) {
      return `Holds the ${lockDesc(this, e, key)}, after waiting ${fmtMs(e.dur)}.`;
    },
  },
  lockReleased: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      this.holders.delete(lane);
      if (lk) this.setLane(lane, lane === 0 ? "idle" : "run", t, lk.op, lk.key);
    },
    text(e, key) {
      return `Released the ${lockDesc(this, e, key)}, held ${fmtMs(e.dur)}.`;
    },
  },
  cacheSet: {
    apply(t, dur, flags, task, key) {
      this.entries.set(key, { setAt: t, ttl: dur, expires: dur > 0 ? t + dur : Infinity });
      this.recent.delete(key);
      this.recent.set(key, t);
      if (this.recent.size > 400) this.recent.delete(this.recent.keys().next().value);
      this.flashes.set(key, { what: "set", at: t });
    },
    text(e, key) {
      return `Cache: Inserted ${key}.${e.dur > 0 ? ` It expires in ${fmtMs(e.dur)}.` : ""}`;
    },
  },
  cacheHit: {
    apply(t, dur, flags, task, key) {
      this.flashes.set(key, { what: "hit", at: t });
    },
    text(e, key) {
      return `Cache: Got ${key}.`;
    },
  },
  cacheMiss: {
    apply(t, dur, flags, task, key) {
      this.flashes.set(key, { what: flags & this.F.expired ? "expired" : "miss", at: t });
    },
    text(e, key) {
      return e.flags & this.F.expired ? `Cache: ${key} has expired: Get returns nothing, though no sweep has removed it yet.` : `Cache: ${key} is not in the cache.`;
    },
  },
  cacheDelete: {
    apply(t, dur, flags, task, key) {
      this.entries.delete(key);
      this.flashes.set(key, { what: "delete", at: t });
    },
    text(e, key) {
      return `Cache: Deleted ${key}.`;
    },
  },
  cacheEvict: {
    apply(t, dur, flags, task, key) {
      this.entries.delete(key);
      this.flashes.set(key, { what: "evict", at: t });
    },
    text(e, key) {
      return `Cache: Evicted ${key}, the least recently used entry, to stay within the bound.`;
    },
  },
  cacheExpire: {
    apply(t, dur, flags, task, key) {
      this.entries.delete(key);
      this.flashes.set(key, { what: "swept", at: t });
    },
    text(e, key) {
      return `Cache: Swept away expired ${key}.`;
    },
  },
  sweepStart: {
    apply(t) {
      this.setLane(0, "sweep", t, 0, -1);
    },
    text(e) {
      return `Cache: Running cleanup. Current size: ${e.aux}`;
    },
  },
  sweepEnd: {
    apply(t, dur, flags, task, key, aux) {
      this.setLane(0, "idle", t, 0, -1);
      this.sweepCount++;
      this.sweeps.push({ t, removed: aux, remaining: key, took: dur, n: this.sweepCount });
      if (this.sweeps.length > 12) this.sweeps.shift();
    },
    text(e) {
      return `Cache: Cleanup done: removed ${e.aux} expired, ${e.key} left, in ${fmtMs(e.dur)}.`;
    },
  },
  loadStart: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      if (lk) this.setLane(lane, "load", t, lk.op, key);
    },
    text(e, key) {
      return `Loading ${key} (a miss in GetOrLoad).`;
    },
  },
  loadEnd: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      if (lk) this.setLane(lane, "run", t, lk.op, key);
    },
    text(e, key) {
      return e.flags & this.F.loadError ? `Loading ${key} failed.` : `Loaded ${key} in ${fmtMs(e.dur)}.`;
    },
  },
  poolAcquireStart: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      if (lk) this.setLane(lane, "poolWait", t, lk.op, -1);
    },
    text() {
      return "Asks the pool for a connection.";
    },
  },
  poolWaiting: {
    apply(t, dur, flags, task, key, aux) {
      dropWaiter(this.poolWaiters, (w) => w.task === task);
      this.poolWaiters.push({ task, since: t, position: aux });
    },
    text(e) {
      return `Waits for a connection: number ${e.aux} in line.`;
    },
  },
  poolConstructing: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      this.slots.set(aux, { state: "opening", task, since: t });
      if (lk) this.setLane(lane, "poolOpen", t, lk.op, -1);
    },
    text(e) {
      return `Opens connection #${e.aux}.`;
    },
  },
  poolAcquired: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      dropWaiter(this.poolWaiters, (w) => w.task === task);
      this.slots.set(aux, { state: "inUse", task, since: t, waited: dur });
      if (lk) this.setLane(lane, "poolUse", t, lk.op, -1);
    },
    text(e) {
      return `Got connection #${e.aux}${e.flags & this.F.created ? " (new)" : ""} after ${fmtMs(e.dur)}.`;
    },
  },
  poolAcquireFailed: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      dropWaiter(this.poolWaiters, (w) => w.task === task);
      // A connection being opened for this caller was abandoned with it:
      // its slot is free again.
      for (const [id, s] of this.slots) if (s.state === "opening" && s.task === task) this.slots.delete(id);
      if (lk) this.setLane(lane, "run", t, lk.op, -1);
    },
    text(e) {
      return FAILED[this.F.fails[e.flags]]?.(fmtMs(e.dur)) || "Acquire failed.";
    },
  },
  poolReleased: {
    apply(t, dur, flags, task, key, aux, lane, lk) {
      this.slots.set(aux, { state: "idle", task: -1, since: t });
      if (lk) this.setLane(lane, "run", t, lk.op, -1);
    },
    text(e) {
      return `Released connection #${e.aux}, held ${fmtMs(e.dur)}.`;
    },
  },
  poolDestroyed: {
    apply(t, dur, flags, task, key, aux) {
      this.slots.delete(aux);
    },
    text(e) {
      const why = DESTROYED[this.F.destroyReasons[e.flags]];
      return `Connection #${e.aux} closed${why ? `: ${why}` : ""}.`;
    },
  },
  aggregated: {
    apply(t, dur, flags, task, key, aux) {
      const name = this.spec.kinds[key] || `kind ${key}`;
      this.aggregated.set(name, (this.aggregated.get(name) || 0) + aux);
      this.aggregatedTotal += aux;
    },
    text(e) {
      return `${e.aux} ${this.spec.kinds[e.key] || "?"} events came faster than the page could draw: counted, not shown one by one.`;
    },
  },
};
