// SourceView shows the Go source of the cache and the pool: the files that
// `make build` copies next to the page from cache/ and cache/pool/, so it is
// the code that runs. It marks the function behind the event or timeline
// segment the learner points at.
import { el } from "./dom.js";

/** The functions the view marks, by the task operation (engine.OpNames, and the janitor's sweep) or pool step that runs them: [receiver type, method]. */
const FUNC = {
  get: ["Cache", "Get"],
  set: ["Cache", "Set"],
  delete: ["Cache", "Delete"],
  getOrLoad: ["Cache", "GetOrLoad"],
  update: ["Cache", "Update"],
  sweep: ["Cache", "DeleteExpired"],
  pool: ["Pool", "Acquire"],
  release: ["Resource", "Release"],
  destroy: ["Resource", "Destroy"],
};

/** Which of them an event kind runs in, by the kind's name. */
const KIND_FUNC = {
  cacheSet: "set", cacheEvict: "set",
  cacheHit: "get", cacheMiss: "get",
  cacheDelete: "delete",
  cacheExpire: "sweep", sweepStart: "sweep", sweepEnd: "sweep",
  loadStart: "getOrLoad", loadEnd: "getOrLoad",
  poolAcquireStart: "pool", poolWaiting: "pool", poolConstructing: "pool", poolAcquired: "pool", poolAcquireFailed: "pool",
  poolReleased: "release",
  poolDestroyed: "destroy",
};

export class SourceView {
  constructor(root) {
    this.root = root;
    this.select = root.querySelector("[data-src=file]");
    this.code = root.querySelector("[data-src=code]");
    this.caption = root.querySelector("[data-src=caption]");
    this.files = new Map(); // name -> lines
    this.loaded = null;
    this.current = null;
    this.marked = [];
    this.select.addEventListener("change", () => this.show(this.select.value));
  }

  /** load fetches the list of files and every file, once. */
  load() {
    if (!this.loaded) {
      this.loaded = (async () => {
        const res = await fetch("_src/files.json");
        if (!res.ok) throw new Error(`_src/files.json: HTTP ${res.status}`);
        const names = await res.json();
        await Promise.all(names.map(async (name) => {
          const r = await fetch(`_src/${name}`);
          if (r.ok) this.files.set(name, (await r.text()).split("\n"));
        }));
        this.select.replaceChildren(...names.filter((n) => this.files.has(n)).map((n) => {
          const o = el("option", "", n);
          o.value = n;
          return o;
        }));
        const first = names.includes("cache/cache.go") ? "cache/cache.go" : names[0];
        if (first) this.show(first);
      })().catch((err) => {
        this.caption.textContent = `The source could not be loaded (${err.message}); run \`make build\`.`;
      });
    }
    return this.loaded;
  }

  show(name) {
    if (this.current === name) return;
    const lines = this.files.get(name);
    if (!lines) return;
    this.current = name;
    this.select.value = name;
    this.marked = [];
    const frag = document.createDocumentFragment();
    lines.forEach((line, i) => {
      const row = el("span", "line");
      row.dataset.n = i + 1;
      row.textContent = line + "\n";
      frag.append(row);
    });
    this.code.replaceChildren(frag);
  }

  /** find returns [file, first line, last line] of a method, or null. */
  find(type, method) {
    const re = new RegExp(`^func \\([a-zA-Z_]\\w* \\*?${type}(\\[[^\\]]*\\])?\\) ${method}\\(`);
    for (const [name, lines] of this.files) {
      const i = lines.findIndex((l) => re.test(l));
      if (i < 0) continue;
      let j = i;
      while (j < lines.length && lines[j] !== "}") j++;
      return [name, i, j];
    }
    return null;
  }

  /**
   * markKind marks the function behind an event kind (a name such as
   * "cacheHit"; a lock event's by its lock operation); why is the line's
   * words, as the log shows them, for the caption.
   */
  markKind(kind, lockOp, why) {
    let f = FUNC[KIND_FUNC[kind]];
    if (!f && kind && kind.startsWith("lock") && lockOp) f = FUNC[lockOp];
    if (f) this.mark(f[0], f[1], why);
    return Boolean(f);
  }

  /** markOp marks the function a task's operation runs in (a name such as "get"). */
  markOp(op, why) {
    const f = FUNC[op];
    if (f) this.mark(f[0], f[1], why);
  }

  mark(type, method, why) {
    if (this.files.size === 0) return;
    const hit = this.find(type, method);
    if (!hit) {
      this.caption.textContent = `(${type}.${method} is not in these files)`;
      return;
    }
    const [name, from, to] = hit;
    const key = `${name}:${from}`;
    if (this.markedKey === key) return;
    this.markedKey = key;
    this.show(name);
    for (const r of this.marked) r.classList.remove("marked");
    this.marked = [];
    const rows = this.code.children;
    for (let i = from; i <= to && i < rows.length; i++) {
      rows[i].classList.add("marked");
      this.marked.push(rows[i]);
    }
    this.caption.textContent = `${type}.${method} in ${name}, lines ${from + 1}–${to + 1}${why ? `: behind “${why.replace(/\.$/, "")}”` : ""}.`;
    const row = rows[from];
    if (row) this.code.scrollTop = row.offsetTop - this.code.offsetTop - 8;
  }
}
