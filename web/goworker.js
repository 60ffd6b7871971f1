// GoWorker starts the Go side of the playground in a Web Worker
// (worker.js) and calls its bindings with promises.

export class GoWorker extends EventTarget {
  #worker;
  #nextId = 1;
  #calls = new Map();
  #readyResolve;
  #readyReject;

  /** ready resolves with {goVersion} once the bindings are there, and rejects with {message, hint} if they never will be. */
  ready;

  constructor(url = "worker.js") {
    super();
    this.ready = new Promise((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    this.ready.catch(() => {}); // callers that never await ready do not leak a rejection
    try {
      this.#worker = new Worker(url);
    } catch (err) {
      this.#fail({ message: `The worker could not start: ${err.message}`, hint: "Serve the page with `make serve` and open the address it prints." });
      return;
    }
    this.#worker.onmessage = (e) => this.#onMessage(e.data);
    this.#worker.onerror = (e) => {
      e.preventDefault();
      this.#fail({ message: `The worker failed: ${e.message || "it could not be loaded"}`, hint: "Serve the page with `make serve` and reload." });
    };
  }

  #fail(reason) {
    this.#readyReject(reason);
    for (const { reject } of this.#calls.values()) reject(new Error(reason.message));
    this.#calls.clear();
    this.dispatchEvent(new CustomEvent("fatal", { detail: reason }));
  }

  #onMessage(msg) {
    switch (msg.type) {
      case "ready":
        this.#readyResolve({ goVersion: msg.goVersion });
        break;
      case "fatal":
        this.#fail({ message: msg.message, hint: msg.hint });
        break;
      case "result":
      case "error": {
        const call = this.#calls.get(msg.id);
        if (!call) return;
        this.#calls.delete(msg.id);
        if (msg.type === "result") call.resolve(msg.value);
        else call.reject(new Error(msg.message));
        break;
      }
      case "stream": {
        const call = this.#calls.get(msg.id);
        if (call && call.onData) call.onData(msg.data);
        break;
      }
      case "batch":
        this.dispatchEvent(new CustomEvent("batch", { detail: msg }));
        break;
      case "output":
        this.dispatchEvent(new CustomEvent("output", { detail: { fd: msg.fd, text: msg.text } }));
        break;
      case "exit":
        this.#fail({ message: `The Go program has stopped (exit code ${msg.code}).`, hint: "Reload the page to start it again." });
        break;
    }
  }

  /** call runs a binding and resolves with its value, or rejects with its error. */
  call(method, ...args) {
    return this.#send(method, args, null);
  }

  /** stream runs a binding whose last argument is a callback: onData gets what it passes. */
  stream(method, args, onData) {
    return this.#send(method, args, onData);
  }

  #send(method, args, onData) {
    return new Promise((resolve, reject) => {
      if (!this.#worker) {
        reject(new Error("The Go worker is not running."));
        return;
      }
      const id = this.#nextId++;
      this.#calls.set(id, { resolve, reject, onData });
      this.#worker.postMessage({ type: "call", id, method, args, stream: onData !== null });
    });
  }

  /** pump starts (or stops) the worker's stream of "batch" events, one per animation frame. */
  pump(on) {
    if (this.#worker) this.#worker.postMessage({ type: "pump", on });
  }

  /** ack tells the worker that the last batch has been handled, so it may send the next. */
  ack() {
    if (this.#worker) this.#worker.postMessage({ type: "ack" });
  }

  /** terminate ends the worker at once, whatever the Go side is doing. */
  terminate() {
    if (this.#worker) this.#worker.terminate();
    this.#fail({ message: "The Go worker was stopped.", hint: "" });
    this.#worker = null;
  }
}
