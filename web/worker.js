// The playground's Web Worker: it runs the Go program (playground.wasm), so
// that whatever the Go side does, the page's own thread stays responsive,
// and the page can always end a runaway scene by terminating the worker.
//
// Messages from the page:  {type: "call", id, method, args, stream}
//                              method: one of playground.bindings
//                          {type: "pump", on}   start or stop sending event batches
//                          {type: "ack"}        the page has drawn the last batch
//                          (anything else is answered with an "error")
// Messages to the page:    {type: "ready", goVersion}
//                          {type: "result", id, value} | {type: "error", id, message}
//                          {type: "stream", id, data}      (stream calls' callback)
//                          {type: "output", fd, text}      (what Go printed: fd 2 is stderr)
//                          {type: "fatal", message, hint}  (the Go side cannot run)
//                          {type: "exit", code}            (the Go program ended)
//                          {type: "batch", events, snapshot}
//                              events: an ArrayBuffer of 32-byte records (transferred) or null;
//                              snapshot: the scene's numbers as JSON text, or null
"use strict";

const post = (msg, transfer) => self.postMessage(msg, transfer || []);

function fatal(message, hint) {
  post({ type: "fatal", message, hint: hint || "" });
}

let playground = null;
const queue = [];

self.onmessage = (e) => {
  if (!playground) {
    queue.push(e.data);
    return;
  }
  handle(e.data);
};

// The pump sends the scene's events to the page once per animation frame,
// in one transferred buffer. It sends a batch only when the page has
// acknowledged the previous one: a page that cannot keep up leaves the events
// in Go's bounded buffer, where the overflow is counted per kind and arrives
// as aggregated records, never silently dropped.
const nextFrame = typeof self.requestAnimationFrame === "function"
  ? (f) => self.requestAnimationFrame(f)
  : (f) => setTimeout(f, 16);
let pumping = false;
let awaitingAck = false;
let lastSnapshot = 0;

function pump() {
  if (!pumping) return;
  nextFrame(pump);
  if (awaitingAck) return;
  let events = null;
  let snapshot = null;
  const now = performance.now();
  try {
    events = playground.sceneDrain();
    if (events instanceof Error) throw events;
    if (now - lastSnapshot >= 200) {
      snapshot = playground.sceneSnapshot();
      if (snapshot instanceof Error) throw snapshot;
      lastSnapshot = now;
    }
  } catch (err) {
    pumping = false;
    post({ type: "output", fd: 2, text: `pump: ${err && err.message ? err.message : err}` });
    return;
  }
  if (!events && !snapshot) return;
  awaitingAck = true;
  const buffer = events ? events.buffer : null;
  post({ type: "batch", events: buffer, snapshot }, buffer ? [buffer] : []);
}

// Every message from the page is checked here, in one place, before
// anything acts on it: one that is not a "call", "pump" or "ack" with the
// right fields gets an "error" reply (with the call's id when it has a
// usable one, else null) whose message names the field and the value, cut
// short; the worker goes on either way. A call reaches only a registered
// binding: a name Go listed in playground.bindings, an own function of an
// object with no prototype. Looking a method up by whatever name a message
// carries would find inherited properties: "constructor" would run Object.
// What the arguments hold is Go's to check (it names each one).

const MAX_ECHO = 48;

// describe names a value for a message, as the Go side's describe does.
function describe(v) {
  const long = (s) => s.length > MAX_ECHO;
  switch (typeof v) {
    case "undefined": return "undefined";
    case "boolean": return `the boolean ${v}`;
    case "number": return Number.isNaN(v) ? "NaN" : Number.isFinite(v) ? `the number ${v}` : String(v);
    case "bigint": {
      const s = String(v);
      return long(s) ? `the BigInt ${s.slice(0, MAX_ECHO)}…n (${s.length} digits)` : `the BigInt ${s}n`;
    }
    case "string":
      return long(v) ? `the string ${JSON.stringify(`${v.slice(0, MAX_ECHO)}…`)} (${v.length} characters)` : `the string ${JSON.stringify(v)}`;
    case "object": return v === null ? "null" : Array.isArray(v) ? "an array" : "an object";
    default: return `a ${typeof v}`;
  }
}

const isId = (id) => (typeof id === "number" && Number.isFinite(id)) || (typeof id === "string" && id.length <= MAX_ECHO);

// problem returns what is wrong with a message, or "" if nothing is.
function problem(msg) {
  if (msg === null || typeof msg !== "object" || Array.isArray(msg)) {
    return `a message must be an object like {type: "call", id, method, args}, not ${describe(msg)}`;
  }
  switch (msg.type) {
    case "ack": return "";
    case "pump": return typeof msg.on === "boolean" ? "" : `pump: on must be true or false, not ${describe(msg.on)}`;
    case "call": break;
    default: return `type must be "call", "pump" or "ack", not ${describe(msg.type)}`;
  }
  const { id, method, args, stream } = msg;
  if (!isId(id)) return `call: id must be a number or a string of at most ${MAX_ECHO} characters, not ${describe(id)}`;
  if (typeof method !== "string" || !bindings.has(method) || !Object.hasOwn(playground, method) || typeof playground[method] !== "function") {
    return `call: method must be a binding (${[...bindings].join(", ")}), not ${describe(method)}`;
  }
  if (args !== undefined && !Array.isArray(args)) return `${method}: args must be an array, not ${describe(args)}`;
  if (stream !== undefined && typeof stream !== "boolean") return `${method}: stream must be true or false, not ${describe(stream)}`;
  return "";
}

let bindings = new Set();

async function handle(msg) {
  const wrong = problem(msg);
  if (wrong) {
    post({ type: "error", id: msg !== null && typeof msg === "object" && isId(msg.id) ? msg.id : null, message: wrong });
    return;
  }
  if (msg.type === "pump") {
    const was = pumping;
    pumping = msg.on;
    awaitingAck = false;
    if (pumping && !was) nextFrame(pump);
    return;
  }
  if (msg.type === "ack") {
    awaitingAck = false;
    return;
  }
  const { id, method, args = [], stream = false } = msg;
  try {
    const fn = playground[method];
    const callArgs = stream ? [...args, (data) => post({ type: "stream", id, data })] : args;
    let value = fn(...callArgs);
    if (value instanceof Error) throw value;
    value = await value;
    post({ type: "result", id, value });
  } catch (err) {
    post({ type: "error", id, message: String(err && err.message ? err.message : err) });
  }
}

async function start() {
  try {
    importScripts("wasm_exec.js");
  } catch (err) {
    fatal("wasm_exec.js could not be loaded.", "Build the playground first: run `make build` (or `make serve`), then reload.");
    return;
  }
  // Send what Go prints (including the text of a panic) to the page, line
  // by line, instead of only to the worker's console.
  const decoder = new TextDecoder();
  const pendingText = { 1: "", 2: "" };
  globalThis.fs.writeSync = (fd, buf) => {
    pendingText[fd] = (pendingText[fd] || "") + decoder.decode(buf);
    const nl = pendingText[fd].lastIndexOf("\n");
    if (nl >= 0) {
      post({ type: "output", fd, text: pendingText[fd].slice(0, nl) });
      pendingText[fd] = pendingText[fd].slice(nl + 1);
    }
    return buf.length;
  };

  const go = new Go();
  let instance;
  try {
    const res = await fetch("playground.wasm");
    if (!res.ok) {
      fatal(`playground.wasm could not be fetched (HTTP ${res.status}).`, "Build it first: run `make build` (or `make serve`), then reload.");
      return;
    }
    ({ instance } = await WebAssembly.instantiateStreaming(res, go.importObject));
  } catch (err) {
    fatal(`The WebAssembly module could not start: ${err && err.message ? err.message : err}`,
      "Serve the page with `make serve` (it sends application/wasm), and use a current browser.");
    return;
  }
  go.run(instance).then(() => post({ type: "exit", code: go.exitCode ?? 0 }));
  playground = self.playground;
  if (!playground || !Array.isArray(playground.bindings)) {
    playground = null;
    fatal("The Go program started but registered no bindings.", "See the console for what it printed.");
    return;
  }
  bindings = new Set(playground.bindings);
  post({ type: "ready", goVersion: playground.goVersion });
  for (const msg of queue.splice(0)) handle(msg);
}

start();
