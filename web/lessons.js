// The guided lessons panel (issue 12): choose a lesson and a variant, read
// its short text, run it on the playground's views, see its result and a
// one-line reading. The lessons, their texts, their runs and their results
// are Go's (wasm/lesson, through lessonList / lessonCheck / lessonRun);
// this module draws them and drives the playground while they run. Every
// text from Go or a link is set as textContent, never as markup.
import { el } from "./dom.js";

/**
 * lessonRequest reads a lesson request from a URL query: null when there is
 * no lesson parameter, else {lesson, variant, reads?, originFail?} as given
 * (Go judges the values: lessonCheck). Numbers that do not parse are kept
 * as their text, so that Go's message names them.
 */
export function lessonRequest(search) {
  const q = new URLSearchParams(search);
  if (!q.has("lesson")) return null;
  const req = { lesson: q.get("lesson"), variant: q.get("variant") ?? "" };
  for (const k of ["reads", "originFail"]) {
    if (!q.has(k)) continue;
    const n = Number(q.get(k));
    req[k] = q.get(k).trim() !== "" && Number.isFinite(n) ? n : q.get(k);
  }
  return req;
}

/** lessonQuery is the link's query for a lesson and a variant. */
export function lessonQuery(id, variant) {
  return new URLSearchParams({ lesson: id, variant }).toString();
}

/** formatValue shows a result number: whole numbers as they are, others to two decimals. */
export function formatValue(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** barWidths scales values to percentages of the largest (0 when all are 0). */
export function barWidths(values) {
  const top = Math.max(0, ...values);
  return values.map((v) => (top > 0 ? Math.round((v / top) * 100) : 0));
}

const LOCKINGS = ["mutex", "rwmutex", "sharded"];

export class Lessons {
  /**
   * pg is the Playground; root the #lessons-panel element; list is
   * lessonList's {lessons, ids}. external maps a lesson id that another
   * module runs to its loader: the step mode (stepui) sets
   * lessons.external.interleave = async (variant) => {...}.
   */
  constructor(pg, root, list) {
    this.pg = pg;
    this.root = root;
    this.list = list.lessons;
    this.ids = list.ids;
    this.external = {};
    this.loaded = null; // {lesson, variant, reads, originFail}: what Run runs
    this.running = false;
    this.#build();
    root.hidden = false;
  }

  #build() {
    const r = this.root;
    r.replaceChildren();
    // Folded at first to one line under the timeline, so that the settings
    // and views stay near; a lesson's link (or the API) opens it.
    this.details = el("details", "lessons-details");
    this.details.id = "lessons-details";
    const summary = el("summary");
    const h2 = el("h2", "", "Guided lessons");
    h2.id = "lessons-heading";
    this.current = el("span", "lessons-current");
    summary.append(h2, this.current);
    const head = el("div", "lessons-head");
    head.append(el("p", "help", "Each lesson is a prepared scene with a claim you can watch on the views below, and a result it measures."));
    const pick = el("div", "lessons-picker");
    const lab = el("label", "lesson-choice", "Lesson ");
    this.select = el("select");
    this.select.id = "lesson-select";
    for (const l of this.list) {
      const o = el("option", "", l.title);
      o.value = l.id;
      this.select.append(o);
    }
    lab.append(this.select);
    this.variants = el("fieldset", "lesson-variants");
    this.readsField = el("label", "lesson-reads", "Reads (% of operations)");
    this.reads = el("input");
    Object.assign(this.reads, { type: "number", min: 10, max: 100, step: 10, value: 90, id: "lesson-reads" });
    this.readsField.append(this.reads);
    this.runBtn = el("button", "", "Run the lesson");
    this.runBtn.id = "lesson-run";
    this.runBtn.type = "button";
    this.stopBtn = el("button", "secondary", "Stop");
    this.stopBtn.id = "lesson-stop";
    this.stopBtn.type = "button";
    this.stopBtn.disabled = true;
    this.linkBtn = el("button", "secondary lesson-link", "Copy a link to this lesson");
    this.linkBtn.type = "button";
    const buttons = el("div", "scene-buttons");
    buttons.append(this.runBtn, this.stopBtn, this.linkBtn);
    pick.append(lab, this.variants, this.readsField, buttons);

    this.brief = el("div", "lesson-brief");
    this.brief.id = "lesson-brief-text";
    this.errors = el("p", "form-errors");
    this.errors.id = "lesson-errors";
    this.errors.setAttribute("role", "alert");
    this.errors.hidden = true;
    this.status = el("p", "lesson-status");
    this.status.id = "lesson-status";
    this.status.setAttribute("role", "status");
    this.lines = el("ol", "lesson-lines");
    this.lines.id = "lesson-lines";
    this.lines.hidden = true;
    this.collectBtn = el("button", "secondary", "Collect garbage (runtime.GC)");
    this.collectBtn.id = "lesson-collect";
    this.collectBtn.type = "button";
    this.collectBtn.hidden = true;
    this.result = el("section", "lesson-result");
    this.result.id = "lesson-result";
    this.result.hidden = true;
    this.linkOut = el("input", "link-out");
    Object.assign(this.linkOut, { type: "url", readOnly: true, hidden: true });
    this.linkOut.setAttribute("aria-label", "Link to this lesson");
    this.details.append(summary, head, pick, this.errors, this.brief, this.status, this.lines, this.collectBtn, this.result, this.linkOut);
    r.append(this.details);

    this.select.addEventListener("change", () => this.choose(this.select.value, ""));
    this.runBtn.addEventListener("click", () => this.run().catch(() => {}));
    this.stopBtn.addEventListener("click", () => this.stop());
    this.collectBtn.addEventListener("click", () => this.collect());
    this.linkBtn.addEventListener("click", () => this.copyLink());
    this.choose(this.list[0].id, "", { quiet: true });
  }

  lessonOf(id) {
    return this.list.find((l) => l.id === id);
  }

  /** choose shows a lesson and a variant in the panel (no check: the select only offers known ones). */
  choose(id, variant, { quiet = false } = {}) {
    const l = this.lessonOf(id);
    if (!l) return;
    const v = l.variants.find((x) => x.id === variant) || l.variants[0];
    this.select.value = l.id;
    this.current.textContent = `: ${l.title}`;
    this.variants.replaceChildren(el("legend", "", "Variant"));
    for (const x of l.variants) {
      const lab = el("label");
      const input = el("input");
      Object.assign(input, { type: "radio", name: "lesson-variant", value: x.id, checked: x.id === v.id });
      input.addEventListener("change", () => this.#drawBrief(l, x));
      lab.append(input, ` ${x.label}`);
      this.variants.append(lab);
    }
    this.variants.hidden = l.variants.length < 2;
    this.readsField.hidden = !l.reads;
    this.#drawBrief(l, v);
    if (!quiet) this.loaded = null;
  }

  /** current is what the panel asks for now: {lesson, variant, reads?}. */
  current() {
    const checked = this.variants.querySelector("input:checked");
    const req = { lesson: this.select.value, variant: checked ? checked.value : "" };
    const l = this.lessonOf(req.lesson);
    if (l && l.reads) req.reads = this.reads.value.trim() === "" ? this.reads.value : Number(this.reads.value);
    return req;
  }

  #drawBrief(l, v) {
    const b = this.brief;
    b.replaceChildren();
    const p = (cls, label, text) => {
      const e = el("p", cls);
      if (label) e.append(el("strong", "", `${label} `));
      e.append(text);
      return e;
    };
    b.append(el("h3", "", l.title), p("lesson-prompt", "", l.prompt));
    const vt = el("p", "lesson-variant-text");
    vt.append(el("strong", "", `${v.label}: `), v.text);
    if (v.code) vt.append(el("code", "", v.code));
    b.append(vt, p("lesson-watch", "Watch:", l.watch), p("lesson-claim", "The claim:", l.claim));
    const tries = el("ol", "lesson-try");
    for (const t of l.tryThis) tries.append(el("li", "", t));
    const tryHead = el("p", "lesson-try-head");
    tryHead.append(el("strong", "", "Try this, one change at a time:"));
    b.append(tryHead, tries, p("lesson-where", "In the browser and natively:", l.where));
    if (l.native) b.append(this.#nativeTable(l.native));
  }

  #nativeTable(n) {
    const t = el("table", "compare lesson-native");
    const cap = el("caption", "", `${n.text} Measured ${n.date} on ${n.machine}, with: `);
    cap.append(el("code", "", n.command), ` (${n.source}).`);
    t.append(cap);
    const body = el("tbody");
    for (const [label, fig] of n.rows) {
      const tr = el("tr");
      const th = el("th", "", label);
      th.scope = "row";
      tr.append(th, el("td", "", fig));
      body.append(tr);
    }
    t.append(body);
    return t;
  }

  /** check asks Go whether a request names a lesson and a variant: {ok, lesson, variant, scene} or {ok: false, errors}. */
  async check(req) {
    return JSON.parse(await this.pg.go.call("lessonCheck", JSON.stringify(req)));
  }

  /**
   * load chooses a lesson from a link or a message: Go checks it (the one
   * place), the panel shows it and the form its first scene. A lesson run
   * by another module (interleave) goes to its loader. It resolves to
   * lessonCheck's answer.
   */
  async load(req) {
    if (req.lesson === "interleave") return this.loadExternal(req);
    const res = await this.check(req);
    if (!res.ok) {
      this.#showErrors(res.errors);
      return res;
    }
    this.#showErrors([]);
    this.choose(res.lesson, res.variant, { quiet: true });
    if (req.reads !== undefined) this.reads.value = req.reads;
    this.loaded = { ...req, lesson: res.lesson, variant: res.variant };
    this.root.classList.add("has-lesson");
    this.details.open = true;
    this.pg.setScene(res.scene);
    return res;
  }

  /** loadExternal is the dispatch point for lessons other modules run: the step mode's interleave. */
  async loadExternal(req) {
    const loader = this.external[req.lesson];
    if (typeof loader !== "function") {
      const res = { ok: false, errors: [{ field: "lesson", message: `the lesson "${req.lesson}" needs the step mode, which this page does not have` }] };
      this.#showErrors(res.errors);
      return res;
    }
    await loader(req.variant || "");
    return { ok: true, lesson: req.lesson, variant: req.variant || "", external: true };
  }

  #showErrors(errors) {
    this.errors.hidden = errors.length === 0;
    this.errors.textContent = errors.length ? `The lesson cannot run: ${errors.map((e) => e.message).join("; ")}.` : "";
  }

  /**
   * run runs the loaded lesson (or the panel's choice) on the playground's
   * views, all its runs, and resolves to Go's report; it rejects if it was
   * refused, failed or was stopped. pg.events gets "lesson" (detail: the
   * report) when it ends well.
   */
  async run(req = this.loaded || this.current()) {
    if (this.running) throw new Error("a lesson is running already");
    const pg = this.pg;
    const checked = await this.check(req);
    if (!checked.ok) {
      this.#showErrors(checked.errors);
      throw new Error(checked.errors.map((e) => e.message).join("; "));
    }
    this.#showErrors([]);
    this.choose(checked.lesson, checked.variant, { quiet: true });
    const l = this.lessonOf(checked.lesson);
    await pg.stop();
    this.running = true;
    pg.lessonActive = true;
    this.#buttons();
    this.result.hidden = true;
    this.lines.replaceChildren();
    this.lines.hidden = l.views;
    this.collectBtn.hidden = l.views;
    this.status.textContent = `Running the lesson “${l.title}”…`;
    // A scene lesson plays on the views: bring them into sight.
    if (l.views) document.getElementById("timeline")?.scrollIntoView({ block: "start", behavior: pg.reducedMotion ? "auto" : "smooth" });
    let report;
    try {
      const text = await pg.go.stream("lessonRun", [JSON.stringify(req)], (ev) => this.#onEvent(l, ev));
      report = JSON.parse(text);
    } catch (err) {
      const stopped = /stopped before its end|context canceled/.test(err.message);
      this.status.textContent = stopped ? "Stopped: the lesson did not finish, so it has no result." : "";
      if (!stopped) this.#showErrors([{ field: "", message: err.message.replace(/^lessonRun: /, "") }]);
      throw err;
    } finally {
      pg.sceneEnded();
      pg.lessonActive = false;
      this.running = false;
      this.#buttons();
    }
    this.#showResult(l, report);
    pg.events.dispatchEvent(new CustomEvent("lesson", { detail: report }));
    return report;
  }

  #onEvent(l, ev) {
    if (ev.type === "run") {
      this.pg.showScene(JSON.parse(ev.scene));
      this.status.textContent = ev.of > 1 ? `Run ${ev.index + 1} of ${ev.of}: ${ev.label}. The views show this run.` : `Running: ${ev.label}. Watch the views below.`;
    } else if (ev.type === "say") {
      this.lines.append(el("li", "", ev.text));
    }
  }

  #buttons() {
    this.runBtn.disabled = this.running;
    this.stopBtn.disabled = !this.running;
    this.select.disabled = this.running;
    for (const i of this.root.querySelectorAll(".lesson-variants input, #lesson-reads")) i.disabled = this.running;
  }

  #showResult(l, rep) {
    const box = this.result;
    box.replaceChildren(el("h3", "", "Result"));
    if (rep.origin) box.append(el("p", "help", `Origin: ${rep.origin}.`));
    const errs = (rep.runs || []).map((r) => r.measures).filter((m) => m && m.originErrors > 0);
    if (errs.length) {
      const e = el("p", "form-errors", `${errs[0].originErrors} of ${errs[0].originRequests} loads failed, and nothing was cached for them: ${errs[0].originError}`);
      e.id = "lesson-origin-error";
      box.append(e);
    }
    const dl = el("dl", "lesson-numbers");
    for (const k of l.result) {
      const d = el("div");
      const dd = el("dd", "", formatValue(rep.result[k]));
      dd.dataset.result = k;
      d.append(el("dt", "", k), dd);
      dl.append(d);
    }
    box.append(dl);
    if (l.id === "rwmutex") box.append(this.#chart(rep.result));
    box.hidden = false;
    this.status.textContent = `Done: ${rep.reading}`;
    if (l.views) this.status.scrollIntoView({ block: "nearest", behavior: this.pg.reducedMotion ? "auto" : "smooth" });
  }

  /** chart draws operations per second and mean lock wait per locking, as bars with their numbers. */
  #chart(r) {
    const fig = el("figure", "lesson-chart");
    fig.append(el("figcaption", "", "Operations per second (longer is better) and mean lock wait (shorter is better), one run per locking"));
    for (const [suffix, unit] of [["OpsPerSecond", "ops/s"], ["LockWaitMeanMs", "ms wait"]]) {
      const vals = LOCKINGS.map((k) => r[k + suffix]);
      const widths = barWidths(vals);
      const ul = el("ul", `bars bars-${suffix}`);
      LOCKINGS.forEach((k, i) => {
        const li = el("li");
        const bar = el("span", "bar");
        bar.style.width = `${widths[i]}%`;
        li.append(el("span", "bar-label", k), bar, el("span", "bar-value", `${formatValue(Math.round(vals[i] * 10) / 10)} ${unit}`));
        ul.append(li);
      });
      fig.append(ul);
    }
    return fig;
  }

  /** stop ends a running lesson: its scene stops, and it has no result. */
  async stop() {
    if (!this.running) return;
    await this.pg.go.call("lessonStop");
    await this.pg.stop();
  }

  /** collect runs the garbage collector in Go and says how many janitor goroutines run now. */
  async collect() {
    const n = await this.pg.go.call("lessonCollect");
    this.lines.hidden = false;
    this.lines.append(el("li", "", `Collect garbage: runtime.GC() ran; ${n} janitor goroutine${n === 1 ? "" : "s"} running now (a janitor of an unreachable cache ends at its next tick).`));
  }

  async copyLink() {
    const req = this.current();
    const url = new URL(location.href);
    url.search = lessonQuery(req.lesson, req.variant);
    this.linkOut.value = url.href;
    this.linkOut.hidden = false;
    try {
      await navigator.clipboard.writeText(url.href);
      this.status.textContent = "Link copied.";
    } catch {
      this.linkOut.select();
      this.status.textContent = "Press Ctrl+C (Cmd+C on a Mac) to copy the selected link.";
    }
  }
}
