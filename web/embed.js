// <shared-state-playground>: the playground in a course page without
// postMessage code. Load it as a module from the playground's own address
//
//   <script type="module" src="https://…/embed.js"></script>
//   <shared-state-playground scene="tasks=8&locking=rwmutex"></shared-state-playground>
//
// Attributes: src (the playground's URL; by default the folder this file
// came from), scene (a link's query string), height (pixels; without it the
// frame follows the page's height, playground:resize). It makes the frame
// (?embed=1&parent=<this page's origin>, so that the playground answers only
// this page), re-dispatches the playground's messages as DOM events (ready,
// state, summary, error; detail is the message), and has load(scene),
// start(), stop() and run(scene, seconds), which returns a Promise of the
// summary. Commands given before the playground is ready wait for it.
import { MSG } from "./embedapi.js";

const DEFAULT_SRC = new URL("./", import.meta.url).href;
const DEFAULT_HEIGHT = 600;
const EVENTS = { [MSG.ready]: "ready", [MSG.state]: "state", [MSG.summary]: "summary", [MSG.error]: "error" };

export class SharedStatePlayground extends HTMLElement {
  static observedAttributes = ["src", "scene", "height"];

  #frame = null;
  #origin = "";
  #ready = false;
  #queue = []; // messages waiting for ready
  #waiting = []; // {answer, for, resolve, reject}: promises waiting for a reply
  #onMessage = (e) => this.#receive(e);

  connectedCallback() {
    window.addEventListener("message", this.#onMessage);
    this.#build();
  }

  disconnectedCallback() {
    window.removeEventListener("message", this.#onMessage);
    this.#fail(new Error("the playground was removed from the page"));
    this.#frame?.remove();
    this.#frame = null;
  }

  attributeChangedCallback(name) {
    if (!this.isConnected || !this.#frame) return;
    if (name === "height") this.#frame.style.height = `${this.#fixedHeight() ?? DEFAULT_HEIGHT}px`;
    else this.#build(); // a new src or scene: a new frame
  }

  #fixedHeight() {
    const h = Number(this.getAttribute("height"));
    return this.hasAttribute("height") && Number.isFinite(h) && h > 0 ? h : null;
  }

  /** frameURL is the playground's address in embed mode, answering this page only, with the scene attribute's fields. */
  frameURL() {
    const url = new URL(this.getAttribute("src") || DEFAULT_SRC, document.baseURI);
    const scene = new URLSearchParams(this.getAttribute("scene") || "");
    scene.delete("embed");
    scene.delete("parent");
    const q = new URLSearchParams({ embed: "1" });
    if (location.origin !== "null") q.set("parent", location.origin);
    for (const [k, v] of scene) q.append(k, v);
    url.search = q.toString();
    return url;
  }

  #build() {
    this.#fail(new Error("the playground was reloaded"));
    this.#ready = false;
    const url = this.frameURL();
    this.#origin = url.origin;
    const frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = this.getAttribute("title") || "Go shared-state playground";
    frame.loading = "lazy";
    frame.allow = "clipboard-write";
    frame.style.cssText = `display:block;width:100%;border:0;height:${this.#fixedHeight() ?? DEFAULT_HEIGHT}px`;
    this.#frame?.remove();
    this.#frame = frame;
    this.replaceChildren(frame);
  }

  #receive(e) {
    if (!this.#frame || e.source !== this.#frame.contentWindow || e.origin !== this.#origin) return;
    const msg = e.data;
    if (!msg || typeof msg !== "object" || typeof msg.type !== "string") return;
    if (msg.type === MSG.resize) {
      const h = Number(msg.height);
      if (this.#fixedHeight() === null && Number.isFinite(h) && h > 0 && h < 100000) this.#frame.style.height = `${Math.ceil(h)}px`;
      return;
    }
    if (msg.type === MSG.ready) {
      this.#ready = true;
      for (const m of this.#queue.splice(0)) this.#post(m);
    }
    // Settle the oldest promise this message answers.
    const i = this.#waiting.findIndex((w) => (msg.type === MSG.error ? msg.for === w.for : msg.type === w.answer));
    if (i >= 0) {
      const [w] = this.#waiting.splice(i, 1);
      if (msg.type === MSG.error) w.reject(Object.assign(new Error(msg.message), { detail: msg }));
      else w.resolve(msg);
    }
    const name = EVENTS[msg.type];
    if (name) this.dispatchEvent(new CustomEvent(name, { detail: msg }));
  }

  #post(msg) {
    if (!this.#ready) this.#queue.push(msg);
    else this.#frame.contentWindow.postMessage(msg, this.#origin);
  }

  /** send posts msg and resolves with the first `answer` message (or rejects with the playground:error for it). */
  #send(msg, answer) {
    return new Promise((resolve, reject) => {
      if (!this.#frame) {
        reject(new Error("the playground is not on the page"));
        return;
      }
      this.#waiting.push({ answer, for: msg.type, resolve, reject });
      this.#post(msg);
    });
  }

  #fail(err) {
    this.#queue = [];
    for (const w of this.#waiting.splice(0)) w.reject(err);
  }

  /** load sets the scene (the engine's JSON names; fields left out take their defaults) and resolves with playground:loaded. */
  load(scene) {
    return this.#send({ type: MSG.load, scene }, MSG.loaded);
  }

  /** start starts the loaded scene and resolves with the playground:state that follows. */
  start() {
    return this.#send({ type: MSG.start }, MSG.state);
  }

  /** stop stops the scene and resolves with its playground:summary. */
  stop() {
    return this.#send({ type: MSG.stop }, MSG.summary);
  }

  /** run loads scene (or keeps the current one, when it is null), runs it for seconds of scene time, and resolves with the playground:summary. */
  run(scene, seconds) {
    const msg = { type: MSG.run, seconds };
    if (scene) msg.scene = scene;
    return this.#send(msg, MSG.summary);
  }
}

if (!customElements.get("shared-state-playground")) customElements.define("shared-state-playground", SharedStatePlayground);
