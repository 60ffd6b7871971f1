// The playground's Web Worker: it runs the Go program (playground.wasm), so
// that whatever the Go side does, the page's own thread stays responsive,
// and the page can always end a runaway scene by terminating the worker.
//
// Messages from the page:  {type: "call", id, method, args, stream}
//                          {type: "pump", on}   start or stop sending event batches
//                          {type: "ack"}        the page has drawn the last batch
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

async function handle(msg) {
  if (!msg) return;
  if (msg.type === "pump") {
    const was = pumping;
    pumping = !!msg.on;
    awaitingAck = false;
    if (pumping && !was) nextFrame(pump);
    return;
  }
  if (msg.type === "ack") {
    awaitingAck = false;
    return;
  }
  if (msg.type !== "call") return;
  const { id, method, args = [], stream = false } = msg;
  try {
    const fn = playground[method];
    if (typeof fn !== "function") throw new Error(`no such binding: ${method}`);
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
  if (!playground) {
    fatal("The Go program started but registered no bindings.", "See the console for what it printed.");
    return;
  }
  post({ type: "ready", goVersion: playground.goVersion });
  for (const msg of queue.splice(0)) handle(msg);
}

start();
