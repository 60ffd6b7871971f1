// RateWindow turns a running count (the engine's operations so far, read
// from each snapshot) into a rate over a stated window of scene time. The
// change between two snapshots alone swings with how many operations
// happen to finish in a 50 ms gap (5/s, then 23/s, on a steady scene); over
// a window of seconds the same scene reads steady, and the page says which
// window.

/** WINDOW_MS is the window the Numbers' "Operations" rate is taken over, in scene milliseconds. */
export const WINDOW_MS = 2000;

export class RateWindow {
  constructor(windowMs = WINDOW_MS) {
    this.windowMs = windowMs;
    this.samples = []; // {t, n}, oldest first
  }

  clear() {
    this.samples = [];
  }

  /**
   * push takes the count n at scene time t and returns the rate per
   * second over the last windowMs (or over what there is of it, once two
   * samples are apart), or null before that.
   */
  push(t, n) {
    const s = this.samples;
    if (s.length && t < s[s.length - 1].t) s.length = 0; // a new scene
    s.push({ t, n });
    // Keep one sample at or before the window's start, so that the
    // window is covered whole.
    while (s.length > 2 && s[1].t <= t - this.windowMs) s.shift();
    const first = s[0];
    if (t <= first.t) return null;
    return ((n - first.n) * 1000) / (t - first.t);
  }
}
