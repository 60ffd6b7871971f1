// Timeline draws a lane per goroutine (the janitor first, then every task)
// with its state over the last seconds of the scene, on one canvas. States
// differ by pattern and height as well as colour, and a legend names them.
// Hover, or focus with the keyboard (arrows), describes a lane's segment.
import { STATES, STATE_LABELS } from "./model.js";

const STYLE = {
  // height: share of the lane; pattern: null, "hatch", "dots" or "vstripes"
  think: { height: 0.35, pattern: null, color: "--st-think" },
  run: { height: 0.6, pattern: null, color: "--st-run" },
  lockWait: { height: 1, pattern: "hatch", color: "--st-wait" },
  lockRead: { height: 1, pattern: "vstripes", color: "--st-read" },
  lockWrite: { height: 1, pattern: null, color: "--st-write" },
  load: { height: 0.8, pattern: "dots", color: "--st-load" },
  poolWait: { height: 1, pattern: "hatch", color: "--st-poolwait" },
  poolOpen: { height: 0.8, pattern: "dots", color: "--st-pool" },
  poolUse: { height: 1, pattern: null, color: "--st-pool" },
  sweep: { height: 1, pattern: "vstripes", color: "--st-sweep" },
};

export class Timeline {
  constructor(canvas, tooltip, announcer, model) {
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.announcer = announcer;
    this.model = model;
    this.windowSec = 8; // real seconds shown, scaled by the scene's speed
    this.focusLane = 0;
    this.focusT = null; // scene ms the keyboard cursor points at, null: the latest
    this.hover = null;
    this.patterns = new Map();
    this.colors = {};
    this.onSelect = null; // called with a segment when one is hovered or focused
    this.readColors();
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.readColors());
    canvas.addEventListener("mousemove", (e) => this.#onMove(e));
    canvas.addEventListener("mouseleave", () => {
      this.hover = null;
      this.tooltip.hidden = true;
    });
    canvas.addEventListener("keydown", (e) => this.#onKey(e));
    canvas.addEventListener("focus", () => this.#announce());
  }

  readColors() {
    const cs = getComputedStyle(document.documentElement);
    for (const [state, st] of Object.entries(STYLE)) {
      this.colors[state] = cs.getPropertyValue(st.color).trim() || "#888";
    }
    this.grid = cs.getPropertyValue("--border").trim() || "#ccc";
    this.fg = cs.getPropertyValue("--muted").trim() || "#666";
    this.patterns.clear();
  }

  #pattern(ctx, state) {
    const st = STYLE[state];
    if (!st.pattern) return this.colors[state];
    let p = this.patterns.get(state);
    if (p) return p;
    const c = document.createElement("canvas");
    c.width = c.height = 6;
    const g = c.getContext("2d");
    g.fillStyle = this.colors[state];
    g.globalAlpha = 0.35;
    g.fillRect(0, 0, 6, 6);
    g.globalAlpha = 1;
    g.strokeStyle = this.colors[state];
    g.fillStyle = this.colors[state];
    g.lineWidth = 1.5;
    if (st.pattern === "hatch") {
      g.beginPath();
      g.moveTo(0, 6);
      g.lineTo(6, 0);
      g.moveTo(-3, 3);
      g.lineTo(3, -3);
      g.moveTo(3, 9);
      g.lineTo(9, 3);
      g.stroke();
    } else if (st.pattern === "dots") {
      g.fillRect(1, 1, 2, 2);
      g.fillRect(4, 4, 2, 2);
    } else if (st.pattern === "vstripes") {
      g.fillRect(0, 0, 3, 6);
    }
    p = ctx.createPattern(c, "repeat");
    this.patterns.set(state, p);
    return p;
  }

  layout() {
    const lanes = this.model.lanes.length;
    this.laneH = Math.max(2, Math.min(18, Math.floor(420 / lanes)));
    this.labelW = this.laneH >= 10 ? 64 : 0;
    const cssW = this.canvas.clientWidth || 600;
    const cssH = Math.max(40, lanes * this.laneH + 18);
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(cssW * dpr) || this.canvas.height !== Math.round(cssH * dpr)) {
      this.canvas.width = Math.round(cssW * dpr);
      this.canvas.height = Math.round(cssH * dpr);
      this.canvas.style.height = `${cssH}px`;
    }
    this.cssW = cssW;
    this.cssH = cssH;
    this.dpr = dpr;
  }

  /** span returns the scene-time window [t0, t1] shown. */
  span() {
    const t1 = this.model.now;
    const w = this.windowSec * 1000 * (this.model.scene.speed || 1);
    return [Math.max(0, t1 - w), Math.max(t1, w)];
  }

  draw() {
    this.layout();
    const { canvas, model } = this;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.cssW, this.cssH);
    const [t0, t1] = this.span();
    const x0 = this.labelW;
    const plotW = this.cssW - x0;
    const scale = plotW / (t1 - t0);
    const H = this.laneH;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    for (let li = 0; li < model.lanes.length; li++) {
      const lane = model.lanes[li];
      const y = li * H;
      if (this.labelW) {
        ctx.fillStyle = this.fg;
        ctx.fillText(model.laneName(li), 2, y + H / 2);
      }
      if (H >= 6) {
        ctx.fillStyle = this.grid;
        ctx.fillRect(x0, y + H - 1, plotW, 1);
      }
      const segs = lane.segs;
      // Find the first segment in view (segments are in time order).
      let lo = 0;
      let hi = segs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const end = segs[mid].t1 === null ? t1 : segs[mid].t1;
        if (end < t0) lo = mid + 1;
        else hi = mid;
      }
      for (let s = lo; s < segs.length; s++) {
        const seg = segs[s];
        const a = Math.max(seg.t0, t0);
        const b = seg.t1 === null ? model.now : Math.min(seg.t1, t1);
        if (b < a) continue;
        const st = STYLE[seg.s];
        if (!st) continue;
        const xa = x0 + (a - t0) * scale;
        const w = Math.max(1, (b - a) * scale);
        const h = Math.max(1, Math.round((H - 2) * st.height));
        ctx.fillStyle = this.#pattern(ctx, seg.s);
        ctx.fillRect(xa, y + (H - 1 - h), w, h);
      }
      if (li === this.focusLane && document.activeElement === canvas) {
        ctx.strokeStyle = getComputedStyle(document.documentElement).getPropertyValue("--focus");
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 + 1, y + 1, plotW - 2, Math.max(2, H - 2));
      }
    }
    // Time axis: a tick every second of scene time (or coarser).
    const axisY = model.lanes.length * H + 2;
    ctx.fillStyle = this.fg;
    const span = t1 - t0;
    const step = span > 60000 ? 10000 : span > 20000 ? 5000 : span > 8000 ? 2000 : 1000;
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      const x = x0 + (t - t0) * scale;
      ctx.fillRect(x, axisY, 1, 4);
      ctx.fillText(`${(t / 1000).toFixed(0)} s`, x + 2, axisY + 9);
    }
    if (this.focusT !== null && document.activeElement === canvas) {
      const x = x0 + (this.focusT - t0) * scale;
      ctx.fillStyle = getComputedStyle(document.documentElement).getPropertyValue("--focus");
      ctx.fillRect(x, 0, 2, axisY);
    }
  }

  /** segmentAt returns the segment of lane li at scene time t, or null. */
  segmentAt(li, t) {
    const lane = this.model.lanes[li];
    if (!lane) return null;
    for (let s = lane.segs.length - 1; s >= 0; s--) {
      const seg = lane.segs[s];
      if (seg.t0 <= t && (seg.t1 === null || seg.t1 >= t)) return seg;
      if (seg.t1 !== null && seg.t1 < t) break;
    }
    return null;
  }

  describe(li, seg) {
    const m = this.model;
    const who = m.laneName(li);
    if (!seg) return `${who}: idle`;
    const end = seg.t1 === null ? m.now : seg.t1;
    const dur = end - seg.t0;
    const op = seg.op ? m.ops[seg.op] : "";
    const key = seg.key >= 0 ? ` key${seg.key}` : "";
    const what = op ? `, ${op}${key}` : key;
    return `${who}: ${STATE_LABELS[seg.s] || seg.s}${what}, for ${dur < 10 ? dur.toFixed(1) : Math.round(dur)} ms${seg.t1 === null ? " so far" : ""} (from ${(seg.t0 / 1000).toFixed(2)} s)`;
  }

  #onMove(e) {
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const li = Math.floor(y / this.laneH);
    const [t0, t1] = this.span();
    const t = t0 + ((x - this.labelW) / (this.cssW - this.labelW)) * (t1 - t0);
    if (li < 0 || li >= this.model.lanes.length || x < this.labelW) {
      this.tooltip.hidden = true;
      return;
    }
    const seg = this.segmentAt(li, t);
    this.tooltip.textContent = this.describe(li, seg);
    this.tooltip.hidden = false;
    const tipX = Math.min(x + 12, r.width - 260);
    this.tooltip.style.left = `${Math.max(0, tipX)}px`;
    this.tooltip.style.top = `${y + 14}px`;
    if (seg && this.onSelect) this.onSelect(seg, li);
  }

  #onKey(e) {
    const n = this.model.lanes.length;
    const [t0, t1] = this.span();
    const t = this.focusT === null ? this.model.now : this.focusT;
    const stepT = (t1 - t0) / 20;
    switch (e.key) {
      case "ArrowUp": this.focusLane = (this.focusLane - 1 + n) % n; break;
      case "ArrowDown": this.focusLane = (this.focusLane + 1) % n; break;
      case "ArrowLeft": this.focusT = Math.max(t0, t - stepT); break;
      case "ArrowRight": this.focusT = t + stepT >= this.model.now ? null : t + stepT; break;
      case "Home": this.focusLane = 0; break;
      case "End": this.focusLane = n - 1; this.focusT = null; break;
      default: return;
    }
    e.preventDefault();
    this.#announce();
    this.draw();
  }

  #announce() {
    const t = this.focusT === null ? this.model.now : this.focusT;
    const seg = this.segmentAt(this.focusLane, t);
    this.announcer.textContent = this.describe(this.focusLane, seg);
    if (seg && this.onSelect) this.onSelect(seg, this.focusLane);
  }

  /** legend fills el with a swatch and a name for every state. */
  legend(el) {
    el.replaceChildren();
    for (const state of STATES) {
      const item = document.createElement("li");
      const sw = document.createElement("canvas");
      sw.width = 24;
      sw.height = 12;
      sw.setAttribute("aria-hidden", "true");
      const g = sw.getContext("2d");
      const st = STYLE[state];
      const h = Math.round(12 * st.height);
      g.fillStyle = this.#pattern(g, state);
      g.fillRect(0, 12 - h, 24, h);
      item.append(sw, " ", STATE_LABELS[state]);
      el.append(item);
    }
  }
}
