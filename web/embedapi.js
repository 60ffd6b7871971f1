// The embedded page's postMessage API, for course pages that frame the
// playground (?embed=1). The message names and fields are a contract that
// course pages and acceptance tests rely on: they are defined once, here,
// and embed.js (the web component) reads them from this module.
//
// Every incoming message goes through checkMessage, the one place that
// judges what a host sends: a plain object of JSON values, under 64 KB, with
// a known string type and valid fields. Scenes are then judged by the Go
// engine's own validation (the worker's sceneParse), as links and the form
// are. A refused message changes nothing and is answered with
// playground:error; nothing from a message ever reaches the page as markup.
// The step mode's lesson (interleave) is loaded, stepped and undone through
// #loadInterleave and #stepInterleave; its own fields are judged by the Go
// side (stepLoad), as its links are.
import { LESSON as STEP_LESSON, publicState as stepPublicState, summaryLesson } from "./stepmodel.js";

/** The message types, host to page and page to host. */
export const MSG = Object.freeze({
  load: "playground:load",
  loaded: "playground:loaded",
  start: "playground:start",
  pause: "playground:pause",
  resume: "playground:resume",
  stop: "playground:stop",
  reset: "playground:reset",
  run: "playground:run",
  step: "playground:step",
  undo: "playground:undo",
  stepped: "playground:stepped",
  ready: "playground:ready",
  state: "playground:state",
  summary: "playground:summary",
  resize: "playground:resize",
  error: "playground:error",
});

/** The protocol's version, sent in playground:ready. */
export const VERSION = 1;

/** The largest message accepted, in bytes of its JSON form. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** The longest run a playground:run may ask for, in scene seconds. */
export const MAX_RUN_SECONDS = 600;

/** The names of playground:summary's stats, in order: all numbers. */
export const STAT_NAMES = Object.freeze(["sceneSeconds", "ops", "opsPerSecond", "hits", "misses", "hitRatio",
  "lockWaitMeanMs", "lockWaitP99Ms", "poolWaitMeanMs", "poolTimeouts", "sweeps", "expiredSwept", "entries"]);

/** The states playground:state reports. */
export const STATES = Object.freeze(["idle", "running", "paused", "stopped"]);

const COMMANDS = new Set([MSG.load, MSG.start, MSG.pause, MSG.resume, MSG.stop, MSG.reset, MSG.run, MSG.step, MSG.undo]);
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const MAX_DEPTH = 8;
const MAX_NODES = 5000;

/** describe names a value for a message, short and as plain text. */
export function describe(v) {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number") return String(v);
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}

function isPlainObject(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * checkJSON walks a value and returns the first thing in it that is not
 * plain JSON data: a non-finite number, a non-plain object (Date, Map,
 * Blob…), a forbidden key such as __proto__, too deep or too many nodes.
 * It returns null when the value is fine. The node bound keeps a cyclic or
 * very wide structure from taking long.
 */
export function checkJSON(value, path = "") {
  let nodes = 0;
  const walk = (v, p, depth) => {
    if (++nodes > MAX_NODES) return { field: p, message: `the message has more than ${MAX_NODES} values` };
    if (depth > MAX_DEPTH) return { field: p, message: `${p || "the message"} is nested more than ${MAX_DEPTH} levels deep` };
    switch (typeof v) {
      case "string":
      case "boolean":
        return null;
      case "number":
        return Number.isFinite(v) ? null : { field: p, message: `${p || "the value"} must be a finite number (got ${v})` };
      case "object":
        if (v === null) return null;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            const bad = walk(v[i], `${p}[${i}]`, depth + 1);
            if (bad) return bad;
          }
          return null;
        }
        if (!isPlainObject(v)) return { field: p, message: `${p || "the message"} must be plain JSON data (got ${Object.prototype.toString.call(v)})` };
        for (const k of Object.keys(v)) {
          const kp = p ? `${p}.${k}` : k;
          if (FORBIDDEN_KEYS.has(k)) return { field: kp, message: `the key ${JSON.stringify(k)} is not allowed` };
          const bad = walk(v[k], kp, depth + 1);
          if (bad) return bad;
        }
        return null;
      default:
        return { field: p, message: `${p || "the value"} must be JSON data (got ${describe(v)})` };
    }
  };
  return walk(value, path, 0);
}

/** byteSize is the length in UTF-8 bytes of a value's JSON form. */
export function byteSize(value) {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

function refuse(forType, message, errors = []) {
  return { ok: false, error: { type: MSG.error, message, errors, for: forType } };
}

/**
 * checkMessage judges one incoming message's form: {ok: true, msg} with
 * msg = {type, scene?, seconds?, lesson?, variant?}, or {ok: false, error}
 * with the playground:error to send back. The scene's fields are judged
 * later, by the Go engine, and so are a lesson's id and variant (its
 * lessonCheck, as for links); here a scene must only be a plain object and
 * a lesson a string. With lessonLoaded (a lesson was loaded), a
 * playground:run without a scene runs that lesson and needs no seconds.
 */
export function checkMessage(data, { lessonLoaded = false } = {}) {
  if (!isPlainObject(data)) return refuse(null, `A message must be a plain object with a string type (got ${describe(data)}).`);
  const type = Object.hasOwn(data, "type") ? data.type : undefined;
  const forType = typeof type === "string" && type.length <= 64 ? type : null;
  const bad = checkJSON(data);
  if (bad) {
    // A scene's fields are named as the engine, links and the form name
    // them ("tasks", "mix.get"), not "scene.tasks".
    if (bad.field.startsWith("scene.")) {
      bad.field = bad.field.slice("scene.".length);
      bad.message = bad.message.replace(/^scene\./, "");
    }
    return refuse(forType, `The message was refused: ${bad.message}.`, [bad]);
  }
  const size = byteSize(data);
  if (size > MAX_MESSAGE_BYTES) return refuse(forType, `The message is ${size} bytes; the most accepted is ${MAX_MESSAGE_BYTES}.`);
  if (typeof type !== "string") return refuse(null, `A message needs a string type (got ${describe(type)}).`, [{ field: "type", message: `type must be a string (got ${describe(type)})` }]);
  if (!COMMANDS.has(type)) return refuse(forType, `Unknown message type ${describe(type)}.`, [{ field: "type", message: `type must be one of ${[...COMMANDS].join(", ")} (got ${describe(type)})` }]);
  const msg = { type };
  if (type === MSG.load && Object.hasOwn(data, "lesson") && data.lesson !== undefined) {
    // A lesson (issue 12), instead of a scene: {type, lesson, variant?}, and
    // for the step mode's interleave also tasks?, which go as they are to
    // the lesson's own validation (Go's lessonCheck, or stepLoad).
    if (Object.hasOwn(data, "scene") && data.scene !== undefined) return refuse(type, "playground:load takes a scene or a lesson, not both.", [{ field: "scene", message: "scene must be left out when a lesson is given" }]);
    for (const k of ["lesson", "variant"]) {
      const v = data[k];
      if (v !== undefined && (typeof v !== "string" || v.length > 64)) return refuse(type, `The ${k} must be a short string.`, [{ field: k, message: `${k} must be a string of at most 64 characters (got ${describe(v)})` }]);
    }
    if (data.lesson !== STEP_LESSON) return { ok: true, msg: { type, lesson: data.lesson, variant: data.variant ?? "" } };
    // The step mode's stepLoad takes what is given, and its defaults for the rest.
    for (const k of ["variant", "tasks"]) if (Object.hasOwn(data, k) && data[k] !== undefined) msg[k] = data[k];
    msg.lesson = data.lesson;
    return { ok: true, msg };
  }
  if (type === MSG.step) {
    if (!Number.isInteger(data.task)) return refuse(type, "playground:step needs a task number.", [{ field: "task", message: `task must be a whole number (got ${describe(data.task)})` }]);
    msg.task = data.task;
  }
  if (type === MSG.load || type === MSG.run) {
    const has = Object.hasOwn(data, "scene") && data.scene !== undefined;
    if (type === MSG.load && !has) return refuse(type, "playground:load needs a scene or a lesson.", [{ field: "scene", message: "scene is missing" }]);
    if (has) {
      if (!isPlainObject(data.scene)) return refuse(type, "The scene must be an object.", [{ field: "scene", message: `scene must be an object (got ${describe(data.scene)})` }]);
      msg.scene = data.scene;
    }
  }
  if (type === MSG.run && lessonLoaded && !msg.scene && data.seconds === undefined) return { ok: true, msg };
  if (type === MSG.run) {
    const s = data.seconds;
    if (typeof s !== "number" || !(s > 0) || s > MAX_RUN_SECONDS) {
      return refuse(type, "playground:run needs seconds of scene time.", [{ field: "seconds", message: `seconds must be a number more than 0 and at most ${MAX_RUN_SECONDS} (got ${describe(s)})` }]);
    }
    msg.seconds = s;
  }
  return { ok: true, msg };
}

/**
 * parseParentOrigin reads the ?parent= parameter: {origin: null} when it is
 * absent, {origin} for an http(s) origin written exactly as one
 * ("https://course.example" or "http://127.0.0.1:8000", no path, no
 * slash at the end), else {error}: a bad value must not silently widen
 * who may drive the page.
 */
export function parseParentOrigin(search) {
  const params = new URLSearchParams(search);
  if (!params.has("parent")) return { origin: null };
  const raw = params.get("parent");
  let url;
  try {
    url = new URL(raw);
  } catch {
    return { error: `parent must be an origin such as https://course.example (got ${describe(raw)})` };
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== raw) {
    return { error: `parent must be an http or https origin with no path, such as https://course.example (got ${describe(raw)})` };
  }
  return { origin: url.origin };
}

/** summaryStats turns an engine snapshot (sceneSnapshot's JSON) into playground:summary's stats: exactly STAT_NAMES, all finite numbers. */
export function summaryStats(snap) {
  const s = snap || {};
  const from = {
    sceneSeconds: (s.sceneMs ?? 0) / 1000,
    ops: s.ops, opsPerSecond: s.opsPerSec, hits: s.hits, misses: s.misses, hitRatio: s.hitRatio,
    lockWaitMeanMs: s.lockWaitMeanMs, lockWaitP99Ms: s.lockWaitP99Ms, poolWaitMeanMs: s.poolWaitMeanMs,
    poolTimeouts: s.poolTimeouts, sweeps: s.sweeps, expiredSwept: s.expiredSwept, entries: s.entries,
  };
  const stats = {};
  for (const k of STAT_NAMES) {
    const v = Number(from[k]);
    stats[k] = Number.isFinite(v) ? v : 0;
  }
  return stats;
}

/** publicState maps the playground's states onto the contract's; "stopping" is not one (null: say nothing). */
export function publicState(state) {
  return STATES.includes(state) ? state : null;
}

/**
 * EmbedAPI answers a host page. Its world is passed in, so that it runs
 * under node --test with fakes:
 *   win:    {parent, addEventListener} (the page's window)
 *   origin: the ?parent= origin, or null (then replies go to "*": they
 *           carry a scene and numbers, nothing private)
 *   pg:     the Playground: state, go (the Go worker), events (an
 *           EventTarget with "state"), formScene(), setScene(), start(),
 *           togglePause(), stop(), reset(), model.scene
 * Commands run one at a time, in order; a run's wait for its seconds does
 * not hold the line, so that a stop can end it early.
 */
export class EmbedAPI {
  constructor({ win, origin, pg, pollMs = 100 }) {
    this.win = win;
    this.origin = origin;
    this.pg = pg;
    this.pollMs = pollMs;
    this.queue = Promise.resolve();
    this.summarised = true; // nothing to summarise before a first start
    this.runTimer = null;
    this.onMessage = (e) => this.receive(e);
    win.addEventListener("message", this.onMessage);
    pg.events.addEventListener("state", (e) => this.#onState(e.detail));
    // The step mode's lesson, once a link or the host loaded it.
    this.stepLesson = !!(pg.step && pg.step.active);
    if (pg.step) pg.step.addEventListener("change", (e) => this.#onStep(e.detail));
    // A lesson's run ends with one summary, which carries its result.
    pg.events.addEventListener("lesson", (e) => this.#lessonSummary(e.detail));
    this.lesson = null; // {lesson, variant} once playground:load chose one
  }

  post(msg) {
    this.win.parent.postMessage(msg, this.origin || "*");
  }

  /** receive takes one message event: only from the parent window, and with ?parent= only from that origin. */
  receive(e) {
    if (e.source !== this.win.parent || this.win.parent === this.win) return; // not our host: ignored
    if (this.origin && e.origin !== this.origin) return;
    const checked = checkMessage(e.data, { lessonLoaded: !!this.lesson });
    if (!checked.ok) {
      this.post(checked.error);
      return;
    }
    this.queue = this.queue.then(() => this.#handle(checked.msg)).catch((err) => {
      this.post({ type: MSG.error, message: `The command failed: ${err.message}`, errors: [], for: checked.msg.type });
    });
  }

  /** ready says the Go side takes commands, with the scene the form holds. */
  async ready() {
    const res = await this.#parse(this.pg.formScene());
    this.post({ type: MSG.ready, version: VERSION, scene: res.ok ? res.scene : null, lessons: this.pg.lessons ? [...this.pg.lessons.ids] : [] });
    const pub = publicState(this.pg.state);
    if (pub) {
      this.lastState = pub;
      this.post({ type: MSG.state, state: pub });
    }
  }

  async #parse(scene) {
    return JSON.parse(await this.pg.go.call("sceneParse", JSON.stringify(scene)));
  }

  #refuse(type, message, errors = []) {
    this.post({ type: MSG.error, message, errors, for: type });
  }

  async #handle(msg) {
    const st = this.pg.state;
    const active = st === "running" || st === "paused";
    const now = st === "stopping" ? "stopping" : st;
    switch (msg.type) {
      case MSG.load:
      case MSG.run: {
        if (active || st === "stopping" || this.pg.lessons?.running) return this.#refuse(msg.type, `${msg.type} makes no sense while the scene is ${this.pg.lessons?.running ? "running a lesson" : now}: stop it first.`);
        if (msg.type === MSG.load && msg.lesson === STEP_LESSON) return this.#loadInterleave(msg);
        if (msg.lesson !== undefined) return this.#loadLesson(msg);
        if (msg.type === MSG.run && this.lesson && !msg.scene) return this.#runLesson();
        if (msg.type === MSG.run && msg.seconds === undefined) return this.#refuse(msg.type, "playground:run needs seconds of scene time.", [{ field: "seconds", message: "seconds must be a number more than 0 and at most 600 (got undefined)" }]);
        this.#leaveLesson();
        if (msg.scene) this.lesson = null; // a scene of its own: the lesson is no longer loaded
        let scene = this.pg.formScene();
        if (msg.scene) {
          const res = await this.#parse(msg.scene);
          if (!res.ok) return this.#refuse(msg.type, `The scene was refused: ${res.errors.map((x) => x.message).join("; ")}.`, res.errors);
          scene = res.scene;
        }
        if (msg.type === MSG.load) {
          this.pg.setScene(scene);
          this.pg.showErrors([]);
          return this.post({ type: MSG.loaded, scene });
        }
        const res = await this.#parse(scene);
        if (!res.ok) return this.#refuse(msg.type, `The scene cannot run: ${res.errors.map((x) => x.message).join("; ")}.`, res.errors);
        this.pg.setScene(res.scene);
        if (!(await this.pg.start())) return this.#refuse(msg.type, "The scene did not start.");
        this.#watchRun(msg.seconds);
        return;
      }
      case MSG.start: {
        if (active || st === "stopping") return this.#refuse(msg.type, `playground:start makes no sense while the scene is ${now}.`);
        const res = await this.#parse(this.pg.formScene());
        if (!res.ok) return this.#refuse(msg.type, `The scene cannot run: ${res.errors.map((x) => x.message).join("; ")}.`, res.errors);
        if (!(await this.pg.start())) return this.#refuse(msg.type, "The scene did not start.");
        return;
      }
      case MSG.pause:
        if (st !== "running") return this.#refuse(msg.type, `playground:pause makes no sense while the scene is ${now}.`);
        return this.pg.togglePause();
      case MSG.resume:
        if (st !== "paused") return this.#refuse(msg.type, `playground:resume makes no sense while the scene is ${now}.`);
        return this.pg.togglePause();
      case MSG.stop:
        if (!active) return this.#refuse(msg.type, `playground:stop makes no sense while the scene is ${now}.`);
        return this.pg.stop();
      case MSG.step:
      case MSG.undo:
        return this.#stepInterleave(msg);
      case MSG.reset:
        if (this.stepLesson) return this.pg.step.reset();
        if (st === "stopping") return this.#refuse(msg.type, "playground:reset makes no sense while the scene is stopping.");
        return this.pg.reset();
    }
  }

  /** loadInterleave loads the step mode's lesson: {variant, tasks} as the Go side's stepLoad judges them. */
  async #loadInterleave(msg) {
    const step = this.pg.step;
    if (!step) return this.#refuse(msg.type, "This page has no step mode.");
    const options = {};
    for (const k of ["variant", "tasks"]) if (msg[k] !== undefined) options[k] = msg[k];
    const res = await step.load(options);
    if (!res.ok) return this.#refuse(msg.type, `The lesson was refused: ${res.errors.map((x) => x.message).join("; ")}.`, res.errors);
    this.stepLesson = true;
    this.lesson = null;
    this.stepSummarised = false;
    step.activate(true);
    this.post({ type: MSG.loaded, lesson: { id: STEP_LESSON, variant: res.state.variant, tasks: res.state.tasks.length } });
  }

  /** leaveLesson goes back to the scene when a scene is loaded after the step mode's lesson. */
  #leaveLesson() {
    if (!this.stepLesson) return;
    this.stepLesson = false;
    this.pg.step.activate(false);
  }

  /** stepInterleave takes playground:step or playground:undo and answers playground:stepped. */
  async #stepInterleave(msg) {
    if (!this.stepLesson) return this.#refuse(msg.type, `${msg.type} needs the ${STEP_LESSON} lesson: send {type: "${MSG.load}", lesson: "${STEP_LESSON}"} first.`);
    const res = msg.type === MSG.step ? await this.pg.step.step(msg.task) : await this.pg.step.undo();
    const { task, ok, reason = "", count, done } = res.result;
    this.post({ type: MSG.stepped, task, ok, reason, count, done });
  }

  /** onStep follows the step mode's changes: playground:state, and a summary once the run is over (again after an undo and a new end). */
  #onStep(state) {
    if (!this.stepLesson || !state) return;
    const pub = stepPublicState(state);
    if (pub && pub !== this.lastState) {
      this.lastState = pub;
      this.post({ type: MSG.state, state: pub });
    }
    if (!state.done) {
      this.stepSummarised = false;
    } else if (!this.stepSummarised) {
      this.stepSummarised = true;
      // No engine scene ran: its stats are all 0; the run is in lesson.
      this.post({ type: MSG.summary, scene: null, stats: summaryStats(null), lesson: summaryLesson(state) });
    }
  }

  /** watchRun stops the scene once it has run `seconds` of scene time (paused time does not count: the scene clock is frozen). */
  #watchRun(seconds) {
    clearTimeout(this.runTimer);
    const check = async () => {
      if (this.pg.state !== "running" && this.pg.state !== "paused") return; // stopped some other way: the summary went
      let snap = null;
      try {
        snap = JSON.parse(await this.pg.go.call("sceneSnapshot"));
      } catch { /* asked again below */ }
      if (snap && snap.sceneMs >= seconds * 1000) {
        // The line of commands must never stay rejected, or every later
        // command would be skipped.
        this.queue = this.queue
          .then(() => (this.pg.state === "running" || this.pg.state === "paused") && this.pg.stop())
          .catch((err) => this.post({ type: MSG.error, message: `The run could not stop the scene: ${err.message}`, errors: [], for: MSG.run }));
        return;
      }
      this.runTimer = setTimeout(check, this.pollMs);
    };
    this.runTimer = setTimeout(check, this.pollMs);
  }

  // --- Lessons (issue 12): playground:load {lesson, variant}, and
  // playground:run of the loaded lesson, whose summary carries
  // lesson: {id, variant, result}.

  async #loadLesson(msg) {
    const lessons = this.pg.lessons;
    if (!lessons) return this.#refuse(msg.type, "This page has no lessons.", [{ field: "lesson", message: `lesson must be ${STEP_LESSON} on this page (got ${describe(msg.lesson)})` }]);
    // The one check of a lesson and its variant is Go's (lessonCheck);
    // "interleave" goes to the step mode's loader (Lessons.loadExternal).
    const res = await lessons.load({ lesson: msg.lesson, variant: msg.variant });
    if (!res.ok) return this.#refuse(msg.type, `The lesson was refused: ${res.errors.map((x) => x.message).join("; ")}.`, res.errors);
    this.#leaveLesson();
    this.lesson = { lesson: res.lesson, variant: res.variant };
    this.post({ type: MSG.loaded, scene: res.scene || this.pg.formScene(), lesson: { id: res.lesson, variant: res.variant } });
  }

  #runLesson() {
    // Not awaited: the line of commands stays free, so that a stop can end it.
    this.pg.lessons.run(this.lesson).catch((err) => this.#refuse(MSG.run, `The lesson did not finish: ${err.message.replace(/^lessonRun: /, "")}`));
  }

  #lessonSummary(report) {
    this.summarised = true;
    const result = {};
    for (const [k, v] of Object.entries(report.result || {})) result[k] = Number.isFinite(v) ? v : 0;
    this.post({ type: MSG.summary, scene: this.pg.model.scene, stats: summaryStats(this.pg.snapshot), lesson: { id: report.id, variant: report.variant, result } });
  }

  // --- end of the lessons' part

  #onState(state) {
    if (this.pg.lessonActive) {
      // A lesson's runs: one summary at its end (#lessonSummary), none per run.
      this.summarised = true;
      const pub = publicState(state);
      if (pub && pub !== this.lastState) {
        this.lastState = pub;
        this.post({ type: MSG.state, state: pub });
      }
      return;
    }
    if (state === "running" && this.lastState !== "paused") this.summarised = false; // a new scene, not a resumed one
    const pub = publicState(state);
    if (pub && pub !== this.lastState) {
      this.lastState = pub;
      this.post({ type: MSG.state, state: pub });
    }
    if ((state === "stopped" || state === "idle") && !this.summarised) {
      this.summarised = true;
      this.#summary();
    }
  }

  async #summary() {
    const scene = this.pg.model.scene;
    let snap = null;
    try {
      snap = JSON.parse(await this.pg.go.call("sceneSnapshot"));
    } catch { /* a fresh worker after a Stop that was not answered: the page's last numbers */ }
    this.post({ type: MSG.summary, scene, stats: summaryStats(snap || this.pg.snapshot) });
  }
}

/**
 * watchHeight sends playground:resize whenever the page's height changes.
 * The html element's box is the content's height (the window's height
 * would only ever grow with the frame).
 */
export function watchHeight(api, doc) {
  let last = 0;
  const send = () => {
    const h = Math.ceil(doc.documentElement.getBoundingClientRect().height);
    if (h !== last) {
      last = h;
      api.post({ type: MSG.resize, height: h });
    }
  };
  new ResizeObserver(send).observe(doc.documentElement);
  send();
}
