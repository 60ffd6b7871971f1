// The playground: the lifecycle of a scene (start, pause, stop, reset), its
// event batches and the scheduling of the views that draw them. The form is
// SceneForm's (sceneform.js), the Mutex-or-RWMutex experiment Comparison's
// (compare.js). The views read the SceneModel: the picture from the
// engine's events, the engine's counts from its snapshot (the pool's
// timeouts, say, are the snapshot's in the pool view and in the Numbers).
import { SceneModel } from "./model.js";
import { SceneForm, errorSummary } from "./sceneform.js";
import { Comparison } from "./compare.js";
import { Timeline } from "./timeline.js";
import { LockView, CacheView, PoolView, StatsView, LogView } from "./views.js";
import { SourceView } from "./sourceview.js";
import { Announcer } from "./announce.js";

const $ = (sel, root = document) => root.querySelector(sel);

const STATE_WORDS = { idle: "Not started", running: "Running", paused: "Paused: the scene clock is frozen", stopping: "Stopping…", stopped: "Stopped: every goroutine has ended" };

export class Playground {
  constructor(go, spec, root) {
    this.spec = spec;
    this.root = root;
    this.state = "idle";
    this.reducedMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.model = new SceneModel(spec);
    this.batches = 0; // batches of events taken from the worker (the e2e tests count them)
    // "state" (detail: the new state) on every change, for the embed API.
    this.events = new EventTarget();
    this.pendingRender = false;

    // The speed changes a running scene: it sits with the scene's buttons.
    this.form = new SceneForm(spec.fields, $("#scene-fields", root), (f) => this.#onFieldChange(f), { speed: $("#scene-speed", root) });
    this.form.setScene(spec.defaults);
    this.timeline = new Timeline($("#timeline", root), $("#timeline-tip", root), $("#timeline-live", root), this.model);
    this.timeline.legend($("#timeline-legend", root));
    this.lockView = new LockView($("#lock-view", root), this.model);
    this.cacheView = new CacheView($("#cache-view", root), this.model, this.reducedMotion);
    this.poolView = new PoolView($("#pool-view", root), this.model);
    this.statsView = new StatsView($("#stats-view", root), this.model);
    this.logView = new LogView($("#log-view", root), this.model);
    // Every view that keeps something of the last scene, for #resetViews.
    this.views = [this.timeline, this.lockView, this.cacheView, this.poolView, this.statsView, this.logView];
    this.source = new SourceView($("#source-view", root));
    this.timeline.onSelect = (seg) => {
      const op = seg.s === "sweep" ? "sweep" : this.model.ops[seg.op];
      if (op) this.source.markOp(op, this.timeline.describe(this.timeline.focusLane, seg));
    };
    // A log line marks its function in the source: the source opens first
    // if it is closed, and comes into sight.
    this.logView.onSelect = async (kind, lockOp, words) => {
      const details = $("#source-details", root);
      if (!details.open) details.open = true;
      await this.source.load();
      if (this.source.markKind(kind, lockOp, words)) details.scrollIntoView({ block: "nearest" });
    };
    $("#source-details", root).addEventListener("toggle", (e) => {
      if (e.target.open) this.source.load();
    });
    // What a screen reader hears: a scene started, paused, ended; a
    // comparison finished (see announce.js). Nothing that streams.
    this.announcer = new Announcer($("#announce", root));
    this.quiet = false; // the comparison speaks for its own runs
    this.comparison = new Comparison(this, root);

    $("#scene-start", root).addEventListener("click", () => this.start());
    $("#scene-pause", root).addEventListener("click", () => this.togglePause());
    $("#scene-stop", root).addEventListener("click", () => this.stop());
    $("#scene-reset", root).addEventListener("click", () => this.reset());
    $("#scene-link", root).addEventListener("click", () => this.copyLink());
    $("#scene-form", root).addEventListener("submit", (e) => {
      e.preventDefault();
      this.start();
    });
    $("#timeline-zoom", root).addEventListener("input", (e) => {
      this.timeline.windowSec = Number(e.target.value);
      this.#render();
    });
    this.onBatchEvent = (e) => this.#onBatch(e.detail);
    this.attach(go);
    // Draw only the views on screen: the model keeps up with every event
    // either way, and a view scrolled into sight catches up at once.
    this.visible = new Set();
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) this.visible.add(e.target.id);
        else this.visible.delete(e.target.id);
      }
      this.#scheduleRender();
    });
    for (const id of ["timeline", "lock-view", "cache-view", "pool-view", "log-view", "stats-view"]) io.observe($(`#${id}`, root));
    window.addEventListener("resize", () => this.#scheduleRender());
    this.#setState("idle");
  }

  /** snapshot is the engine's latest numbers for the running scene, or null. */
  get snapshot() {
    return this.model.snapshot;
  }

  /** attach makes the playground use a (new) Go worker. */
  attach(go) {
    if (this.go && this.go !== go) this.go.removeEventListener("batch", this.onBatchEvent);
    this.go = go;
    go.addEventListener("batch", this.onBatchEvent);
  }

  /** setScene fills the form with a scene's values. */
  setScene(scene) {
    this.form.setScene(scene);
  }

  /** formScene reads the form into a scene object; empty or unparseable numbers are sent as given, for Go to judge. */
  formScene() {
    return this.form.scene();
  }

  #onFieldChange(f) {
    clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => this.validate(), 150);
    if (f.name === "speed" && (this.state === "running" || this.state === "paused")) {
      const x = Number(this.form.value("speed"));
      this.go.call("sceneSpeed", x).then(() => {
        this.model.scene.speed = x;
      }, () => {}); // the field's message comes from validate
    }
  }

  /** validate asks the engine about the form's scene and shows each field's message. */
  async validate() {
    const res = JSON.parse(await this.go.call("sceneParse", JSON.stringify(this.formScene())));
    this.showErrors(res.ok ? [] : res.errors);
    return res;
  }

  /**
   * showErrors shows the engine's messages: each beside its field, and a
   * summary above the form that names them; notes (a link's ignored
   * parameters) are said there too.
   */
  showErrors(errors, notes = []) {
    this.form.showErrors(errors);
    const box = $("#scene-errors", this.root);
    box.hidden = errors.length === 0 && notes.length === 0;
    box.textContent = errorSummary(this.spec.fields, errors, notes);
  }

  /** loadQuery reads a scene from the page's URL, if it carries anything but the page's own parameters. */
  async loadQuery(search) {
    const params = new URLSearchParams(search);
    const own = new Set(this.spec.pageParams || []);
    if (![...params.keys()].some((k) => !own.has(k))) return;
    const res = JSON.parse(await this.go.call("sceneFromQuery", search));
    if (res.ok) {
      this.setScene(res.scene);
      this.showErrors([], res.unknown);
    } else {
      // Show what the link asked for, so the learner sees what to fix:
      // the scene as the link reads (a mix it gives in part is 0
      // elsewhere), and a value that did not parse as written.
      if (res.parsed) this.setScene(res.parsed);
      const bad = new Set(res.errors.map((e) => e.field));
      for (const [k, v] of params) if (this.form.has(k) && bad.has(k)) this.form.setValue(k, v);
      this.showErrors(res.errors, res.unknown);
    }
  }

  /**
   * start runs the form's scene; it resolves to false if the scene cannot
   * run (the form says why). A label (the comparison's "run 2 of 3:
   * rwmutex") says in the scene's state which run the views show.
   */
  async start({ label = "" } = {}) {
    const text = JSON.stringify(this.formScene());
    let res;
    try {
      res = JSON.parse(await this.go.call("sceneStart", text));
    } catch (err) {
      this.showErrors([{ field: "", message: err.message }]);
      return false;
    }
    if (!res.ok) {
      this.showErrors(res.errors);
      return false;
    }
    this.showErrors([]);
    this.runLabel = label;
    this.#resetViews(res.scene);
    clearTimeout(this.pumpTimer);
    this.go.pump(true);
    this.#setState("running");
    this.#scheduleRender();
    return true;
  }

  /** togglePause pauses a running scene, or resumes a paused one. */
  async togglePause() {
    if (this.state === "running") await this.pause();
    else if (this.state === "paused") await this.resume();
  }

  async pause() {
    if (this.state !== "running") return;
    await this.go.call("scenePause");
    this.#setState("paused");
  }

  async resume() {
    if (this.state !== "paused") return;
    await this.go.call("sceneResume");
    this.#setState("running");
  }

  /** stop ends the running or paused scene, and resolves once every goroutine of it has ended. */
  async stop() {
    if (this.state !== "running" && this.state !== "paused") return;
    this.#setState("stopping");
    // Every goroutine of a scene ends when asked; but should the Go side
    // ever not answer (a goroutine that never blocks freezes it), the
    // worker is terminated and a fresh one started: Stop always stops.
    const answered = await Promise.race([
      this.go.call("sceneStop").then(() => true, () => true),
      new Promise((resolve) => setTimeout(() => resolve(false), this.stopTimeoutMs ?? 3000)),
    ]);
    if (!answered && this.restartWorker) {
      await this.restartWorker();
      this.#setState("stopped");
      $("#scene-errors", this.root).hidden = true;
      this.model.state = "stopped";
      const note = $("#aggregated", this.root);
      note.hidden = false;
      note.textContent = "The Go worker did not answer Stop, so it was ended and a fresh one started.";
      this.restarted = (this.restarted || 0) + 1;
      return;
    }
    // One more batch carries the sceneStop event; then the pump can rest.
    clearTimeout(this.pumpTimer);
    this.pumpTimer = setTimeout(() => this.go.pump(false), 500);
    this.#setState("stopped");
  }

  /** reset stops the scene, puts the form back to the defaults and clears every view. */
  async reset() {
    await this.stop();
    this.setScene(this.spec.defaults);
    this.showErrors([]);
    this.#resetViews(this.spec.defaults);
    this.#setState("idle");
    this.#render();
  }

  // resetViews clears the model and every view for a new scene: the one
  // place that knows what a view keeps between scenes.
  #resetViews(scene) {
    this.model.reset(scene);
    for (const v of this.views) v.reset();
  }

  // --- Lessons (lessons.js): scenes that the Go side starts for a lesson's
  // runs. While lessonActive is set, a run's end is not the scene's end:
  // the lesson calls sceneEnded after its last run.

  /** showScene draws a scene a lesson started in the worker: the form shows it, the views start over. */
  showScene(scene) {
    this.setScene(scene);
    this.showErrors([]);
    this.#resetViews(scene);
    clearTimeout(this.pumpTimer);
    this.go.pump(true);
    this.#setState("running");
    this.#scheduleRender();
  }

  /** sceneEnded marks the end of a lesson's last scene. */
  sceneEnded() {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = setTimeout(() => this.go.pump(false), 500);
    if (this.state !== "idle") this.#setState("stopped");
  }

  // --- end of the lessons' part

  async copyLink() {
    const res = await this.validate();
    if (!res.ok) return;
    const url = new URL(location.href);
    url.search = res.query;
    history.replaceState(null, "", url);
    const out = $("#scene-link-out", this.root);
    out.value = url.href;
    out.hidden = false;
    try {
      await navigator.clipboard.writeText(url.href);
      out.title = "Copied to the clipboard";
    } catch {
      out.select();
    }
  }

  #setState(state) {
    this.state = state;
    this.root.dataset.scene = state;
    const running = state === "running" || state === "paused";
    const focused = document.activeElement;
    $("#scene-start", this.root).disabled = running || state === "stopping";
    $("#scene-pause", this.root).disabled = !running;
    $("#scene-pause", this.root).textContent = state === "paused" ? "Resume" : "Pause";
    $("#scene-pause", this.root).setAttribute("aria-pressed", state === "paused" ? "true" : "false");
    $("#scene-stop", this.root).disabled = !running;
    if (state === "idle") this.runLabel = "";
    $("#scene-state", this.root).textContent = (STATE_WORDS[state] || state) + (this.runLabel ? ` (${this.runLabel})` : "");
    this.#keepFocus(focused, state);
    if (!this.quiet && state !== "idle" && state !== "stopping") this.announcer.say(`Scene ${STATE_WORDS[state].charAt(0).toLowerCase()}${STATE_WORDS[state].slice(1)}.`);
    this.events.dispatchEvent(new CustomEvent("state", { detail: state }));
  }

  // keepFocus moves the keyboard focus off a button the new state
  // disables (Start once it runs, Stop once it stops), which would leave it
  // on <body>: to the button that undoes what was pressed. While a scene
  // stops both are disabled, so the focus waits on Reset and moves on to
  // Start once the scene has stopped.
  #keepFocus(focused, state) {
    const running = state === "running" || state === "paused";
    if (focused && focused.disabled && this.root.contains(focused)) {
      const to = $(running ? "#scene-stop" : state === "stopping" ? "#scene-reset" : "#scene-start", this.root);
      to.focus();
      this.parkedFocus = state === "stopping" ? to : null;
    } else if (this.parkedFocus && state !== "stopping") {
      if (document.activeElement === this.parkedFocus) $(running ? "#scene-stop" : "#scene-start", this.root).focus();
      this.parkedFocus = null;
    }
  }

  #onBatch(msg) {
    if (msg.events) this.model.apply(msg.events);
    if (msg.snapshot && this.model.takeSnapshot(JSON.parse(msg.snapshot))) {
      const s = this.model.snapshot;
      this.statsView.update(s, this.visible.has("stats-view"));
      if (s.state === "stopped" && this.state !== "stopped" && this.state !== "stopping" && !this.lessonActive) this.#setState("stopped");
    }
    this.batches++;
    this.#scheduleRender(() => this.go.ack());
  }

  #scheduleRender(after) {
    if (after) (this.afterRender ??= []).push(after);
    if (this.pendingRender) return;
    this.pendingRender = true;
    requestAnimationFrame(() => {
      this.pendingRender = false;
      this.#render();
      const cbs = this.afterRender || [];
      this.afterRender = [];
      for (const cb of cbs) cb();
    });
  }

  #render() {
    const v = this.visible;
    if (v.has("timeline")) this.timeline.draw();
    // Off screen it is not drawn, but it takes its height for the scene's
    // lanes now: growing later, when scrolled to, would move the page.
    else if (this.timeline.cssLanes !== this.model.lanes.length) this.timeline.layout();
    if (v.has("lock-view")) this.lockView.draw();
    if (v.has("cache-view")) this.cacheView.draw();
    if (v.has("pool-view")) this.poolView.draw();
    if (v.has("stats-view")) this.statsView.draw();
    const now = performance.now();
    if (v.has("log-view") && (!this.lastLog || now - this.lastLog > 250)) {
      this.logView.draw();
      this.lastLog = now;
    }
    const agg = this.model.aggregatedTotal;
    const aggEl = $("#aggregated", this.root);
    aggEl.hidden = agg === 0;
    if (agg) aggEl.textContent = `${agg} events arrived faster than the page could draw them; they are counted (${[...this.model.aggregated].map(([k, n]) => `${k} ${n}`).join(", ")}), not shown one by one.`;
  }
}
