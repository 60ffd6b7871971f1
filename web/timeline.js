// Timeline draws a lane per goroutine (the janitor first, then every task)
// with its state over the last seconds of the scene, on one canvas. States
// differ by pattern and height as well as colour, and a legend names them.
// Hover, or focus with the keyboard (arrows), describes a lane's segment.
import { STATES, STATE_LABELS, STATE_NAME } from "./lane.js";

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

  /** reset forgets the last scene's drawing and the keyboard's place in time. */
  reset() {
    this.inc = null;
    this.focusT = null;
  }

  readColors() {
    const cs = getComputedStyle(document.documentElement);
    for (const [state, st] of Object.entries(STYLE)) {
      this.colors[state] = cs.getPropertyValue(st.color).trim() || "#888";
    }
    this.rgba = null;
    this.inc = null;
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
    this.cssLanes = lanes;
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
    const plain = H < 8; // thin lanes: plain colours painted as pixels, no patterns
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    if (plain) this.#drawPixels(ctx, t0, t1, scale, x0, H, plotW);
    for (let li = 0; li < model.lanes.length; li++) {
      const lane = model.lanes[li];
      const y = li * H;
      if (plain) {
        if (li === this.focusLane && document.activeElement === canvas) {
          ctx.strokeStyle = getComputedStyle(document.documentElement).getPropertyValue("--focus");
          ctx.lineWidth = 2;
          ctx.strokeRect(x0 + 1, y - 1, plotW - 2, H + 2);
        }
        continue;
      }
      if (this.labelW) {
        ctx.fillStyle = this.fg;
        ctx.fillText(model.laneName(li), 2, y + H / 2);
      }
      if (H >= 6) {
        ctx.fillStyle = this.grid;
        ctx.fillRect(x0, y + H - 1, plotW, 1);
      }
      this.#drawLane(ctx, lane, lane.first(t0), t0, t1, scale, x0, y, H);
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

  // Thick lanes: runs of one state drawn with fillRect and its pattern;
  // what falls within one pixel is merged, so the cost follows the
  // canvas's width, not the number of segments.
  #drawLane(ctx, lane, lo, t0, t1, scale, x0, y, H) {
    let runState = null;
    let runX0 = 0;
    let runX1 = 0;
    const flush = () => {
      if (runState === null) return;
      const h = Math.max(1, Math.round((H - 2) * STYLE[runState].height));
      ctx.fillStyle = this.#pattern(ctx, runState);
      ctx.fillRect(runX0, y + (H - 1 - h), runX1 - runX0, h);
    };
    for (let s = lo; s < lane.count; s++) {
      const name = STATE_NAME[lane.stateId(s)];
      if (!STYLE[name]) continue;
      const end = lane.t1(s);
      const a = Math.max(lane.t0(s), t0);
      const b = end === null ? this.model.now : Math.min(end, t1);
      if (b < a) continue;
      const xa = Math.floor(x0 + (a - t0) * scale);
      const xb = Math.max(xa + 1, Math.floor(x0 + (b - t0) * scale));
      if (name === runState && xa <= runX1) {
        if (xb > runX1) runX1 = xb;
      } else if (xb <= runX1) {
        continue; // within a pixel already drawn
      } else {
        flush();
        runState = name;
        runX0 = Math.max(xa, runX1);
        runX1 = xb;
      }
    }
    flush();
  }

  // Thin lanes (many goroutines): every state is painted straight into a
  // pixel buffer, put on the canvas once: a thousand lanes cost one
  // putImageData, not a hundred thousand fillRects.
  #startPixels(w, h) {
    if (!this.px || this.px.width !== w || this.px.height !== h) {
      this.px = new ImageData(w, h);
      this.px32 = new Uint32Array(this.px.data.buffer);
      this.pxCanvas = document.createElement("canvas");
      this.pxCanvas.width = w;
      this.pxCanvas.height = h;
    } else {
      this.px32.fill(0);
    }
    if (!this.rgba) {
      // Resolve each state's CSS colour to a little-endian RGBA word.
      const c = document.createElement("canvas");
      c.width = c.height = 1;
      const g = c.getContext("2d", { willReadFrequently: true });
      this.rgba = {};
      for (const state of Object.keys(STYLE)) {
        g.clearRect(0, 0, 1, 1);
        g.fillStyle = this.colors[state];
        g.fillRect(0, 0, 1, 1);
        const [r, gr, b, a] = g.getImageData(0, 0, 1, 1).data;
        this.rgba[state] = ((a << 24) | (b << 16) | (gr << 8) | r) >>> 0;
      }
      this.rgbaById = new Uint32Array(STATE_NAME.length);
      this.heightById = new Float64Array(STATE_NAME.length);
      STATE_NAME.forEach((name, id) => {
        if (STYLE[name]) {
          this.rgbaById[id] = this.rgba[name];
          this.heightById[id] = STYLE[name].height;
        }
      });
    }
  }

  // drawPixels paints the thin lanes. The first frame (and any change of
  // size, window or scene) paints the whole window; after that the buffer
  // scrolls left by whole pixels and only the newest slice is painted, so a
  // frame costs a few segments per lane however many the window holds.
  #drawPixels(ctx, t0, t1, scale, x0, H, plotW) {
    const m = this.model;
    const W = Math.max(1, Math.floor(plotW));
    const lanes = m.lanes.length;
    const key = `${W}x${lanes * H}|${scale}|${m.epoch}`;
    const inc = this.inc;
    if (!inc || inc.key !== key || t1 < inc.t1 || (t1 - inc.t1) * scale >= W / 2) {
      this.#startPixels(W, lanes * H);
      for (let li = 0; li < lanes; li++) {
        this.#paintRange(m.lanes[li], t0, t0, t1, scale, li * H, H, W);
      }
      this.inc = { key, t0, t1, painted: m.now };
    } else {
      const dx = Math.floor((t1 - inc.t1) * scale);
      const px = this.px32;
      if (dx > 0) {
        for (let r = 0, rows = lanes * H; r < rows; r++) {
          px.copyWithin(r * W, r * W + dx, r * W + W);
          px.fill(0, r * W + W - dx, r * W + W);
        }
        inc.t0 += dx / scale;
        inc.t1 += dx / scale;
      }
      // Repaint from a couple of pixels before what was painted: the
      // segments open then have grown since.
      const from = Math.max(inc.t0, inc.painted - 2 / scale);
      const xFrom = Math.max(0, Math.floor((from - inc.t0) * scale));
      for (let li = 0; li < lanes; li++) {
        for (let r = li * H, end = r + H; r < end; r++) px.fill(0, r * W + xFrom, r * W + W);
        this.#paintRange(m.lanes[li], inc.t0, from, inc.t1, scale, li * H, H, W);
      }
      inc.painted = m.now;
    }
    this.pxCanvas.getContext("2d").putImageData(this.px, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.pxCanvas, x0, 0);
  }

  // paintRange paints the part of a lane's segments within [from, to] into
  // the pixel buffer, whose left edge is the scene time origin.
  #paintRange(lane, origin, from, to, scale, y, H, W) {
    const now = this.model.now;
    // Segments are in time order: walk back to the first that reaches from.
    let s = lane.count;
    while (s > 0) {
      const end = lane.t1(s - 1);
      if (end !== null && end < from) break;
      s--;
    }
    const px = this.px32;
    const rgba = this.rgbaById;
    const heights = this.heightById;
    let last = -1;
    for (; s < lane.count; s++) {
      const id = lane.stateId(s);
      const color = rgba[id];
      if (!color) continue; // idle
      const t0 = lane.t0(s);
      const t1 = lane.t1(s);
      const a = t0 > from ? t0 : from;
      const bEnd = t1 === null ? now : t1;
      const b = bEnd < to ? bEnd : to;
      if (b < a) continue;
      let xa = Math.floor((a - origin) * scale);
      let xb = Math.floor((b - origin) * scale);
      if (xb <= xa) xb = xa + 1;
      if (xb > W) xb = W;
      if (xb <= last) continue; // within a pixel already painted
      if (xa < last) xa = last;
      if (xa < 0) xa = 0;
      last = xb;
      const h = Math.max(1, Math.round((H - (H > 2 ? 1 : 0)) * heights[id]));
      for (let r = y + H - h; r < y + H; r++) px.fill(color, r * W + xa, r * W + xb);
    }
  }

  /** segmentAt returns the segment of lane li at scene time t, or null. */
  segmentAt(li, t) {
    const lane = this.model.lanes[li];
    if (!lane || lane.count === 0) return null;
    const i = lane.first(t);
    if (i < lane.count && lane.t0(i) <= t) {
      const seg = lane.seg(i);
      return seg.s === "idle" ? null : seg;
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
