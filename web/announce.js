// Announcer speaks through one polite live region, and only what matters:
// a scene started or ended, a comparison finished. It says at most one
// thing a second; what comes sooner waits, and a newer message replaces a
// waiting one, so a quick run of changes (the comparison's three starts
// and stops) reaches a screen reader as its last word, not as a stream.

export const MIN_GAP_MS = 1000;

export class Announcer {
  /** region is the live element; now and later (a clock and a timer) are for tests. */
  constructor(region, now = () => performance.now(), later = (f, ms) => setTimeout(f, ms)) {
    this.region = region;
    this.now = now;
    this.later = later;
    this.last = -Infinity;
    this.waiting = null;
    this.timer = false;
  }

  say(text) {
    const wait = this.last + MIN_GAP_MS - this.now();
    if (wait <= 0 && !this.timer) {
      this.#speak(text);
      return;
    }
    this.waiting = text;
    if (!this.timer) {
      this.timer = true;
      this.later(() => {
        this.timer = false;
        const t = this.waiting;
        this.waiting = null;
        if (t !== null) this.#speak(t);
      }, Math.max(wait, 0));
    }
  }

  #speak(text) {
    this.last = this.now();
    this.region.textContent = text;
  }
}
