package e2e

// Issue 10: the page tells the truth and everyone can use it. Each test
// holds one point of the issue, at the sizes and colour schemes it names:
// 1280x900 and a 390x844 phone (device emulation), light and dark.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// look is a screen and a colour scheme.
type look struct {
	w, h int
	dark bool
}

func (l look) String() string {
	scheme := "light"
	if l.dark {
		scheme = "dark"
	}
	return fmt.Sprintf("%dx%d-%s", l.w, l.h, scheme)
}

var (
	desktopLight = look{1280, 900, false}
	desktopDark  = look{1280, 900, true}
	phoneLight   = look{390, 844, false}
	phoneDark    = look{390, 844, true}
	// twoLooks covers both sizes and both schemes in two runs; allLooks
	// every pairing, for what a size or a scheme could break.
	twoLooks = []look{desktopLight, phoneDark}
	allLooks = []look{desktopLight, desktopDark, phoneLight, phoneDark}
)

// inLook starts a browser for l: a phone by device emulation (a desktop
// window cannot be that narrow), the colour scheme by emulated media.
func inLook(t *testing.T, l look) *browser {
	t.Helper()
	b := newBrowser(t, 1280, 900)
	if l.w < 800 {
		b.run(t, chromedp.EmulateViewport(int64(l.w), int64(l.h), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	} else {
		b.run(t, chromedp.EmulateViewport(int64(l.w), int64(l.h)))
	}
	scheme := "light"
	if l.dark {
		scheme = "dark"
	}
	b.run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{
			{Name: "prefers-color-scheme", Value: scheme},
		}})
		return err
	}))
	return b
}

// forLooks runs f once per look, as a subtest named for it.
func forLooks(t *testing.T, looks []look, f func(t *testing.T, b *browser, l look)) {
	for _, l := range looks {
		t.Run(l.String(), func(t *testing.T) {
			b := inLook(t, l)
			f(t, b, l)
			b.noProblems(t)
		})
	}
}

// runScene opens the page with query, starts its scene, brings view
// into sight and waits until cond (what names it) holds.
func runScene(t *testing.T, b *browser, query, view, what, cond string) {
	t.Helper()
	ready(t, b, query)
	start(t, b)
	showView(t, b, view)
	b.waitFor(t, what, cond)
}

// Point 1: a view that comes into sight draws the latest numbers at once,
// even after the scene has ended.
func TestTruthNumbersCatchUp(t *testing.T) {
	forLooks(t, twoLooks, func(t *testing.T, b *browser, l look) {
		ready(t, b, "?tasks=4&thinkMs=10&workMs=5")
		b.run(t, chromedp.Evaluate[chromedp.Void](`scrollTo(0, 0)`))
		start(t, b)
		waitBatches(t, b, 10)
		if eval[bool](t, b, `playground.visible.has("stats-view")`) {
			t.Fatal("the Numbers are on screen: this test needs them off it")
		}
		stop(t, b)
		// The engine's last snapshot has come while the Numbers were off
		// screen; then no batch comes that could draw them by chance.
		b.waitFor(t, "the last snapshot", `playground.snapshot && playground.snapshot.state === "stopped"`)
		frames := `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r))))`
		b.run(t, chromedp.Evaluate[chromedp.Void](`playground.go.pump(false)`))
		b.run(t, chromedp.Evaluate[chromedp.Void](frames, chromedp.EvalAwaitPromise))
		batches := eval[int](t, b, `playground.batches`)
		showView(t, b, "stats-view")
		b.run(t, chromedp.Evaluate[chromedp.Void](frames, chromedp.EvalAwaitPromise))
		if got := eval[[]string](t, b, `["ops", "sceneTime"].map(k => document.querySelector("[data-stat=" + k + "]").textContent)`); got[0] == "–" || got[1] == "–" {
			t.Errorf("the Numbers in sight after the scene ended: %q", got)
		}
		if eval[int](t, b, `playground.batches`) != batches {
			t.Fatal("a batch came after the pump stopped: this run proves nothing")
		}
		shotOf(t, b, "truth-numbers-"+l.String(), "stats-view")
	})
}

// Point 2: the experiment's table fits its column, the form is locked
// while it runs, the page says which run the views show and what the
// result means, and the caption says what differs between the runs.
func TestTruthExperiment(t *testing.T) {
	forLooks(t, allLooks, func(t *testing.T, b *browser, l look) {
		ready(t, b, "?tasks=8&thinkMs=20&workMs=20&mix.get=9&mix.set=1&mix.delete=0&mix.getOrLoad=0&mix.pool=0&speed=4")
		b.run(t, chromedp.SetValue(chromedp.ID("compare-seconds"), "2"), chromedp.Click(chromedp.ID("compare-run")))
		b.waitFor(t, "the comparison's first run", `/Running/.test(document.getElementById("scene-state").textContent)`)
		if locked := eval[bool](t, b, `document.getElementById("f-tasks").disabled && document.getElementById("f-locking").disabled && document.getElementById("scene-reset").disabled`); !locked {
			t.Error("the settings stay editable while the comparison runs")
		}
		if s := eval[string](t, b, `document.getElementById("scene-state").textContent`); !strings.Contains(s, "comparison run") {
			t.Errorf("the scene's state does not say which run it is: %q", s)
		}
		b.waitFor(t, "the comparison", `!document.getElementById("compare-result").hidden`)
		b.waitFor(t, "the comparison announced", `document.getElementById("announce").textContent.startsWith("Comparison finished. ")`)
		showView(t, b, "compare-result")
		if unlocked := eval[bool](t, b, `!document.getElementById("f-tasks").disabled && !document.getElementById("scene-reset").disabled`); !unlocked {
			t.Error("the settings stay locked after the comparison")
		}
		cut := eval[[]string](t, b, `(() => {
			const out = [];
			const box = document.getElementById("compare-result");
			const t = box.querySelector("table");
			if (t.getBoundingClientRect().right > box.getBoundingClientRect().right + 1) out.push("the table runs past its panel");
			for (const c of t.querySelectorAll("th, td")) if (c.scrollWidth > c.clientWidth + 1) out.push(c.textContent);
			return out;
		})()`)
		if len(cut) > 0 {
			t.Errorf("cut off in the experiment's table: %q", cut)
		}
		if c := eval[string](t, b, `document.querySelector("#compare-result caption").textContent`); !strings.Contains(c, "hit ratio differs because timing does") {
			t.Errorf("the caption does not say what differs: %q", c)
		}
		if m := eval[string](t, b, `document.getElementById("compare-meaning").textContent`); !strings.Contains(m, "operations per second") && !strings.Contains(m, "ops/s") {
			t.Errorf("no line says what the result means: %q", m)
		}
		if s := eval[string](t, b, `document.getElementById("compare-shows").textContent`); !strings.Contains(s, "last run, sharded") || !strings.Contains(s, "back to mutex") {
			t.Errorf("which run the views show: %q", s)
		}
		held := eval[[]string](t, b, `[...[...document.querySelectorAll("#compare-result tbody tr")].find(tr => tr.firstChild.textContent.startsWith("Held at once")).querySelectorAll("td")].map(td => td.textContent)`)
		if len(held) != 3 || held[0] != "1" || !strings.HasSuffix(held[1], "readers") || !strings.HasSuffix(held[2], ", 1 each") {
			t.Errorf("held at once, per locking: %q", held)
		}
		shotOf(t, b, "truth-experiment-"+l.String(), "scene-form")
	})
}

// Point 3: the operations rate is over a window the page states.
func TestTruthOpsRateWindow(t *testing.T) {
	b := inLook(t, desktopLight)
	ready(t, b, "?tasks=6&thinkMs=20")
	start(t, b)
	showView(t, b, "stats-view")
	waitBatches(t, b, 5)
	if dt := eval[string](t, b, `document.querySelector("[data-stat=ops]").previousElementSibling.textContent`); dt != "Operations, last 2 s" {
		t.Errorf("the rate's window is not stated: %q", dt)
	}
	b.waitFor(t, "a rate", `/^\d+\/s$/.test(document.querySelector("[data-stat=ops]").textContent)`)
	stop(t, b)
	b.noProblems(t)
}

// Point 4: a sync.Mutex is exclusive: no readers or writers under mutex.
func TestTruthMutexWords(t *testing.T) {
	forLooks(t, twoLooks, func(t *testing.T, b *browser, l look) {
		// Read the view in the same moment as its holder: it changes every frame.
		runScene(t, b, "?tasks=8&thinkMs=5&workMs=20&locking=mutex", "lock-view", "a holder", `document.querySelector("[data-lock=holder] li:not(.none)") !== null &&
			(window.lockText = document.getElementById("lock-view").textContent) !== ""`)
		text := eval[string](t, b, `lockText`)
		for _, w := range []string{"writer", "write ·", "reader", "read ·"} {
			if strings.Contains(text, w) {
				t.Errorf("the lock view under mutex says %q: %s", w, text)
			}
		}
		if !strings.Contains(text, "exclusive") {
			t.Errorf("the lock view under mutex does not say exclusive: %s", text)
		}
		shotOf(t, b, "truth-mutex-"+l.String(), "lock-view")
		stop(t, b)
	})
}

// Point 5: waiters in arrival order, and an acquisition that overtook
// earlier waiters made visible and explained.
func TestTruthBarging(t *testing.T) {
	forLooks(t, twoLooks, func(t *testing.T, b *browser, l look) {
		runScene(t, b, "?tasks=12&thinkMs=5&workMs=10&locking=mutex", "lock-view", "an acquisition out of arrival order", `playground.model.overtakes > 0`)
		waitBatches(t, b, 2)
		if h := eval[string](t, b, `document.querySelector("#lock-view h4:nth-of-type(2)").textContent`); h != "Waiting, in order of arrival" {
			t.Errorf("the queue's heading: %q", h)
		}
		note := eval[string](t, b, `document.querySelector("[data-lock=overtakes]").textContent`)
		if !strings.HasPrefix(note, "Out of arrival order: ") {
			t.Errorf("the overtaking is not shown: %q", note)
		}
		if help := eval[string](t, b, `document.getElementById("lock-view").textContent`); !strings.Contains(help, "starvation mode") {
			t.Error("the lock view does not explain barging")
		}
		// The queue is in the order the goroutines asked.
		if !eval[bool](t, b, `(() => {
			const since = new Map(playground.model.waiters.map(w => [w.lane, w.since]));
			const ts = [...document.querySelectorAll("[data-lock=queue] li[data-lane]")].map(li => since.get(Number(li.dataset.lane))).filter(x => x !== undefined);
			return ts.every((t, i) => i === 0 || ts[i - 1] <= t);
		})()`) {
			t.Error("the queue is not in arrival order")
		}
		shotOf(t, b, "truth-barging-"+l.String(), "lock-view")
		stop(t, b)
	})
}

// Point 8: live regions say what matters, not a stream.
func TestTruthNoLiveStream(t *testing.T) {
	b := inLook(t, desktopLight)
	ready(t, b, "?tasks=12&thinkMs=5&workMs=10")
	b.run(t, chromedp.Evaluate[chromedp.Void](`(() => {
		window.liveChanges = new Map();
		for (const r of document.querySelectorAll("[aria-live], [role=status], [role=alert], [role=log]")) {
			new MutationObserver(() => {
				const k = r.id || r.className || r.tagName;
				liveChanges.set(k, (liveChanges.get(k) || 0) + 1);
			}).observe(r, { childList: true, subtree: true, characterData: true });
		}
	})()`))
	start(t, b)
	showView(t, b, "lock-view")
	waitBatches(t, b, 40)
	showView(t, b, "log-view")
	waitBatches(t, b, 20)
	stop(t, b)
	changes := eval[map[string]int](t, b, `Object.fromEntries(liveChanges)`)
	for k, n := range changes {
		if n > 6 {
			t.Errorf("live region %s changed %d times in one scene", k, n)
		}
	}
	b.waitFor(t, "the end announced", `document.getElementById("announce").textContent === "Scene stopped: every goroutine has ended."`)
	if eval[bool](t, b, `document.querySelector("[data-src=caption]").closest("[aria-live]") !== null`) {
		t.Error("the source's caption is a live region")
	}
	b.noProblems(t)
}

// Point 9: after Start or Stop the focus stays on a control.
func TestTruthFocusAfterStartStop(t *testing.T) {
	forLooks(t, twoLooks, func(t *testing.T, b *browser, l look) {
		ready(t, b, "")
		b.run(t, chromedp.Focus(chromedp.ID("scene-start")), chromedp.KeyEvent(kb.Enter))
		b.waitFor(t, "the scene to run", `document.getElementById("scene-state").textContent === "Running"`)
		if id := eval[string](t, b, `document.activeElement.id || document.activeElement.tagName`); id != "scene-stop" {
			t.Errorf("after Start the focus is on %s, want scene-stop", id)
		}
		b.run(t, chromedp.KeyEvent(kb.Enter))
		b.waitFor(t, "the scene to stop", `document.getElementById("scene-state").textContent.startsWith("Stopped")`)
		if id := eval[string](t, b, `document.activeElement.id || document.activeElement.tagName`); id != "scene-start" {
			t.Errorf("after Stop the focus is on %s, want scene-start", id)
		}
	})
}

// Point 10: a log line opens the closed source at its function, the
// caption says the line's words, and tabs count from the code's column.
func TestTruthLogOpensSource(t *testing.T) {
	forLooks(t, twoLooks, func(t *testing.T, b *browser, l look) {
		runScene(t, b, "?tasks=4&thinkMs=20&mix.get=1&mix.set=1&mix.delete=0&mix.getOrLoad=0&mix.pool=0", "log-view", "a cache line", `document.querySelector("[data-log=list] li[data-cat=cache]") !== null`)
		stop(t, b)
		if eval[bool](t, b, `document.getElementById("source-details").open`) {
			t.Fatal("the source is open already")
		}
		b.run(t, chromedp.Click(chromedp.CSS(`[data-log=list] li[data-cat=cache]`)))
		b.waitFor(t, "the source, open at a function", `document.getElementById("source-details").open && document.querySelector(".code .line.marked") !== null`)
		caption := eval[string](t, b, `document.querySelector("[data-src=caption]").textContent`)
		if strings.Contains(caption, "cacheHit") || strings.Contains(caption, "cacheSet") || strings.Contains(caption, "cacheMiss") || !strings.Contains(caption, "Cache:") {
			t.Errorf("the caption does not use the log's words: %q", caption)
		}
		// A line indented by one tab starts one tab stop (tab-size
		// characters) right of an unindented one.
		off := eval[[]float64](t, b, `(() => {
			const lines = [...document.querySelectorAll(".code .line")];
			const x = (re) => {
				const row = lines.find(r => re.test(r.textContent));
				const node = row.lastChild;
				const i = node.textContent.search(/\S/);
				const r = document.createRange();
				r.setStart(node, i); r.setEnd(node, i + 1);
				return r.getBoundingClientRect().left;
			};
			const code = document.querySelector(".code");
			const ch = (() => { const s = document.createElement("span"); s.textContent = "0000000000"; code.append(s); const w = s.getBoundingClientRect().width / 10; s.remove(); return w; })();
			return [x(/^func /), x(/^\t[a-z]/), x(/^\t\t[a-z]/), ch, parseFloat(getComputedStyle(code).tabSize)];
		})()`)
		tab := off[3] * off[4]
		if d1, d2 := off[1]-off[0], off[2]-off[1]; d1 < tab-1 || d1 > tab+1 || d2 < tab-1 || d2 > tab+1 {
			t.Errorf("indentation: one tab moves %.1f px, the second %.1f px; want %.1f each (tab-size %v)", d1, d2, tab, off[4])
		}
		shotOf(t, b, "truth-source-"+l.String(), "source-details")
	})
}

// Point 11: every cache tile's words readable in full, and a legend for
// the flash colours.
func TestTruthCacheTiles(t *testing.T) {
	forLooks(t, allLooks, func(t *testing.T, b *browser, l look) {
		ready(t, b, "?tasks=6&keys=12&thinkMs=40&ttlMs=600&cleanupMs=5000&mix.get=5&mix.set=3&mix.delete=2&mix.getOrLoad=0&mix.pool=0")
		if n := eval[int](t, b, `document.querySelectorAll(".flash-legend li").length`); n < 4 {
			t.Errorf("the flash colours' legend has %d items", n)
		}
		start(t, b)
		showView(t, b, "cache-view")
		cutOff := `[...document.querySelectorAll(".entry")].filter(e => { const s = e.querySelector(".state"); return s.scrollWidth > s.clientWidth + 1 || s.getBoundingClientRect().bottom > e.getBoundingClientRect().bottom - 4; }).map(e => e.textContent)`
		for _, words := range []string{"expired, not swept", "not stored ·", "expired, not swept ·"} {
			b.waitFor(t, "a tile saying "+words, fmt.Sprintf(`[...document.querySelectorAll(".entry .state")].some(s => s.textContent.startsWith(%q))`, words))
			if cut := eval[[]string](t, b, cutOff); len(cut) > 0 {
				t.Errorf("tiles cut off: %q", cut)
			}
		}
		shotOf(t, b, "truth-cache-"+l.String(), "cache-view")
		stop(t, b)
	})
}

// Point 12: the reader and holder markers are shapes, not emoji.
func TestTruthMarkers(t *testing.T) {
	forLooks(t, twoLooks, func(t *testing.T, b *browser, l look) {
		// The lists change every frame: read the markers in the same
		// moment as the reader they belong to.
		runScene(t, b, "?tasks=8&thinkMs=5&workMs=20&locking=rwmutex&mix.get=9&mix.set=1&mix.delete=0&mix.getOrLoad=0&mix.pool=0", "lock-view", "a reader", `(() => {
			const reader = document.querySelector(".who-list li.read");
			if (!reader) return false;
			window.markers = {
				bad: [...document.querySelectorAll(".who-list li.read, .who-list li.write, .who-list li.exclusive")].flatMap(li =>
					["::marker", "::before"].map(p => getComputedStyle(li, p).content)).filter(c => [...c].some(ch => ch.codePointAt(0) > 0x2000)),
				drawn: getComputedStyle(reader, "::before").borderTopStyle === "solid",
			};
			return true;
		})()`)
		if bad := eval[[]string](t, b, `markers.bad`); len(bad) > 0 {
			t.Errorf("markers that need an emoji font: %q", bad)
		}
		if !eval[bool](t, b, `markers.drawn`) {
			t.Error("a reader has no drawn marker")
		}
		shotOf(t, b, "truth-markers-"+l.String(), "lock-view")
		stop(t, b)
	})
}

// Point 13: the pool's slots stay put as its summary grows: the summary
// keeps two lines, neither of which wraps.
func TestTruthPoolSteady(t *testing.T) {
	forLooks(t, allLooks, func(t *testing.T, b *browser, l look) {
		runScene(t, b, "?tasks=30&thinkMs=5&workMs=40&poolSize=3&poolTimeoutMs=20&mix.get=0&mix.set=0&mix.delete=0&mix.getOrLoad=0&mix.pool=1", "pool-view", "the first slots", `document.querySelectorAll("[data-pool=slots] li").length > 0`)
		where := `(() => {
			const s = document.querySelector("[data-pool=summary]");
			const lines = [...s.children].map(c => c.getClientRects().length);
			return [document.querySelector("[data-pool=slots]").getBoundingClientRect().top + scrollY, s.getBoundingClientRect().height, lines.length, Math.max(0, ...lines)];
		})()`
		before := eval[[]float64](t, b, where)
		b.waitFor(t, "ten timeouts", `/\d\d+ timed out/.test(document.querySelector("[data-pool=summary]").textContent)`)
		after := eval[[]float64](t, b, where)
		if after[0] != before[0] || after[1] != before[1] {
			t.Errorf("the pool's slots moved (top, summary height) from %v to %v as the summary grew", before[:2], after[:2])
		}
		if after[2] != 2 || after[3] != 1 {
			t.Errorf("the summary is %v lines, the longest wrapped to %v: want two that do not wrap", after[2], after[3])
		}
		shotOf(t, b, "truth-pool-"+l.String(), "pool-view")
		stop(t, b)
	})
}

// Point 13: the log holds still while the pointer is in it, says so, and
// catches up when it leaves.
func TestTruthLogHolds(t *testing.T) {
	forLooks(t, twoLooks, func(t *testing.T, b *browser, l look) {
		runScene(t, b, "?tasks=8&thinkMs=5", "log-view", "lines in the log", `document.querySelectorAll("[data-log=list] li[data-kind]").length > 5`)
		pos := eval[[]float64](t, b, `(() => { const r = document.querySelector("[data-log=list]").getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
		b.run(t, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, pos[0], pos[1]))
		before := eval[string](t, b, `document.querySelector("[data-log=list]").textContent`)
		// The list is drawn four times a second: wait until a draw has
		// come and said it held.
		b.waitFor(t, "the log to say it holds still", `/holds still/.test(document.querySelector("[data-log=count]").textContent)`)
		waitBatches(t, b, 8)
		if after := eval[string](t, b, `document.querySelector("[data-log=list]").textContent`); after != before {
			t.Error("the log changed under the pointer")
		}
		b.run(t, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1))
		b.waitFor(t, "the log to catch up", fmt.Sprintf(`document.querySelector("[data-log=list]").textContent !== %q`, before))
		stop(t, b)
	})
}

// Point 14: a link's errors name their field and value, unknown keys are
// reported with the closest name, long values are cut, and the form shows
// what the link means.
func TestTruthLinkErrors(t *testing.T) {
	forLooks(t, twoLooks, func(t *testing.T, b *browser, l look) {
		ready(t, b, "?mix.get=0")
		b.waitFor(t, "the link's errors", `!document.getElementById("scene-errors").hidden`)
		if v := eval[[]string](t, b, `["mix.get", "mix.set", "mix.delete", "mix.getOrLoad", "mix.pool"].map(n => document.getElementById("f-" + n.replace(".", "-")).value)`); strings.Join(v, ",") != "0,0,0,0,0" {
			t.Errorf("the form shows the mix %q, not the link's (every weight 0)", v)
		}
		if box := eval[string](t, b, `document.getElementById("scene-errors").textContent`); !strings.Contains(box, "needs fixing: the operation mix") || !strings.Contains(box, `mix.get="0"`) {
			t.Errorf("the summary: %q", box)
		}

		ready(t, b, "?taks=3")
		b.waitFor(t, "the unknown parameter", `!document.getElementById("scene-errors").hidden`)
		if box := eval[string](t, b, `document.getElementById("scene-errors").textContent`); !strings.Contains(box, `"taks" is not a scene field`) || !strings.Contains(box, `closest known name is "tasks"`) {
			t.Errorf("the summary: %q", box)
		}

		ready(t, b, "?tasks="+strings.Repeat("9x", 300))
		b.waitFor(t, "the field's error", `!document.getElementById("f-tasks-error").hidden`)
		msg := eval[string](t, b, `document.getElementById("f-tasks-error").textContent`)
		if !strings.Contains(msg, "(600 characters)") || len(msg) > 160 {
			t.Errorf("a long value is not cut: %d bytes: %q", len(msg), msg)
		}
		if eval[bool](t, b, `(() => { const e = document.getElementById("f-tasks-error"); return e.scrollWidth > e.clientWidth + 1; })()`) {
			t.Error("the error runs past its column")
		}
		shotOf(t, b, "truth-link-"+l.String(), "scene-form")
	})
}

// shotOf saves a PNG of one element (by id) when E2E_SCREENSHOTS names a
// folder: a view at its real size, to look at.
func shotOf(t *testing.T, b *browser, name, id string) {
	t.Helper()
	b.capture(t, name, chromedp.Screenshot(chromedp.ID(id)))
}
