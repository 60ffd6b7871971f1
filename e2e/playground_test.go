package e2e

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// ready opens the page (with an optional query) and waits for the
// playground's controls.
func ready(t *testing.T, b *browser, query string) {
	t.Helper()
	b.run(t, chromedp.Navigate(baseURL+query))
	b.waitFor(t, "the playground", `window.playground && playground.model !== undefined && !document.getElementById("playground").hidden`)
}

// showView scrolls a view into sight: the page draws only what is on screen.
func showView(t *testing.T, b *browser, id string) {
	t.Helper()
	b.run(t, chromedp.ScrollIntoView(chromedp.ID(id)))
}

// waitBatches waits until the page has taken n more batches of events from
// the worker (each one drawn, for the views on screen).
func waitBatches(t *testing.T, b *browser, n int) {
	t.Helper()
	at := eval[int](t, b, `playground.batches`)
	b.waitFor(t, fmt.Sprintf("%d more batches", n), fmt.Sprintf(`playground.batches >= %d`, at+n))
}

func start(t *testing.T, b *browser) {
	t.Helper()
	b.run(t, chromedp.Click(chromedp.ID("scene-start")))
	b.waitFor(t, "the scene to run", `document.getElementById("scene-state").textContent === "Running"`)
}

func stop(t *testing.T, b *browser) {
	t.Helper()
	b.run(t, chromedp.Click(chromedp.ID("scene-stop")))
	b.waitFor(t, "the scene to stop", `document.getElementById("scene-state").textContent.startsWith("Stopped")`)
}

// TestPlaygroundTimelineAndLock: lanes appear for the janitor and every
// task, and the lock changes hands, with someone waiting for it.
func TestPlaygroundTimelineAndLock(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	ready(t, b, "?tasks=6&thinkMs=20&workMs=30&mix.get=1&mix.set=1&mix.delete=0&mix.getOrLoad=0&mix.pool=0")
	start(t, b)
	b.waitFor(t, "a lane for every task with something drawn", `(() => {
		const m = playground.model;
		return m.lanes.length === 7 && m.lanes.slice(1).every(l => l.count > 0);
	})()`)
	showView(t, b, "lock-view")
	b.waitFor(t, "the lock view to show a holder and a waiter", `(() => {
		const v = document.getElementById("lock-view");
		return v.dataset.state !== "free" && v.querySelector("[data-lock=queue] li[data-lane]") !== null;
	})()`)
	b.waitFor(t, "the lock to pass through three different tasks", `new Set(playground.model.logLines(new Set(["lock"]), "Holds the", 4096).map(l => l.task)).size >= 3`)
	summary := eval[string](t, b, `document.querySelector("[data-lock=summary]").textContent`)
	if summary == "" {
		t.Error("the lock view has no summary")
	}
	// The timeline describes a lane to the keyboard.
	b.run(t, chromedp.Focus(chromedp.ID("timeline")), chromedp.KeyEvent(kb.ArrowDown))
	if got := eval[string](t, b, `document.getElementById("timeline-live").textContent`); !strings.HasPrefix(got, "task 0") {
		t.Errorf("timeline announced %q for the first task lane", got)
	}
	b.screenshot(t, "playground-lock")
	stop(t, b)
	b.noProblems(t)
}

// TestPlaygroundExpiryAndSweep: an entry expires (Get refuses it, it stays
// stored) and a later sweep removes it.
func TestPlaygroundExpiryAndSweep(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	ready(t, b, "?tasks=3&keys=4&ttlMs=400&cleanupMs=1500&thinkMs=100&workMs=5&mix.get=1&mix.set=3&mix.delete=0&mix.getOrLoad=0&mix.pool=0")
	start(t, b)
	showView(t, b, "cache-view")
	b.waitFor(t, "an entry drawn as expired but not swept", `document.querySelector(".entry[data-state=expired]") !== null`)
	b.screenshot(t, "playground-expired")
	b.waitFor(t, "a sweep that removes expired entries", `[...document.querySelectorAll("[data-cache=sweeps] li")].some(li => /removed [1-9]/.test(li.textContent))`)
	b.waitFor(t, "the log to name a swept key", `playground.model.logLines(new Set(["janitor"]), "Swept away expired", 10).length > 0`)
	stop(t, b)
	b.noProblems(t)
}

// TestPlaygroundPool: tasks queue for a small pool; some get a connection
// after waiting, some time out.
func TestPlaygroundPool(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	ready(t, b, "?tasks=5&poolSize=1&acquireTimeoutMs=150&loadMs=20&workMs=100&thinkMs=10&mix.get=0&mix.set=0&mix.delete=0&mix.getOrLoad=0&mix.pool=1")
	start(t, b)
	showView(t, b, "pool-view")
	b.waitFor(t, "a queue of waiters", `document.querySelectorAll("[data-pool=queue] li:not(.none)").length >= 1`)
	b.waitFor(t, "a connection in use", `document.querySelector(".slot[data-state=inUse]") !== null`)
	b.waitFor(t, "a waiter that got a connection", `playground.model.logLines(new Set(["pool"]), "Got connection", 4096).some(l => l.dur > 0)`)
	b.waitFor(t, "a waiter that timed out", `playground.snapshot && playground.snapshot.poolTimeouts > 0 && /[1-9]\d* timed out/.test(document.querySelector("[data-pool=summary]").textContent)`)
	b.screenshot(t, "playground-pool")
	stop(t, b)
	b.noProblems(t)
}

// TestPlaygroundBadField: a bad value shows the engine's message beside its
// field, and the scene does not start.
func TestPlaygroundBadField(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	ready(t, b, "")
	b.run(t, chromedp.SetValue(chromedp.ID("f-tasks"), "5000"), chromedp.Click(chromedp.ID("scene-start")))
	b.waitFor(t, "the field's message", `!document.getElementById("f-tasks-error").hidden`)
	if msg := eval[string](t, b, `document.getElementById("f-tasks-error").textContent`); !strings.Contains(msg, "between 1 and 1000") || !strings.Contains(msg, "5000") {
		t.Errorf("tasks message %q", msg)
	}
	if inv := eval[string](t, b, `document.getElementById("f-tasks").getAttribute("aria-invalid")`); inv != "true" {
		t.Errorf("aria-invalid = %q", inv)
	}
	if st := eval[string](t, b, `document.getElementById("scene-state").textContent`); st != "Not started" {
		t.Errorf("a bad scene started: %q", st)
	}
	// A link with a bad value shows the same message.
	ready(t, b, "?tasks=0&locking=spin")
	b.waitFor(t, "the link's messages", `!document.getElementById("f-tasks-error").hidden && !document.getElementById("f-locking-error").hidden`)
	b.screenshot(t, "playground-bad-field")
	b.noProblems(t)
}

// TestPlaygroundPauseSpeedAndLink: pause freezes the scene clock, the speed
// changes live, and a link carries the scene.
func TestPlaygroundPauseSpeedAndLink(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	ready(t, b, "?tasks=4&seed=7")
	if v := eval[string](t, b, `document.getElementById("f-seed").value`); v != "7" {
		t.Fatalf("the link's seed did not reach the form: %q", v)
	}
	start(t, b)
	b.waitFor(t, "some scene time", `playground.model.now > 300`)
	b.run(t, chromedp.Click(chromedp.ID("scene-pause")))
	b.waitFor(t, "the pause", `document.getElementById("scene-state").textContent.startsWith("Paused") && playground.model.state === "paused"`)
	b.waitFor(t, "a snapshot taken while paused", `playground.snapshot && playground.snapshot.state === "paused"`)
	t1 := eval[float64](t, b, `playground.snapshot.sceneMs`)
	waitBatches(t, b, 3)
	if t2 := eval[float64](t, b, `playground.snapshot.sceneMs`); t2 != t1 {
		t.Errorf("scene time moved while paused: %v then %v", t1, t2)
	}
	b.run(t, chromedp.Click(chromedp.ID("scene-pause")))
	b.waitFor(t, "the resume", `document.getElementById("scene-state").textContent === "Running"`)
	b.run(t, chromedp.SetValue(chromedp.ID("f-speed"), "4"))
	b.run(t, chromedp.Evaluate[chromedp.Void](`document.getElementById("f-speed").dispatchEvent(new Event("change"))`))
	b.waitFor(t, "the speed to change", `playground.model.logLines(new Set(["scene"]), "Speed set to 4.00x", 10).length > 0`)
	stop(t, b)
	b.run(t, chromedp.Click(chromedp.ID("scene-link")))
	b.waitFor(t, "the link", `!document.getElementById("scene-link-out").hidden`)
	link := eval[string](t, b, `document.getElementById("scene-link-out").value`)
	for _, want := range []string{"tasks=4", "seed=7", "speed=4"} {
		if !strings.Contains(link, want) {
			t.Errorf("link %q lacks %q", link, want)
		}
	}
	b.noProblems(t)
}

// TestPlaygroundSource: the Go source is there, and a log line marks the
// function behind it, chosen with the keyboard alone.
func TestPlaygroundSource(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	ready(t, b, "?tasks=3&mix.get=1&mix.set=1&mix.delete=0&mix.getOrLoad=0&mix.pool=0")
	start(t, b)
	showView(t, b, "log-view")
	b.run(t, chromedp.Focus(chromedp.CSS("#source-details > summary")), chromedp.KeyEvent(kb.Enter))
	b.waitFor(t, "the source", `document.querySelector("[data-src=code]").children.length > 50`)
	b.waitFor(t, "a cache line in the log", `document.querySelector("[data-log=list] li[data-kind=cacheSet]") !== null`)
	// Tab reaches the list; the arrows move between its lines.
	b.run(t, chromedp.Focus(chromedp.CSS("[data-log=list]")), chromedp.KeyEvent(kb.Home))
	if !eval[bool](t, b, `document.activeElement === document.querySelector("[data-log=list] li[data-kind]")`) {
		t.Fatal("Home in the log did not focus its first line")
	}
	b.run(t, chromedp.KeyEvent(kb.ArrowDown))
	if !eval[bool](t, b, `document.activeElement === document.querySelectorAll("[data-log=list] li[data-kind]")[1]`) {
		t.Fatal("ArrowDown in the log did not focus the second line")
	}
	// Arrive on a cache line as the arrows would, and press Enter.
	b.run(t, chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-log=list] li[data-kind=cacheSet]").focus()`), chromedp.KeyEvent(kb.Enter))
	b.waitFor(t, "the marked function", `document.querySelector("[data-src=code] .line.marked") !== null`)
	caption := eval[string](t, b, `document.querySelector("[data-src=caption]").textContent`)
	if !strings.HasPrefix(caption, "Cache.Set in cache/") {
		t.Errorf("caption %q", caption)
	}
	if first := eval[string](t, b, `document.querySelector("[data-src=code] .line.marked").textContent`); !strings.Contains(first, ") Set(") {
		t.Errorf("the first marked line is %q", first)
	}
	stop(t, b)
	b.noProblems(t)
}

// TestPlaygroundStableLayout: while a scene runs, nothing on the page moves:
// the views fill up inside fixed boxes, so what a learner is about to click
// stays under the pointer.
func TestPlaygroundStableLayout(t *testing.T) {
	for _, size := range []struct{ w, h int }{{1280, 1000}, {800, 1000}} {
		t.Run(fmt.Sprintf("%dpx", size.w), func(t *testing.T) {
			b := newBrowser(t, size.w, size.h)
			ready(t, b, "?tasks=12&keys=40&thinkMs=5&workMs=10&ttlMs=800&cleanupMs=500")
			start(t, b)
			// Start sizes the timeline for the scene's lanes; from then on
			// nothing may move.
			b.waitFor(t, "the first events", `playground.model.events > 0`)
			before := layout(t, b)
			check := func(when string) {
				t.Helper()
				now := layout(t, b)
				for name, was := range before {
					if is := now[name]; math.Abs(is[0]-was[0]) > 1 || math.Abs(is[1]-was[1]) > 1 {
						t.Fatalf("%s moved %s: top and height %v, then %v", name, when, was, is)
					}
				}
			}
			for _, id := range []string{"cache-view", "stats-view", "log-view", "lock-view"} {
				showView(t, b, id)
				waitBatches(t, b, 5)
				check("while " + id + " was on screen")
			}
			b.waitFor(t, "a sweep that removed entries", `playground.model.sweeps.some(s => s.removed > 0)`)
			check("after a sweep")
			stop(t, b)
			check("when the scene stopped")
			b.noProblems(t)
		})
	}
}

// layout is where the page's views and main controls are: their top in the
// document and their height, by name. The stage's parts are there too: the
// scene's controls (the speed and the state with them), the timeline, the
// settings and each of their sections.
func layout(t *testing.T, b *browser) map[string][2]float64 {
	t.Helper()
	return eval[map[string][2]float64](t, b, `Object.fromEntries([...document.querySelectorAll(
		".stage > *, .views > *, .two-col > *, #source-details > summary, #scene-bar button, #f-speed, #scene-state, #timeline, .settings-group, [data-log=list]")].filter((e) => e.getClientRects().length > 0).map((e, i) => {
		const r = e.getBoundingClientRect();
		return [(e.id || e.className || e.tagName) + " #" + i, [r.top + scrollY, r.height]];
	}))`)
}

// TestPlaygroundPhone: the page fits a 360 px wide phone screen.
func TestPlaygroundPhone(t *testing.T) {
	b := newBrowser(t, 800, 740)
	// A desktop window cannot be narrower than about 500 px: emulate the phone.
	b.run(t, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	ready(t, b, "")
	start(t, b)
	b.waitFor(t, "events", `playground.model.events > 20`)
	if w := eval[float64](t, b, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("the page is %v px wide on a 360 px screen", w)
	}
	b.screenshot(t, "playground-phone")
	stop(t, b)
	b.noProblems(t)
}

// TestPlaygroundDarkReducedMotion: with a dark colour scheme and reduced
// motion asked for, the page turns dark and its TTL bars move in steps, with
// the time left in words.
func TestPlaygroundDarkReducedMotion(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	b.run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{
			{Name: "prefers-color-scheme", Value: "dark"},
			{Name: "prefers-reduced-motion", Value: "reduce"},
		}})
		return err
	}))
	ready(t, b, "?keys=4&mix.set=5")
	if bg := eval[string](t, b, `getComputedStyle(document.documentElement).backgroundColor`); bg != "rgb(21, 24, 28)" {
		t.Errorf("dark background is %q", bg)
	}
	if !eval[bool](t, b, `playground.reducedMotion`) {
		t.Error("the playground did not see prefers-reduced-motion")
	}
	start(t, b)
	showView(t, b, "cache-view")
	b.waitFor(t, "an entry with its time left in words", `[...document.querySelectorAll(".entry .state")].some(s => /s left/.test(s.textContent))`)
	b.screenshot(t, "playground-dark")
	stop(t, b)
	b.noProblems(t)
}

// TestPlaygroundCompareLockings: the lesson's third prompt, measured: the
// same scene runs once per locking, and the table shows each.
func TestPlaygroundCompareLockings(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	ready(t, b, "?tasks=8&thinkMs=5&workMs=20&mix.get=9&mix.set=1&mix.delete=0&mix.getOrLoad=0&mix.pool=0&speed=4")
	b.run(t, chromedp.SetValue(chromedp.ID("compare-seconds"), "2"), chromedp.Click(chromedp.ID("compare-run")))
	b.waitFor(t, "the comparison", `!document.getElementById("compare-result").hidden`)
	runs := eval[[]string](t, b, `[...document.querySelectorAll("#compare-result thead th")].map(th => th.textContent)`)
	if len(runs) != 3 || runs[0] != "mutex" || runs[1] != "rwmutex" || runs[2] != "sharded" {
		t.Fatalf("runs %q", runs)
	}
	// A Mutex has one holder at a time; readers that block while holding
	// an RWMutex share it.
	readers := eval[[]float64](t, b, `[...[...document.querySelectorAll("#compare-result tbody tr")].find(tr => tr.firstChild.textContent.startsWith("Held at once")).querySelectorAll("td")].map(td => parseFloat(td.textContent))`)
	if readers[0] != 1 || readers[1] < 2 {
		t.Errorf("most holders at once: mutex %v, rwmutex %v readers; want 1 and at least 2", readers[0], readers[1])
	}
	if v := eval[string](t, b, `document.getElementById("f-locking").value`); v != "mutex" {
		t.Errorf("the form's locking was left at %q", v)
	}
	b.screenshot(t, "playground-compare")
	b.noProblems(t)
}

// TestPlaygroundStopRunaway: when the Go side stops answering (a goroutine
// that never blocks freezes it: WebAssembly has no preemption), Stop still
// stops, by ending the worker and starting a fresh one; the page stays
// responsive and can run the next scene.
func TestPlaygroundStopRunaway(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	ready(t, b, "")
	b.run(t, chromedp.Evaluate[chromedp.Void](`playground.stopTimeoutMs = 1000`))
	start(t, b)
	b.waitFor(t, "events", `playground.model.events > 10`)
	b.run(t, chromedp.Evaluate[chromedp.Void](`playground.go.call("selfTest", "spin").catch(() => {})`))
	b.run(t, chromedp.Click(chromedp.ID("scene-stop")))
	b.waitFor(t, "the restart", `playground.restarted === 1 && document.getElementById("scene-state").textContent.startsWith("Stopped")`)
	if note := eval[string](t, b, `document.getElementById("aggregated").textContent`); !strings.Contains(note, "fresh one started") {
		t.Errorf("note %q", note)
	}
	start(t, b)
	b.waitFor(t, "events from the fresh worker", `playground.model.events > 10`)
	stop(t, b)
	b.noProblems(t)
}
