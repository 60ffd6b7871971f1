// The playground's views other than the timeline: the lock now, the cache's
// entries, the pool, the numbers with their small charts, and the log. Each
// reads the SceneModel and redraws only what it owns.
import { el, parts } from "./dom.js";
import { holdWord } from "./kinds.js";
import { RateWindow, WINDOW_MS } from "./rate.js";

const fmtMs = (x) => (x === undefined || x === null || Number.isNaN(x) ? "–" : x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`);

/**
 * whoItems makes the items of a list of goroutines: the first 24 (make(x)
 * makes an item), then one that counts the rest, or one that says none.
 */
function whoItems(list, make, none) {
  const items = list.slice(0, 24).map(make);
  if (list.length > 24) items.push(el("li", "more", `and ${list.length - 24} more`));
  if (items.length === 0 && none) items.push(el("li", "none", none));
  return items;
}

/**
 * lockSummary says who holds the lock now, in Go's words: a sync.Mutex
 * (mutex, and each shard of sharded) has one exclusive holder; only an
 * RWMutex has readers and a writer. holders are [lane, {shared, shard}].
 */
export function lockSummary(locking, holders) {
  const n = holders.length;
  if (n === 0) return "Free: nobody holds the lock.";
  if (locking === "sharded") {
    const shards = new Set(holders.map(([, h]) => h.shard)).size;
    return `${shards} shard lock${shards > 1 ? "s" : ""} held, one goroutine each.`;
  }
  if (locking !== "rwmutex") return "Held by one goroutine (exclusive).";
  if (holders.every(([, h]) => h.shared)) return `Shared by ${n} reader${n > 1 ? "s" : ""} (RLock).`;
  return "Held by one writer.";
}

/**
 * overtakeNote says how often the lock was taken out of arrival order,
 * and the last time, or "" if never: what the events measured, no more
 * (whether Go's mutex was in its starvation mode is not observable).
 */
export function overtakeNote(m) {
  if (!m.overtakes || !m.lastOvertake) return "";
  const o = m.lastOvertake;
  return `Out of arrival order: ${m.overtakes} of ${m.acquisitions} acquisitions. Last: ${m.laneName(o.lane)} at ${(o.t / 1000).toFixed(2)} s, ahead of ${o.ahead}.`;
}

/** LockView shows who holds the lock and who waits, in the order they asked, and which acquisitions overtook. */
export class LockView {
  constructor(root, model) {
    this.root = root;
    this.model = model;
    this.parts = parts(root, "lock", ["holder", "queue", "summary", "overtakes"]);
    this.reset();
  }

  reset() {
    this.last = "";
  }

  #who(lane, info, overtook) {
    const m = this.model;
    const op = m.lockOps[info.lockOp] || "";
    const key = info.key >= 0 ? ` key${info.key}` : "";
    const shard = m.scene.locking === "sharded" ? ` · shard ${info.shard}` : "";
    const how = holdWord(m.scene.locking, info.shared);
    const ahead = overtook ? ` · took it ahead of ${overtook} earlier` : "";
    const li = el("li", how, `${m.laneName(lane)} (${how} · ${op}${key}${shard}${ahead})`);
    if (overtook) li.classList.add("overtook");
    li.dataset.lane = lane;
    return li;
  }

  draw() {
    const m = this.model;
    const holders = [...m.holders.entries()];
    const waiters = m.waiters;
    const o = m.lastOvertake;
    const sig = `${holders.map(([l, h]) => `${l}:${h.shared}:${h.shard}:${h.key}`).join(",")}|${waiters.map((w) => w.lane).join(",")}|${m.overtakes}`;
    if (sig === this.last) return;
    this.last = sig;
    const { holder, queue, summary, overtakes } = this.parts;
    const shared = holders.length > 0 && holders.every(([, h]) => h.shared);
    this.root.dataset.state = holders.length === 0 ? "free" : shared ? "read" : "write";
    summary.textContent = lockSummary(m.scene.locking, holders);
    // A holder that overtook: marked while it still holds the lock it took.
    const overtook = (lane, h) => (o && o.lane === lane && o.t === h.since ? o.ahead : 0);
    holder.replaceChildren(...whoItems(holders, ([lane, h]) => this.#who(lane, h, overtook(lane, h))));
    queue.replaceChildren(...whoItems(waiters, (w) => this.#who(w.lane, w, 0), "Nobody waits."));
    overtakes.textContent = overtakeNote(m) || "No acquisition has overtaken an earlier waiter yet.";
  }
}

/**
 * CacheView shows the cache's entries with their TTL running down. An entry
 * past its TTL that no sweep has removed yet is drawn struck through and
 * labelled "expired": Get already refuses it, the janitor has not swept it.
 */
export class CacheView {
  constructor(root, model, reducedMotion) {
    this.root = root;
    this.model = model;
    this.reducedMotion = reducedMotion;
    this.grid = root.querySelector("[data-cache=grid]");
    this.summary = root.querySelector("[data-cache=summary]");
    this.sweeps = root.querySelector("[data-cache=sweeps]");
    this.cells = []; // one per place in the grid; a place shows one key at a time
    this.maxCells = 200;
    this.lastSweep = -1;
  }

  reset() {
    this.show = null;
    this.cells = [];
    this.grid.replaceChildren();
    this.sweeps.replaceChildren();
    this.lastSweep = -1;
  }

  // cell returns the grid's place i, showing key: places are made once
  // and reused, so that a new choice of keys rewrites names, not the grid.
  #cell(i, key) {
    let c = this.cells[i];
    if (!c) {
      const li = el("li", "entry");
      const name = el("span", "name");
      const state = el("span", "state");
      const bar = el("span", "ttl");
      const fill = el("span", "fill");
      bar.append(fill);
      li.append(name, state, bar);
      c = { li, name, state, fill, key: -1, shown: "", frac: -1 };
      this.cells[i] = c;
      this.grid.append(li);
    }
    if (c.key !== key) {
      c.key = key;
      c.name.textContent = `key${key}`;
      c.shown = "";
    }
    return c;
  }

  draw() {
    const m = this.model;
    const now = m.now;
    const keys = m.scene.keys;
    // Which keys to show: every key of a small key space; otherwise the
    // stored entries, most recently set first.
    let show;
    if (keys <= this.maxCells) {
      show = this.show && this.show.length === keys ? this.show : Array.from({ length: keys }, (_, i) => i);
    } else if (this.show && performance.now() - this.shownAt < 1000) {
      // A big key space shows the entries most recently set; re-choosing
      // them every frame would rebuild the grid sixty times a second, so
      // the choice holds for a second.
      show = this.show;
    } else {
      // The model keeps the most recently set keys, newest last.
      show = [];
      const recent = [...m.recent.keys()];
      for (let i = recent.length - 1; i >= 0 && show.length < this.maxCells; i--) {
        if (m.entries.has(recent[i])) show.push(recent[i]);
      }
      show.sort((a, b) => a - b);
      this.shownAt = performance.now();
    }
    this.show = show;
    while (this.cells.length > show.length) this.cells.pop().li.remove();
    let expired = 0;
    for (const e of m.entries.values()) if (now >= e.expires) expired++;
    for (let i = 0; i < show.length; i++) {
      const k = show[i];
      const c = this.#cell(i, k);
      const e = m.entries.get(k);
      let st = "absent";
      let text = "not stored";
      let frac = 0;
      if (e) {
        if (now >= e.expires) {
          st = "expired";
          text = "expired, not swept";
        } else if (e.expires === Infinity) {
          st = "live";
          text = "no TTL";
          frac = 1;
        } else {
          st = "live";
          const left = e.expires - now;
          frac = left / e.ttl;
          // Whole seconds when many cells change at once, or when motion
          // should be reduced; tenths for a handful of keys.
          text = this.reducedMotion ? `${Math.ceil(left / 1000)} s left` : show.length > 32 ? `${Math.ceil(left / 1000)} s` : `${(left / 1000).toFixed(1)} s`;
        }
      }
      const f = m.flashes.get(k);
      const flash = f && now - f.at < 600 * (m.scene.speed || 1) ? f.what : "";
      // A few cells say what just happened in words too; a big grid only
      // outlines them, so that a busy scene does not rewrite every cell.
      const words = flash && show.length <= 32;
      const shown = `${st}|${text}|${flash}`;
      if (shown !== c.shown) {
        c.li.dataset.state = st;
        c.state.textContent = words ? `${text} · ${flash}` : text;
        if (flash) c.li.dataset.flash = flash;
        else delete c.li.dataset.flash;
        c.shown = shown;
      }
      const q = this.reducedMotion ? Math.ceil(frac * 4) / 4 : Math.round(frac * 50) / 50;
      if (q !== c.frac) {
        c.fill.style.transform = `scaleX(${q})`; // no layout: the compositor scales it
        c.frac = q;
      }
    }
    const more = keys > this.maxCells && m.entries.size > this.maxCells ? ` (showing the ${this.maxCells} most recently set)` : "";
    this.summary.textContent = `${m.entries.size} stored, of which ${expired} expired and waiting for a sweep${more}.`;
    if (m.sweepCount !== this.lastSweep) {
      this.lastSweep = m.sweepCount;
      this.sweeps.replaceChildren(...m.sweeps.slice().reverse().map((s) => {
        const li = el("li", s.removed > 0 ? "removed" : "", `Sweep #${s.n} at ${(s.t / 1000).toFixed(1)} s: removed ${s.removed}, ${s.remaining} left`);
        return li;
      }));
    }
  }
}

/** PoolView shows the pool's connections (opening, idle, in use) and the queue of waiting goroutines. */
export class PoolView {
  constructor(root, model) {
    this.model = model;
    this.parts = parts(root, "pool", ["slots", "queue", "summary"]);
    this.reset();
  }

  reset() {
    this.last = "";
  }

  draw() {
    const m = this.model;
    const slots = [...m.slots.entries()].sort((a, b) => a[0] - b[0]);
    // The engine counts the timeouts (the Numbers show the same count).
    const timeouts = m.snapshot ? m.snapshot.poolTimeouts : 0;
    const sig = `${slots.map(([id, s]) => `${id}:${s.state}:${s.task}`).join(",")}|${m.poolWaiters.map((w) => w.task).join(",")}|${timeouts}`;
    if (sig === this.last) return;
    this.last = sig;
    const size = m.scene.poolSize;
    const items = slots.slice(0, 64).map(([id, s]) => {
      const li = el("li", "slot");
      li.dataset.state = s.state;
      const label = s.state === "inUse" ? `in use by task ${s.task}` : s.state === "opening" ? `opening for task ${s.task}` : "idle";
      li.append(el("span", "id", `#${id}`), el("span", "what", label));
      return li;
    });
    for (let i = slots.length; i < Math.min(size, 64); i++) {
      const li = el("li", "slot");
      li.dataset.state = "empty";
      li.append(el("span", "id", "·"), el("span", "what", "free slot"));
      items.push(li);
    }
    this.parts.slots.replaceChildren(...items);
    this.parts.queue.replaceChildren(...whoItems(m.poolWaiters, (w) => el("li", "", `task ${w.task}`), "Nobody waits."));
    const inUse = slots.filter(([, s]) => s.state === "inUse").length;
    // Two lines, always: the slots below stay where they are as it grows.
    this.parts.summary.replaceChildren(el("span", "", `${slots.length} of ${size} open, ${inUse} in use, `), el("span", "", `${m.poolWaiters.length} waiting; ${timeouts} timed out.`));
  }
}

/** Sparkline is a small live chart of one number. */
class Sparkline {
  constructor(canvas, color) {
    this.canvas = canvas;
    this.color = color;
    this.values = [];
  }

  push(v) {
    this.values.push(v);
    if (this.values.length > 60) this.values.shift();
  }

  clear() {
    this.values = [];
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth || 120;
    const h = c.clientHeight || 28;
    if (c.width !== Math.round(w * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    if (this.values.length < 2) return;
    const max = Math.max(...this.values, 1e-9);
    // Reading a computed style forces a style recalculation: once per
    // colour scheme, not once per draw.
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    if (this.stroke === undefined || this.strokeDark !== dark) {
      this.stroke = getComputedStyle(document.documentElement).getPropertyValue(this.color).trim() || "#888";
      this.strokeDark = dark;
    }
    g.strokeStyle = this.stroke;
    g.lineWidth = 1.5;
    g.beginPath();
    this.values.forEach((v, i) => {
      const x = (i / 59) * (w - 2) + 1;
      const y = h - 2 - (v / max) * (h - 4);
      if (i === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    });
    g.stroke();
  }
}

/**
 * StatsView shows the scene's numbers, from the engine's snapshots, with
 * small charts. Off screen it keeps every value for the charts and draws
 * nothing; the latest snapshot waits in pending, and draw shows it as soon
 * as the view comes into sight, running or stopped.
 */
export class StatsView {
  constructor(root, model) {
    this.root = root;
    this.model = model;
    this.fields = {};
    for (const dd of root.querySelectorAll("[data-stat]")) this.fields[dd.dataset.stat] = dd;
    this.charts = {};
    for (const c of root.querySelectorAll("canvas[data-chart]")) this.charts[c.dataset.chart] = new Sparkline(c, "--accent");
    this.rate = new RateWindow();
    this.pending = null;
    const note = root.querySelector("[data-window=ops]");
    if (note) note.textContent = `last ${WINDOW_MS / 1000} s`;
  }

  reset() {
    for (const ch of Object.values(this.charts)) ch.clear();
    this.rate.clear();
    this.pending = null;
    for (const dd of Object.values(this.fields)) dd.textContent = "–";
  }

  /** update takes a snapshot; it draws at once when visible is true, else when draw is next called on screen. */
  update(s, visible = true) {
    const rate = this.rate.push(s.sceneMs, s.ops);
    if (this.charts.ops && rate !== null) this.charts.ops.push(rate);
    if (this.charts.lockWait) this.charts.lockWait.push(s.lockWaitP99Ms || 0);
    if (this.charts.entries) this.charts.entries.push(s.entries);
    if (this.charts.poolWait) this.charts.poolWait.push(s.poolWaitP99Ms || 0);
    this.pending = { s, rate };
    if (visible) this.draw();
  }

  /** draw shows the latest snapshot, if it is not shown yet. */
  draw() {
    if (!this.pending) return;
    const { s, rate } = this.pending;
    this.pending = null;
    const m = this.model;
    const set = (k, v) => {
      if (this.fields[k]) this.fields[k].textContent = v;
    };
    set("ops", rate === null ? "–" : `${Math.round(rate)}/s`);
    set("hitRatio", s.hits + s.misses > 0 ? `${Math.round(s.hitRatio * 100)} %` : "–");
    set("lockWait", `${fmtMs(s.lockWaitMeanMs)} / ${fmtMs(s.lockWaitP99Ms)}`);
    set("lockHold", fmtMs(s.lockHoldMeanMs));
    set("poolWait", s.poolAcquires > 0 ? `${fmtMs(s.poolWaitMeanMs)} / ${fmtMs(s.poolWaitP99Ms)}` : "–");
    set("entries", `${s.entries}`);
    set("sweeps", `${s.sweeps} (${s.expiredSwept} removed)`);
    set("timeouts", `${s.poolTimeouts}`);
    set("sceneTime", `${(s.sceneMs / 1000).toFixed(1)} s at ${s.speed}x`);
    set("events", `${s.eventsEmitted}${s.eventsAggregated ? ` (${s.eventsAggregated} aggregated)` : ""}`);
    const think = m.thinkCount > 0 ? `${fmtMs(m.thinkAsked / m.thinkCount)} asked, ${fmtMs(m.thinkRan / m.thinkCount)} ran` : "–";
    set("think", think);
    for (const ch of Object.values(this.charts)) ch.draw();
  }
}

/** LogView shows the newest events in the lesson's words, filterable by category and text. */
export class LogView {
  constructor(root, model) {
    this.root = root;
    this.model = model;
    this.list = root.querySelector("[data-log=list]");
    this.filter = root.querySelector("[data-log=filter]");
    this.count = root.querySelector("[data-log=count]");
    this.cats = new Set();
    for (const box of root.querySelectorAll("input[data-cat]")) {
      if (box.checked) this.cats.add(box.dataset.cat);
      box.addEventListener("change", () => {
        if (box.checked) this.cats.add(box.dataset.cat);
        else this.cats.delete(box.dataset.cat);
        this.draw(true);
      });
    }
    this.filter.addEventListener("input", () => this.draw(true));
    this.reset();
    this.onSelect = null;
    this.list.addEventListener("click", (e) => {
      const li = e.target.closest("li[data-kind]");
      if (li && this.onSelect) this.#select(li);
    });
    // The keyboard: Tab reaches the list, the arrows, Home and End move
    // between lines, Enter or Space marks a line's function in the source.
    this.list.addEventListener("keydown", (e) => this.#key(e));
    // While the pointer or the focus is in the list it holds still, so
    // that the line under the pointer stays there to be clicked; it
    // catches up when both have left.
    this.pointerIn = false;
    this.focusIn = false;
    const hold = () => {
      const was = this.held;
      this.held = this.pointerIn || this.focusIn;
      if (was && !this.held) this.draw();
    };
    // A pointer that moves in the list, not one the list scrolled under
    // (after Start, say): that one would hold an empty log for good.
    this.list.addEventListener("pointermove", () => {
      if (this.pointerIn) return;
      this.pointerIn = true;
      hold();
    });
    this.list.addEventListener("pointerleave", () => { this.pointerIn = false; hold(); });
    this.list.addEventListener("focusin", () => { this.focusIn = true; hold(); });
    this.list.addEventListener("focusout", (e) => {
      this.focusIn = this.list.contains(e.relatedTarget);
      hold();
    });
  }

  reset() {
    this.lastTotal = -1;
    this.lastSeq = undefined;
  }

  #key(e) {
    const rows = [...this.list.querySelectorAll("li[data-kind]")];
    if (rows.length === 0) return;
    const at = rows.indexOf(document.activeElement);
    let to = -1;
    switch (e.key) {
      case "ArrowDown": to = at < 0 ? 0 : Math.min(at + 1, rows.length - 1); break;
      case "ArrowUp": to = at < 0 ? rows.length - 1 : Math.max(at - 1, 0); break;
      case "Home": to = 0; break;
      case "End": to = rows.length - 1; break;
      case "Enter":
      case " ":
        if (at >= 0 && this.onSelect) {
          e.preventDefault();
          this.#select(rows[at]);
        }
        return;
      default: return;
    }
    e.preventDefault();
    rows[to].focus();
  }

  // select hands a line to onSelect: its kind, its lock operation (for a
  // lock line), and its words, as the log shows them.
  #select(li) {
    this.onSelect(li.dataset.kind, li.dataset.lockOp, `${li.querySelector(".who").textContent}: ${li.querySelector(".text").textContent}`);
  }

  #row(l) {
    const li = el("li");
    li.dataset.cat = l.cat;
    li.dataset.kind = l.kind;
    if (l.cat === "lock") li.dataset.lockOp = this.model.lockOps[l.flags >> this.model.F.lockOpShift] || "";
    li.tabIndex = -1;
    li.append(el("span", "at", `${(l.t / 1000).toFixed(2)} s`), el("span", "who", l.who), el("span", "cat", l.cat), el("span", "text", l.text));
    return li;
  }

  draw(force) {
    const m = this.model;
    if (!force && m.logTotal === this.lastTotal) return;
    if (this.held && !force && this.lastTotal >= 0) {
      this.count.textContent = `The list holds still while your pointer or focus is in it: ${m.logTotal - this.lastTotal} new events.`;
      return;
    }
    const filter = this.filter.value.trim();
    const max = 80;
    // Append what is new and drop what scrolled off, rather than rebuild:
    // the list changes by a few rows at a time.
    const rebuild = force || m.logTotal < this.lastTotal || this.lastSeq === undefined || m.logTotal - this.lastSeq > 4000;
    const lines = m.logLines(this.cats, filter, max, rebuild ? -1 : this.lastSeq);
    this.lastTotal = m.logTotal;
    // A line with the keyboard focus stays where it is: no scrolling, and
    // it is not dropped while it has the focus.
    const focused = document.activeElement?.parentElement === this.list ? document.activeElement : null;
    const atBottom = !focused && this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 30;
    if (rebuild) {
      const items = lines.map((l) => this.#row(l));
      if (items.length === 0) items.push(el("li", "none", m.logTotal ? "No line matches the filter." : "Start a scene to see what happens."));
      this.list.replaceChildren(...items);
      this.shown = lines.length;
    } else if (lines.length > 0) {
      if (this.shown === 0) this.list.replaceChildren();
      this.list.append(...lines.map((l) => this.#row(l)));
      this.shown += lines.length;
      while (this.shown > max && this.list.firstElementChild !== focused) {
        this.list.firstElementChild.remove();
        this.shown--;
      }
    }
    if (lines.length > 0) this.lastSeq = lines[lines.length - 1].seq;
    else if (rebuild) this.lastSeq = m.logTotal - 1;
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
    this.count.textContent = `${m.logTotal} events logged; the newest ${this.shown} shown.`;
  }
}
