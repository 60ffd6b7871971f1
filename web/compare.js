// Comparison runs the form's scene once per locking strategy, for the given
// scene seconds each, and shows their numbers side by side: the lesson's
// third prompt, Mutex against RWMutex for a read-heavy load, measured. It
// drives the playground through its public methods (start, stop) and reads
// the engine's snapshot, as a learner would read the numbers.
import { el } from "./dom.js";

export const LOCKINGS = ["mutex", "rwmutex", "sharded"];

/** parseSeconds reads the seconds per run: {seconds}, or {error} naming what was given. */
export function parseSeconds(text) {
  const seconds = Number(text);
  if (text.trim() === "" || !Number.isInteger(seconds) || seconds < 1 || seconds > 60) {
    return { error: `Seconds per run must be a whole number between 1 and 60 (got ${text || "nothing"}).` };
  }
  return { seconds };
}

/** rowCells are the table's cells for one run: its locking, then its numbers. */
export function rowCells(r) {
  return [
    r.locking,
    String(Math.round(r.opsPerSec)),
    `${r.lockWaitMeanMs.toFixed(1)} ms`,
    `${r.lockWaitP99Ms.toFixed(1)} ms`,
    String(r.maxReaders),
    r.hits + r.misses ? `${Math.round(r.hitRatio * 100)} %` : "–",
  ];
}

export class Comparison {
  constructor(playground, root) {
    this.pg = playground;
    this.seconds = root.querySelector("#compare-seconds");
    this.error = root.querySelector("#compare-seconds-error");
    this.button = root.querySelector("#compare-run");
    this.status = root.querySelector("#compare-status");
    this.result = root.querySelector("#compare-result");
    this.button.addEventListener("click", () => this.run());
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
    this.button.disabled = true;
    const rows = [];
    try {
      await pg.stop();
      for (const locking of LOCKINGS) {
        pg.form.setValue("locking", locking);
        this.status.textContent = `Running with ${locking}…`;
        if (!(await pg.start())) return;
        await this.#until(() => pg.snapshot && pg.snapshot.state === "running" && pg.snapshot.sceneMs >= seconds * 1000);
        rows.push({ locking, ...pg.snapshot, maxReaders: pg.model.maxReaders });
        await pg.stop();
      }
      this.status.textContent = `Done: ${seconds} scene seconds each.`;
      this.result.querySelector("tbody").replaceChildren(...rows.map((r) => {
        const tr = el("tr");
        rowCells(r).forEach((c, i) => {
          const td = el(i === 0 ? "th" : "td", "", c);
          if (i === 0) td.scope = "row";
          tr.append(td);
        });
        return tr;
      }));
      this.result.hidden = false;
    } catch (e) {
      this.status.textContent = `The comparison stopped: ${e.message}`;
    } finally {
      pg.form.setValue("locking", original);
      this.button.disabled = false;
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
