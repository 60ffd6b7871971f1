// The step mode's section of the page (#step-mode): the learner is the
// scheduler. It draws the Go side's interleave.State (each goroutine's code
// with its next line marked, its local v, the cached count, each lock's
// holder and waiters, the steps taken) and sends the learner's choices to
// the step bindings (wasm/step.go). What the page says is stepmodel.js's.
//
// Commands run one at a time, in order (keys pressed fast queue up), and
// every command's answer carries the whole state, so the page draws from
// one answer per key. A refused step changes nothing on the Go side; the
// page shows the reason under the goroutine and announces it once, in a
// polite live region (only refusals and the run's end are announced, not
// every step).
import { el } from "./dom.js";
import {
  LESSON, isStepLink, stepLink, taskForKey, lineMarks, hasLocalV, vText, taskStatus, lockText,
  historyText, outcomeText, refusalText, freeText,
} from "./stepmodel.js";

// The symbols beside a line's mark word (the word stays for screen readers
// where a phone's narrow card shows the symbol alone).
const MARK_SYMBOLS = { ran: "✓", next: "▶", waits: "■" };

/** FREE_RUNS is how many times "let Go's scheduler run it" runs the program. */
export const FREE_RUNS = 10000;

export class StepMode extends EventTarget {
  /**
   * root is the #step-mode section; go() returns the current Go worker (the
   * page may replace it); spec is stepSpec's answer.
   */
  constructor(root, go, spec, win = window) {
    super();
    if (spec.lesson !== LESSON) throw new Error(`the Go side's step lesson is ${spec.lesson}, the page's ${LESSON}`);
    this.root = root;
    this.go = go;
    this.spec = spec;
    this.win = win;
    this.state = null;
    this.queue = Promise.resolve();
    this.$ = (id) => root.querySelector(`#${id}`);
    this.#buildSetup();
    root.addEventListener("keydown", (e) => this.#onKey(e));
    this.$("step-undo").addEventListener("click", () => this.undo());
    this.$("step-reset").addEventListener("click", () => this.reset());
    this.$("step-link").addEventListener("click", () => this.copyLink());
    this.$("step-free").addEventListener("click", () => this.runFree());
    this.$("step-variant").addEventListener("change", () => this.load(this.#chosen()));
    this.$("step-tasks").addEventListener("change", () => this.load(this.#chosen()));
  }

  #buildSetup() {
    const variant = this.$("step-variant");
    for (const v of this.spec.variants) variant.append(new Option(v, v));
    const tasks = this.$("step-tasks");
    for (let n = 1; n <= this.spec.maxTasks; n++) tasks.append(new Option(String(n), String(n)));
    tasks.value = String(this.spec.defaultTasks);
  }

  #chosen() {
    return { variant: this.$("step-variant").value, tasks: Number(this.$("step-tasks").value) };
  }

  /** run queues a command, so that commands run one at a time, in order. */
  #run(fn) {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => {});
    return p;
  }

  async #call(method, ...args) {
    return JSON.parse(await this.go().call(method, ...args));
  }

  /** loadLink loads the run a link names (?lesson=interleave&variant=…&tasks=…&schedule=…), or the default run. */
  loadLink(search) {
    return this.#run(async () => {
      const res = await this.#call("stepFromQuery", isStepLink(search) ? search : "");
      this.#loaded(res);
      if (!res.ok) {
        // Say what is wrong with the link, and still offer the default run.
        const def = await this.#call("stepLoad", {});
        if (def.ok) this.#draw(def.state, null);
      }
      return res;
    });
  }

  /** load starts {variant, tasks, schedule}; it resolves to stepLoad's answer ({ok, state} or {ok: false, errors}). */
  load(options) {
    return this.#run(async () => {
      const res = await this.#call("stepLoad", options);
      this.#loaded(res);
      return res;
    });
  }

  /** reload loads the run shown again, step by step: after the page has replaced its Go worker, whose run is gone with it. */
  reload() {
    if (!this.state) return Promise.resolve(null);
    const { variant, tasks, schedule } = this.state;
    return this.load({ variant, tasks: tasks.length, schedule });
  }

  #loaded(res) {
    const box = this.$("step-errors");
    box.hidden = res.ok;
    box.textContent = res.ok ? "" : `This run cannot be loaded: ${res.errors.map((e) => e.message).join("; ")}.`;
    if (res.ok) this.#draw(res.state, null);
  }

  /** step lets a task take its next step; it resolves to {result, state} (result is playground:stepped's). */
  step(task) {
    return this.#run(async () => {
      const res = await this.#call("stepStep", task);
      this.#draw(res.state, res.result.ok ? null : res.result);
      return res;
    });
  }

  /** undo goes back one step; it resolves to {result, state}. */
  undo() {
    return this.#run(async () => {
      const res = await this.#call("stepUndo");
      this.#draw(res.state, res.result.ok ? null : res.result);
      return res;
    });
  }

  /** reset goes back to the start of the run, on fresh goroutines; it resolves to {ok, state}. */
  reset() {
    return this.#run(async () => {
      const res = await this.#call("stepReset");
      if (res.ok) this.#draw(res.state, null);
      return res;
    });
  }

  /** copyLink copies the link to this interleaving (or selects it where the clipboard is refused). */
  async copyLink() {
    if (!this.state) return;
    const { variant, tasks, schedule } = this.state;
    // Loaded when first needed, like the embed code's other users (embedmode.js).
    const { copyText, pageBase } = await import("./embedcode.js");
    await copyText(stepLink(pageBase(this.win.location), { variant, tasks: tasks.length, schedule }), this.$("step-link-out"), this.$("step-link-status"));
  }

  /** runFree lets Go's scheduler run the loaded program FREE_RUNS times and shows how often it lost an update. */
  async runFree() {
    if (!this.state) return null;
    const button = this.$("step-free");
    const out = this.$("step-free-result");
    button.disabled = true;
    out.textContent = `Running it ${FREE_RUNS.toLocaleString("en")} times…`;
    try {
      const res = JSON.parse(await this.go().call("stepRunFree", this.state.variant, this.state.tasks.length, FREE_RUNS));
      out.textContent = freeText(res);
      return res;
    } catch (err) {
      out.textContent = err.message.replace(/^stepRunFree: /, "It cannot run that way: ");
      return null;
    } finally {
      button.disabled = false;
    }
  }

  /** activate shows the step mode as the lesson in use (in embed mode, instead of the scene), or goes back to the scene. */
  activate(on) {
    this.active = on;
    this.root.ownerDocument.documentElement.classList.toggle("step-active", on);
    // Shown, it takes the place of the scene's views (style.css).
    this.root.hidden = !on;
    if (on) this.root.scrollIntoView({ block: "start" });
  }

  #onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    const task = taskForKey(e.key, this.spec.maxTasks);
    if (task !== null) {
      e.preventDefault();
      this.step(task);
    } else if (e.key === "u" || e.key === "U") {
      e.preventDefault();
      this.undo();
    }
  }

  /** draw shows state; refused, if given, is a refused step's result, whose reason is shown and announced. */
  #draw(state, refused) {
    if (!state) return;
    const first = !this.state || this.state.variant !== state.variant || this.state.tasks.length !== state.tasks.length;
    this.state = state;
    this.$("step-variant").value = state.variant;
    this.$("step-tasks").value = String(state.tasks.length);
    this.$("step-challenge").textContent = `Challenge: ${state.challenge}`;
    if (first) this.#buildGoroutines(state);
    for (const task of state.tasks) this.#drawTask(task, refused && refused.task === task.task ? refused : null);
    this.$("step-count").textContent = String(state.count);
    this.$("step-locks-row").hidden = state.locks.length === 0;
    this.$("step-locks").replaceChildren(...state.locks.map((l) => el("li", "", lockText(l))));
    this.$("step-history").replaceChildren(...state.history.map((s, i) => el("li", "", historyText(s, i))));
    if (!state.history.length) this.$("step-history").append(el("li", "step-empty", "No step yet: press a goroutine’s Step button, or its key."));
    this.$("step-undo").disabled = state.history.length === 0;
    const outcome = outcomeText(state);
    const box = this.$("step-outcome");
    const wasDone = box.dataset.done === "1";
    box.hidden = !outcome;
    box.textContent = outcome;
    box.dataset.done = state.done ? "1" : "";
    box.dataset.deadlock = state.deadlock ? "1" : "";
    this.root.dataset.done = state.done ? "1" : "";
    if (refused) this.#announce(refusalText(refused));
    else if (state.done && !wasDone) this.#announce(outcome);
    this.$("step-link-out").hidden = true;
    this.$("step-link-status").textContent = "";
    // Others (the embed API) learn of the change after the command's own
    // answer has gone out.
    setTimeout(() => this.dispatchEvent(new CustomEvent("change", { detail: state })), 0);
  }

  #announce(text) {
    const live = this.$("step-announce");
    // The same text twice in a row is still announced.
    live.textContent = live.textContent === text ? `${text} ` : text;
  }

  #buildGoroutines(state) {
    const box = this.$("step-goroutines");
    box.replaceChildren();
    this.cards = state.tasks.map((task) => {
      const card = el("section", "goroutine");
      card.dataset.task = String(task.task);
      const titleId = `step-g${task.task}-title`;
      card.setAttribute("aria-labelledby", titleId);
      const h = el("h3", "", `Goroutine ${task.task}`);
      h.id = titleId;
      const code = el("ol", "step-code");
      code.setAttribute("aria-label", `Goroutine ${task.task}'s code`);
      const v = el("p", "step-v");
      const status = el("p", "step-status");
      status.id = `step-g${task.task}-status`;
      const button = el("button", "step-button", "");
      button.type = "button";
      button.dataset.task = String(task.task);
      button.setAttribute("aria-keyshortcuts", String(task.task + 1));
      button.setAttribute("aria-describedby", status.id);
      button.append("Step ", el("span", "step-word", "goroutine "), `${task.task} `, el("kbd", "", String(task.task + 1)));
      button.addEventListener("click", () => this.step(task.task));
      const refusal = el("p", "step-refusal");
      refusal.hidden = true;
      card.append(h, code, v, status, button, refusal);
      box.append(card);
      return { card, code, v, status, button, refusal };
    });
  }

  #drawTask(task, refused) {
    const c = this.cards[task.task];
    c.card.dataset.state = task.done ? "done" : task.blocked ? "blocked" : "ready";
    c.code.replaceChildren(...lineMarks(task).map(({ code, mark }) => {
      const li = el("li");
      if (mark) li.dataset.mark = mark;
      if (mark === "next" || mark === "waits") li.setAttribute("aria-current", "step");
      const m = el("span", "step-mark");
      if (mark) {
        const sym = el("span", "", MARK_SYMBOLS[mark]);
        sym.setAttribute("aria-hidden", "true");
        m.append(sym, " ", el("span", "step-mark-word", mark));
      }
      li.append(m, el("code", "", code));
      return li;
    }));
    c.v.hidden = !hasLocalV(task);
    c.v.textContent = `Local ${vText(task)}`;
    c.status.textContent = taskStatus(task);
    // A blocked or finished goroutine's button stays focusable and says so:
    // pressing it is refused with the reason, which a disabled button could
    // not tell.
    c.button.setAttribute("aria-disabled", task.done || task.blocked ? "true" : "false");
    c.refusal.hidden = !refused;
    c.refusal.textContent = refused ? refusalText(refused) : "";
  }
}

/**
 * setupStepMode starts the step mode in the page: it loads the run the
 * link names (or the default one) and shows the section. It returns the
 * StepMode, with active true when the link asked for the lesson.
 */
export async function setupStepMode(go, doc = document, win = window) {
  const root = doc.getElementById("step-mode");
  if (!root) return null;
  const spec = JSON.parse(await go().call("stepSpec"));
  const step = new StepMode(root, go, spec, win);
  await step.loadLink(win.location.search);
  step.activate(isStepLink(win.location.search));
  // The page's way in and out: a button under the scene's views opens the
  // step mode in their place, and the step mode's own button goes back.
  const open = doc.getElementById("step-open");
  const close = doc.getElementById("step-close");
  open?.addEventListener("click", () => { step.activate(true); root.focus({ preventScroll: true }); });
  close?.addEventListener("click", () => { step.activate(false); open?.focus(); });
  // A link to the lesson puts the keyboard there too (its keys work with
  // the focus anywhere in the section); not in a frame, where it would
  // take the focus from the course page.
  if (step.active && win.parent === win) root.focus({ preventScroll: true });
  return step;
}
