// The playground: controls for a scene, built from the engine's field specs,
// and the live views of a running scene. Validation happens in one place,
// the Go engine (Scene.Validate), for the form, the URL and the bindings
// alike; the page only shows its messages.
import { SceneModel } from "./model.js";
import { Timeline } from "./timeline.js";
import { LockView, CacheView, PoolView, StatsView, LogView } from "./views.js";
import { SourceView } from "./sourceview.js";

const $ = (sel, root = document) => root.querySelector(sel);

const GROUPS = {
  tasks: "Goroutines",
  cache: "Cache",
  pool: "Pool",
  time: "Time",
};

export class Playground {
  constructor(go, spec, root) {
    this.go = go;
    this.spec = spec;
    this.root = root;
    this.fields = spec.fields;
    this.inputs = new Map(); // field name -> input
    this.state = "idle";
    this.reducedMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.model = new SceneModel(spec);
    // "state" (detail: the new state) on every change, for the embed API.
    this.events = new EventTarget();
    this.pendingRender = false;
    // Measurements for the browser benchmark (make bench-web) and for the
    // curious: frame times while a scene runs, events applied.
    this.metrics = { frames: [], lastFrame: 0, eventsApplied: 0, batches: 0, applyMs: 0 };
    window.playgroundMetrics = this.metrics;

    this.#buildForm();
    // On a phone the settings would push the views far down: start folded.
    if (matchMedia("(max-width: 900px)").matches) $("#scene-settings", root).open = false;
    this.timeline = new Timeline($("#timeline", root), $("#timeline-tip", root), $("#timeline-live", root), this.model);
    this.timeline.legend($("#timeline-legend", root));
    this.lockView = new LockView($("#lock-view", root), this.model);
    this.cacheView = new CacheView($("#cache-view", root), this.model, this.reducedMotion);
    this.poolView = new PoolView($("#pool-view", root), this.model);
    this.statsView = new StatsView($("#stats-view", root), this.model);
    this.logView = new LogView($("#log-view", root), this.model);
    this.source = new SourceView($("#source-view", root));
    this.timeline.onSelect = (seg) => {
      const op = seg.s === "sweep" ? "sweep" : this.model.ops[seg.op];
      if (op) this.source.markOp(op, this.timeline.describe(this.timeline.focusLane, seg));
    };
    this.logView.onSelect = (kind) => this.source.markKind(kind);
    $("#source-details", root).addEventListener("toggle", (e) => {
      if (e.target.open) this.source.load();
    });

    $("#scene-start", root).addEventListener("click", () => this.start());
    $("#scene-pause", root).addEventListener("click", () => this.togglePause());
    $("#scene-stop", root).addEventListener("click", () => this.stop());
    $("#scene-reset", root).addEventListener("click", () => this.reset());
    $("#scene-link", root).addEventListener("click", () => this.copyLink());
    $("#compare-run", root).addEventListener("click", () => this.compare());
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

  /** attach makes the playground use a (new) Go worker. */
  attach(go) {
    if (this.go && this.go !== go) this.go.removeEventListener("batch", this.onBatchEvent);
    this.go = go;
    go.addEventListener("batch", this.onBatchEvent);
  }

  #buildForm() {
    const form = $("#scene-fields", this.root);
    const groups = new Map();
    for (const f of this.fields) {
      let fs = groups.get(f.group);
      if (!fs) {
        fs = document.createElement("fieldset");
        const lg = document.createElement("legend");
        lg.textContent = GROUPS[f.group] || f.group;
        fs.append(lg);
        groups.set(f.group, fs);
        form.append(fs);
      }
      const id = `f-${f.name.replace(".", "-")}`;
      const row = document.createElement("div");
      row.className = "field";
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = f.label + (f.unit && f.unit !== "x" ? ` (${f.unit})` : f.unit === "x" ? " (×)" : "");
      let input;
      if (f.kind === "choice") {
        input = document.createElement("select");
        for (const o of f.options) {
          const opt = document.createElement("option");
          opt.value = o;
          opt.textContent = o;
          input.append(opt);
        }
      } else {
        input = document.createElement("input");
        input.type = "number";
        input.min = f.min;
        input.max = f.max;
        input.step = f.step || (f.kind === "int" ? 1 : "any");
        input.inputMode = f.kind === "int" ? "numeric" : "decimal";
      }
      input.id = id;
      input.name = f.name;
      const help = document.createElement("small");
      help.id = `${id}-help`;
      help.className = "help";
      help.textContent = f.help;
      const err = document.createElement("small");
      err.id = `${id}-error`;
      err.className = "error";
      err.hidden = true;
      input.setAttribute("aria-describedby", `${help.id} ${err.id}`);
      input.addEventListener("input", () => this.#onFieldChange(f));
      input.addEventListener("change", () => this.#onFieldChange(f));
      row.append(label, input, help, err);
      fs.append(row);
      this.inputs.set(f.name, input);
    }
    this.setScene(this.spec.defaults);
  }

  /** setScene fills the form with a scene's values. */
  setScene(scene) {
    for (const f of this.fields) {
      const input = this.inputs.get(f.name);
      const v = f.name.split(".").reduce((o, k) => (o ? o[k] : undefined), scene);
      if (v !== undefined) input.value = String(v);
    }
  }

  /** formScene reads the form into a scene object; empty or unparseable numbers are sent as given, for Go to judge. */
  formScene() {
    const scene = {};
    for (const f of this.fields) {
      const raw = this.inputs.get(f.name).value;
      let v = raw;
      if (f.kind !== "choice") v = raw.trim() === "" ? null : Number(raw);
      if (typeof v === "number" && !Number.isFinite(v)) v = raw; // Go says why
      const path = f.name.split(".");
      let o = scene;
      for (let i = 0; i < path.length - 1; i++) o = o[path[i]] ??= {};
      o[path[path.length - 1]] = v;
    }
    return scene;
  }

  #onFieldChange(f) {
    clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => this.validate(), 150);
    if (f.name === "speed" && (this.state === "running" || this.state === "paused")) {
      const x = Number(this.inputs.get("speed").value);
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

  showErrors(errors) {
    if (errors.length) $("#scene-settings", this.root).open = true;
    const byField = new Map(errors.map((e) => [e.field, e.message]));
    for (const f of this.fields) {
      const input = this.inputs.get(f.name);
      const err = document.getElementById(`${input.id}-error`);
      let msg = byField.get(f.name);
      if (!msg && f.name.startsWith("mix.") && byField.has("mix")) msg = byField.get("mix");
      err.hidden = !msg;
      err.textContent = msg || "";
      if (msg) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    const general = errors.filter((e) => !this.inputs.has(e.field) && e.field !== "mix").map((e) => e.message);
    if (byField.has("mix")) general.push(byField.get("mix"));
    const box = $("#scene-errors", this.root);
    box.hidden = errors.length === 0;
    box.textContent = errors.length ? `The scene cannot run: ${errors.length} field${errors.length > 1 ? "s need" : " needs"} fixing. ${general.join(" ")}` : "";
  }

  /** loadQuery reads a scene from the page's URL, if it carries one. */
  async loadQuery(search) {
    const params = new URLSearchParams(search);
    const names = new Set(this.fields.map((f) => f.name));
    if (![...params.keys()].some((k) => names.has(k))) return;
    const res = JSON.parse(await this.go.call("sceneFromQuery", search));
    if (res.ok) {
      this.setScene(res.scene);
      this.showErrors([]);
    } else {
      // Show what the link asked for, so the learner sees what to fix.
      for (const [k, v] of params) if (this.inputs.has(k)) this.inputs.get(k).value = v;
      this.showErrors(res.errors);
    }
  }

  async start() {
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
    this.model.reset(res.scene);
    this.cacheView.reset();
    this.statsView.reset();
    this.lockView.last = "";
    this.poolView.last = "";
    this.metrics.frames = [];
    this.metrics.eventsApplied = 0;
    this.snapshot = null;
    clearTimeout(this.pumpTimer);
    this.go.pump(true);
    this.#setState("running");
    this.#scheduleRender();
    return true;
  }

  async togglePause() {
    if (this.state === "running") {
      await this.go.call("scenePause");
      this.#setState("paused");
    } else if (this.state === "paused") {
      await this.go.call("sceneResume");
      this.#setState("running");
    }
  }

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
      $("#scene-state", this.root).textContent = "Stopped";
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

  async reset() {
    if (this.state === "running" || this.state === "paused") await this.stop();
    this.setScene(this.spec.defaults);
    this.showErrors([]);
    this.model.reset(this.spec.defaults);
    this.cacheView.reset();
    this.statsView.reset();
    this.lockView.last = "";
    this.poolView.last = "";
    this.#setState("idle");
    this.#render();
  }

  /**
   * compare runs the form's scene once per locking strategy, for the given
   * scene seconds each, and shows their numbers side by side: the lesson's
   * third prompt, Mutex against RWMutex for a read-heavy load, measured.
   */
  async compare() {
    const secondsInput = $("#compare-seconds", this.root);
    const err = $("#compare-seconds-error", this.root);
    const seconds = Number(secondsInput.value);
    const bad = !Number.isInteger(seconds) || seconds < 1 || seconds > 60;
    err.hidden = !bad;
    err.textContent = bad ? `Seconds per run must be a whole number between 1 and 60 (got ${secondsInput.value || "nothing"}).` : "";
    if (bad) {
      secondsInput.setAttribute("aria-invalid", "true");
      return;
    }
    secondsInput.removeAttribute("aria-invalid");
    const button = $("#compare-run", this.root);
    const status = $("#compare-status", this.root);
    const lockingInput = this.inputs.get("locking");
    const original = lockingInput.value;
    button.disabled = true;
    const rows = [];
    try {
      if (this.state === "running" || this.state === "paused") await this.stop();
      for (const locking of ["mutex", "rwmutex", "sharded"]) {
        lockingInput.value = locking;
        status.textContent = `Running with ${locking}…`;
        if (!(await this.start())) return;
        await this.#until(() => this.snapshot && this.snapshot.state === "running" && this.snapshot.sceneMs >= seconds * 1000);
        rows.push({ locking, ...this.snapshot, maxReaders: this.model.maxReaders });
        await this.stop();
      }
      status.textContent = `Done: ${seconds} scene seconds each.`;
      const tbody = $("#compare-result tbody", this.root);
      tbody.replaceChildren(...rows.map((r) => {
        const tr = document.createElement("tr");
        const cells = [r.locking, Math.round(r.opsPerSec), `${r.lockWaitMeanMs.toFixed(1)} ms`, `${r.lockWaitP99Ms.toFixed(1)} ms`, r.maxReaders, r.hits + r.misses ? `${Math.round(r.hitRatio * 100)} %` : "–"];
        cells.forEach((c, i) => {
          const td = document.createElement(i === 0 ? "th" : "td");
          if (i === 0) td.scope = "row";
          td.textContent = String(c);
          tr.append(td);
        });
        return tr;
      }));
      $("#compare-result", this.root).hidden = false;
    } catch (e) {
      status.textContent = `The comparison stopped: ${e.message}`;
    } finally {
      lockingInput.value = original;
      button.disabled = false;
    }
  }

  #until(cond) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.state === "stopped" || this.state === "idle") reject(new Error("the scene was stopped"));
        else if (cond()) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
  }

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
    $("#scene-start", this.root).disabled = running || state === "stopping";
    $("#scene-pause", this.root).disabled = !running;
    $("#scene-pause", this.root).textContent = state === "paused" ? "Resume" : "Pause";
    $("#scene-pause", this.root).setAttribute("aria-pressed", state === "paused" ? "true" : "false");
    $("#scene-stop", this.root).disabled = !running;
    const words = { idle: "Not started", running: "Running", paused: "Paused: the scene clock is frozen", stopping: "Stopping…", stopped: "Stopped: every goroutine has ended" };
    $("#scene-state", this.root).textContent = words[state] || state;
    this.events.dispatchEvent(new CustomEvent("state", { detail: state }));
  }

  #onBatch(msg) {
    const t0 = performance.now();
    if (msg.events) {
      this.metrics.eventsApplied += this.model.apply(msg.events);
    }
    if (msg.snapshot && !this.model.awaitingStart) {
      this.snapshot = JSON.parse(msg.snapshot);
      if (this.snapshot.sceneMs > this.model.now) this.model.now = this.snapshot.sceneMs;
      this.statsView.update(this.snapshot, this.visible.has("stats-view"));
      if (this.snapshot.state === "stopped" && this.state !== "stopped" && this.state !== "stopping") this.#setState("stopped");
    }
    this.metrics.batches++;
    this.metrics.applyMs += performance.now() - t0;
    this.#scheduleRender(() => this.go.ack());
  }

  #scheduleRender(after) {
    if (after) (this.afterRender ??= []).push(after);
    if (this.pendingRender) return;
    this.pendingRender = true;
    requestAnimationFrame((ts) => {
      this.pendingRender = false;
      if (this.state === "running" && this.metrics.lastFrame) {
        this.metrics.frames.push(ts - this.metrics.lastFrame);
        if (this.metrics.frames.length > 3600) this.metrics.frames.splice(0, 1800); // a minute's worth is plenty
      }
      this.metrics.lastFrame = this.state === "running" ? ts : 0;
      const f0 = performance.now();
      this.#render();
      this.metrics.lastRenderMs = performance.now() - f0;
      const cbs = this.afterRender || [];
      this.afterRender = [];
      for (const cb of cbs) cb();
    });
  }

  #render() {
    const ms = (this.metrics.viewMs ??= {});
    const timed = (name, f) => {
      const t0 = performance.now();
      f();
      ms[name] = performance.now() - t0;
    };
    const v = this.visible;
    if (v.has("timeline")) timed("timeline", () => this.timeline.draw());
    // Off screen it is not drawn, but it takes its height for the scene's
    // lanes now: growing later, when scrolled to, would move the page.
    else if (this.timeline.cssLanes !== this.model.lanes.length) this.timeline.layout();
    if (v.has("lock-view")) timed("lock", () => this.lockView.draw());
    if (v.has("cache-view")) timed("cache", () => this.cacheView.draw());
    if (v.has("pool-view")) timed("pool", () => this.poolView.draw());
    const now = performance.now();
    if (v.has("log-view") && (!this.lastLog || now - this.lastLog > 250)) {
      timed("log", () => this.logView.draw());
      this.lastLog = now;
    }
    const agg = this.model.aggregatedTotal;
    const aggEl = $("#aggregated", this.root);
    aggEl.hidden = agg === 0;
    if (agg) aggEl.textContent = `${agg} events arrived faster than the page could draw them; they are counted (${[...this.model.aggregated].map(([k, v]) => `${k} ${v}`).join(", ")}), not shown one by one.`;
  }
}

