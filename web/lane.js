// Lane is one goroutine's states over time, as the timeline draws it: the
// states a lane can be in, their names for people, and a ring of segments.

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
