// Comparison runs the form's scene once per locking strategy, for the given
// scene seconds each, and shows their numbers side by side: the lesson's
// third prompt, Mutex against RWMutex for a read-heavy load, measured. It
// drives the playground through its public methods (start, stop) and reads
// the engine's snapshot, as a learner would read the numbers.
//
// What is the same across the runs: the scene and its seed, so each
// goroutine draws the same sequence of operations and keys (engine.Plan).
// What is not: how far each goroutine gets through it in the time, and so
// when each Set and Get happens against the TTLs; the hit ratio differs for
// that reason, and the page says so rather than claim the same operations.
import { el } from "./dom.js";

export const LOCKINGS = ["mutex", "rwmutex", "sharded"];

/** The think time the verdict suggests when the lock is seldom contended (scene ms). */
export const SUGGESTED_THINK_MS = 20;

/** parseSeconds reads the seconds per run: {seconds}, or {error} naming what was given. */
export function parseSeconds(text) {
  const seconds = Number(text);
  if (text.trim() === "" || !Number.isInteger(seconds) || seconds < 1 || seconds > 60) {
    return { error: `Seconds per run must be a whole number between 1 and 60 (got ${text || "nothing"}).` };
  }
  return { seconds };
}

/**
 * heldAtOnce says how many goroutines held a lock at once, at most, in
 * what is true for each locking: a Mutex has one holder; an RWMutex many
 * readers; sharded one holder per shard's Mutex, many shards at once.
 */
export function heldAtOnce(r) {
  if (r.locking === "rwmutex") return r.maxReaders > 1 ? `${r.maxReaders} readers` : "1";
  if (r.locking === "sharded") return `${r.maxShards} shard${r.maxShards === 1 ? "" : "s"}, 1 each`;
  return r.maxPerShard ? "1" : "0";
}

/** METRICS name the numbers of rowCells after the locking: the table's row headers. */
export const METRICS = ["Ops/s", "Lock wait, mean", "Lock wait, p99", "Held at once (most)", "Hit ratio"];

/** rowCells are the cells for one run: its locking, then its numbers (METRICS). */
export function rowCells(r) {
  return [
    r.locking,
    String(Math.round(r.opsPerSec)),
    `${r.lockWaitMeanMs.toFixed(1)} ms`,
    `${r.lockWaitP99Ms.toFixed(1)} ms`,
    heldAtOnce(r),
    r.hits + r.misses ? `${Math.round(r.hitRatio * 100)} %` : "–",
  ];
}

/**
 * verdict says in a line what the runs mean, from their numbers and the
 * scene: which locking got through more operations and by how much, or,
 * when they are close, that the difference is only in lock wait, and
 * which settings would show it.
 */
export function verdict(rows, scene) {
  if (rows.length < 2) return "";
  const byOps = [...rows].sort((a, b) => b.opsPerSec - a.opsPerSec);
  const best = byOps[0];
  const worst = byOps[byOps.length - 1];
  const waits = rows.map((r) => `${r.locking} ${r.lockWaitMeanMs.toFixed(1)} ms`).join(", ");
  if (worst.opsPerSec > 0 && best.opsPerSec / worst.opsPerSec >= 1.25) {
    return `${best.locking} got through ${(best.opsPerSec / worst.opsPerSec).toFixed(1)}× the operations per second of ${worst.locking} (${Math.round(best.opsPerSec)} against ${Math.round(worst.opsPerSec)}): its goroutines waited less for the lock (mean wait: ${waits}).`;
  }
  const close = `The ops/s are within ${Math.round((best.opsPerSec / Math.max(worst.opsPerSec, 1e-9) - 1) * 100)} % of each other: the goroutines spend most of their time thinking, not waiting, so the locking shows only in lock wait (mean: ${waits}).`;
  if (scene.thinkMs > SUGGESTED_THINK_MS) return `${close} For a difference in ops/s, set the think time to ${SUGGESTED_THINK_MS} ms and compare again.`;
  if (!(scene.workMs > 0)) return `${close} For a difference in ops/s, give the work time a few ms (a reader that holds the lock while it blocks lets others read) and compare again.`;
  return `${close} For a difference in ops/s, use more gets in the mix, or more goroutines, and compare again.`;
}

export class Comparison {
  constructor(playground, root) {
    this.pg = playground;
    this.root = root;
    this.seconds = root.querySelector("#compare-seconds");
    this.error = root.querySelector("#compare-seconds-error");
    this.button = root.querySelector("#compare-run");
    this.status = root.querySelector("#compare-status");
    this.result = root.querySelector("#compare-result");
    this.meaning = root.querySelector("#compare-meaning");
    this.shows = root.querySelector("#compare-shows");
    this.button.addEventListener("click", () => this.run());
  }

  // lock keeps the settings from changing while the runs go: every field
  // of the form, Reset and the seconds per run. Stop stays: it ends the
  // comparison.
  #lock(locked) {
    const ids = "#scene-fields input, #scene-fields select, #scene-speed input, #scene-reset, #compare-seconds";
    for (const c of this.root.querySelectorAll(ids)) c.disabled = locked;
  }

  async run() {
    const { seconds, error } = parseSeconds(this.seconds.value);
    this.error.hidden = !error;
    this.error.textContent = error || "";
    if (error) {
      this.seconds.setAttribute("aria-invalid", "true");
      return;
    }
    this.seconds.removeAttribute("aria-invalid");
    const pg = this.pg;
    const original = pg.form.value("locking");
    const hadFocus = document.activeElement === this.button;
    this.button.disabled = true;
    this.shows.hidden = true;
    this.#lock(true);
    pg.quiet = true;
    pg.announcer.say(`Comparing the three lockings, ${seconds} scene seconds each.`);
    const rows = [];
    let last = "";
    try {
      await pg.stop();
      for (const [i, locking] of LOCKINGS.entries()) {
        pg.form.setValue("locking", locking);
        this.status.textContent = `Running with ${locking} (${i + 1} of ${LOCKINGS.length})…`;
        if (!(await pg.start({ label: `comparison run ${i + 1} of ${LOCKINGS.length}: ${locking}` }))) return;
        last = locking;
        await this.#until(() => pg.snapshot && pg.snapshot.state === "running" && pg.snapshot.sceneMs >= seconds * 1000);
        const m = pg.model;
        rows.push({ locking, ...pg.snapshot, maxReaders: m.maxReaders, maxPerShard: m.maxPerShard, maxShards: m.maxShards });
        await pg.stop();
      }
      this.status.textContent = `Done: ${seconds} scene seconds each.`;
      // One column per run and a row per number: three narrow columns
      // fit the form's column on any screen, six did not.
      const cells = rows.map(rowCells);
      const head = el("tr");
      head.append(el("td"));
      for (const c of cells) {
        const th = el("th", "", c[0]);
        th.scope = "col";
        head.append(th);
      }
      this.result.querySelector("thead").replaceChildren(head);
      this.result.querySelector("tbody").replaceChildren(...METRICS.map((name, i) => {
        const tr = el("tr");
        const th = el("th", "", name);
        th.scope = "row";
        tr.append(th, ...cells.map((c) => el("td", "", c[i + 1])));
        return tr;
      }));
      this.meaning.textContent = verdict(rows, pg.formScene());
      this.result.hidden = false;
      pg.announcer.say(`Comparison finished. ${this.meaning.textContent}`);
    } catch (e) {
      this.status.textContent = `The comparison stopped: ${e.message}`;
      pg.announcer.say(this.status.textContent);
    } finally {
      pg.quiet = false;
      pg.form.setValue("locking", original);
      this.#lock(false);
      this.button.disabled = false;
      if (last) {
        this.shows.textContent = `The views show the last run, ${last}; the form is back to ${original}.`;
        this.shows.hidden = false;
      }
      if (hadFocus || document.activeElement === document.body) this.button.focus();
    }
  }

  // until resolves once cond holds, and rejects if the scene stops first.
  #until(cond) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.pg.state === "stopped" || this.pg.state === "idle") reject(new Error("the scene was stopped"));
        else if (cond()) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
  }
}
