package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The step mode (web/stepmode.js): the learner is the scheduler, by key,
// by button, by link, and a host page through the postMessage API.

// stepReady opens the page with a query and waits for the step mode's run.
func stepReady(t *testing.T, b *browser, query string) {
	t.Helper()
	ready(t, b, query)
	b.waitFor(t, "the step mode", `window.stepMode && stepMode.state && !document.getElementById("step-mode").hidden`)
}

// stepCount waits for the step mode to have taken n steps.
func stepCount(t *testing.T, b *browser, n int) {
	t.Helper()
	b.waitFor(t, fmt.Sprintf("%d steps", n), fmt.Sprintf(`stepMode.state.history.length === %d`, n))
}

// settled waits until the step mode has run every command sent so far.
func settled(t *testing.T, b *browser) {
	t.Helper()
	eval[bool](t, b, `stepMode.queue.then(() => true)`)
}

// goState is the Go side's state of the run, as JSON text.
func goState(t *testing.T, b *browser) string {
	t.Helper()
	return eval[string](t, b, `stepMode.go().call("stepState")`)
}

// tabInto presses Tab until the focus is on a button of the step mode, as
// a keyboard user reaches it (in its selects, digits choose an option).
func tabInto(t *testing.T, b *browser) {
	t.Helper()
	for range 200 {
		if eval[bool](t, b, `document.getElementById("step-mode").contains(document.activeElement) && document.activeElement.tagName === "BUTTON"`) {
			return
		}
		b.run(t, chromedp.KeyEvent(kb.Tab))
	}
	t.Fatalf("200 presses of Tab never reached the step mode (focus on %s)", eval[string](t, b, `document.activeElement.outerHTML.slice(0, 80)`))
}

func keys(t *testing.T, b *browser, ks ...string) {
	t.Helper()
	for _, k := range ks {
		b.run(t, chromedp.KeyEvent(k))
	}
	settled(t, b)
}

// viewShot saves a PNG of what is on the screen (the step mode, which a
// step link scrolls to) when E2E_SCREENSHOTS names a folder.
func viewShot(t *testing.T, b *browser, name string) {
	t.Helper()
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	savePNG(t, dir, name, png)
}

func text(t *testing.T, b *browser, id string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`document.getElementById(%q).textContent`, id))
}

// TestStepUnlockedByKeyboard: with the keyboard only, the schedule
// 0,1,0,1,0,1 of unlocked loses an update (actual 1, expected 2); a step
// after the end is refused, announced, and changes nothing; Undo restores
// the state before the last step; Reset starts again on fresh goroutines.
func TestStepUnlockedByKeyboard(t *testing.T) {
	b := newBrowser(t, 1280, 900)
	stepReady(t, b, "?lesson=interleave&variant=unlocked&tasks=2")
	if c := text(t, b, "step-challenge"); !strings.Contains(c, "end at 1") {
		t.Errorf("challenge %q", c)
	}
	tabInto(t, b)
	keys(t, b, "1", "2", "1", "2", "1")
	stepCount(t, b, 5)
	before := goState(t, b)
	if m := eval[string](t, b, `document.querySelector('[data-task="1"] .step-code li[data-mark="next"]').textContent`); !strings.Contains(m, "next") || !strings.Contains(m, `c.Set("count", v)`) {
		t.Errorf("goroutine 1's next line is shown as %q", m)
	}
	keys(t, b, "2")
	stepCount(t, b, 6)
	out := text(t, b, "step-outcome")
	if !strings.Contains(out, "the count is 1, expected 2") || !strings.Contains(out, "An update was lost") {
		t.Errorf("outcome %q", out)
	}
	if got := eval[string](t, b, `JSON.stringify(stepMode.state.result)`); got != `{"expected":2,"actual":1,"steps":6,"deadlock":0}` {
		t.Errorf("result %s", got)
	}
	if !strings.Contains(text(t, b, "step-announce"), "An update was lost") {
		t.Errorf("the end was not announced: %q", text(t, b, "step-announce"))
	}
	done := goState(t, b)
	keys(t, b, "1")
	if a := text(t, b, "step-announce"); !strings.Contains(a, "Step refused: task 0 has finished") {
		t.Errorf("the refusal was announced as %q", a)
	}
	if r := eval[string](t, b, `document.querySelector('[data-task="0"] .step-refusal').textContent`); !strings.Contains(r, "task 0 has finished") {
		t.Errorf("goroutine 0 shows the refusal as %q", r)
	}
	if goState(t, b) != done {
		t.Error("a refused step changed the state")
	}
	keys(t, b, "u")
	stepCount(t, b, 5)
	if got := goState(t, b); got != before {
		t.Errorf("Undo did not restore the state before the last step:\n got %s\nwant %s", got, before)
	}
	// Undo, every step back to the start.
	for range 5 {
		keys(t, b, "u")
	}
	stepCount(t, b, 0)
	if eval[bool](t, b, `document.getElementById("step-undo").disabled`) == false {
		t.Error("Undo is enabled at the start")
	}
	keys(t, b, "1", "1")
	b.run(t, chromedp.Focus(chromedp.ID("step-reset")), chromedp.KeyEvent(kb.Enter))
	settled(t, b)
	stepCount(t, b, 0)
	if n := eval[int](t, b, `stepMode.go().call("stepGoroutines")`); n != 2 {
		t.Errorf("after Reset, %d task goroutines: want the new run's 2, none of the old", n)
	}
	viewShot(t, b, "step-unlocked-1280x900")
	b.noProblems(t)
}

// TestStepLockedRefusal: in locked, task 1's first step after task 0's is
// refused with a reason naming task 0, shown under goroutine 1, and changes
// nothing; an unknown task (key 4 with two tasks) is refused too.
func TestStepLockedRefusal(t *testing.T) {
	b := newBrowser(t, 1280, 900)
	stepReady(t, b, "?lesson=interleave&variant=locked")
	b.run(t, chromedp.Click(chromedp.CSS(`.step-button[data-task="0"]`)))
	settled(t, b)
	stepCount(t, b, 1)
	before := goState(t, b)
	b.run(t, chromedp.Click(chromedp.CSS(`.step-button[data-task="1"]`)))
	settled(t, b)
	r := eval[string](t, b, `document.querySelector('[data-task="1"] .step-refusal').textContent`)
	if !strings.Contains(r, "held by task 0") {
		t.Errorf("goroutine 1's refusal %q does not name task 0", r)
	}
	if a := text(t, b, "step-announce"); !strings.Contains(a, "held by task 0") {
		t.Errorf("announced %q", a)
	}
	if st := eval[string](t, b, `document.querySelector('[data-task="1"] .step-status').textContent`); !strings.Contains(st, "Blocked") {
		t.Errorf("goroutine 1's status %q", st)
	}
	if locks := text(t, b, "step-locks"); !strings.Contains(locks, "mu is held by task 0; waiting: task 1") {
		t.Errorf("locks %q", locks)
	}
	b.run(t, chromedp.Focus(chromedp.CSS(`.step-button[data-task="0"]`)))
	keys(t, b, "4")
	if a := text(t, b, "step-announce"); !strings.Contains(a, "there is no task 3") {
		t.Errorf("key 4 with two tasks was announced as %q", a)
	}
	if goState(t, b) != before {
		t.Error("a refused or unknown step changed the state")
	}
	b.noProblems(t)
}

// TestStepDeadlockLink: the link with deadlock's schedule 0,1 replays it:
// every task blocked, the deadlock in the runtime's words, and every later
// step refused.
func TestStepDeadlockLink(t *testing.T) {
	b := newBrowser(t, 1280, 900)
	stepReady(t, b, "?lesson=interleave&variant=deadlock&tasks=2&schedule=0,1")
	stepCount(t, b, 2)
	if out := text(t, b, "step-outcome"); !strings.HasPrefix(out, "fatal error: all goroutines are asleep - deadlock!") {
		t.Errorf("outcome %q", out)
	}
	if n := eval[int](t, b, `document.querySelectorAll('.goroutine[data-state="blocked"]').length`); n != 2 {
		t.Errorf("%d goroutines shown blocked, want 2", n)
	}
	before := goState(t, b)
	tabInto(t, b)
	keys(t, b, "1", "2")
	if a := text(t, b, "step-announce"); !strings.Contains(a, "all goroutines are asleep") {
		t.Errorf("a step after the deadlock was announced as %q", a)
	}
	if goState(t, b) != before {
		t.Error("steps after the deadlock changed the state")
	}
	// The link the page copies is the one it was opened with.
	b.run(t, chromedp.Click(chromedp.ID("step-link")))
	b.waitFor(t, "the link", `!document.getElementById("step-link-out").hidden`)
	if link := eval[string](t, b, `document.getElementById("step-link-out").value`); link != baseURL+"?lesson=interleave&variant=deadlock&tasks=2&schedule=0,1" {
		t.Errorf("copied link %q", link)
	}
	// A bad link names the field and the value, and the default run is still there.
	stepReady(t, b, "?lesson=interleave&variant=locked&schedule=0,1")
	if e := text(t, b, "step-errors"); !strings.Contains(e, "schedule step 2 (task 1) is refused") {
		t.Errorf("bad link's error %q", e)
	}
	stepReady(t, b, "?lesson=interleave&tasks=<b>9</b>")
	if e := text(t, b, "step-errors"); !strings.Contains(e, `tasks must be a whole number from 1 to 4 (got "<b>9</b>")`) {
		t.Errorf("bad link's error %q", e)
	}
	noMarkup(t, b, "#step-mode")
	b.noProblems(t)
}

// TestStepFree: "let Go's scheduler run it" runs the program 10,000 times in
// the browser and says how often it lost an update, and why so rarely.
func TestStepFree(t *testing.T) {
	b := newBrowser(t, 1280, 900)
	stepReady(t, b, "?lesson=interleave&variant=unlocked&tasks=2")
	b.run(t, chromedp.Click(chromedp.ID("step-free")))
	b.waitFor(t, "the free runs", `/times in this browser/.test(document.getElementById("step-free-result").textContent)`)
	res := text(t, b, "step-free-result")
	if !strings.Contains(res, "10,000 times") || !strings.Contains(res, "GOMAXPROCS is 1") {
		t.Errorf("free run says %q", res)
	}
	t.Logf("in Chromium: %s", res)
	stepReady(t, b, "?lesson=interleave&variant=deadlock")
	b.run(t, chromedp.Click(chromedp.ID("step-free")))
	b.waitFor(t, "the refusal", `/cannot run/.test(document.getElementById("step-free-result").textContent)`)
	b.noProblems(t)
}

// TestStepHostAPI: a host page on another origin loads the lesson, steps
// 0,1,0,1,0,1 and gets playground:stepped for each, the states and the
// summary with lesson.result; Undo answers stepped for the state it went
// back to; bad messages are refused and change nothing.
func TestStepHostAPI(t *testing.T) {
	b := newBrowser(t, 1000, 760)
	host := startHost(t)
	b.run(t, chromedp.Navigate(host+"/host.html"))
	b.waitFor(t, "playground:ready", `msgs.some((m) => m.type === "playground:ready")`)
	b.run(t, chromedp.Evaluate[chromedp.Void](`send({type: "playground:load", lesson: "interleave", variant: "unlocked", tasks: 2})`))
	b.waitFor(t, "playground:loaded", `count("playground:loaded") === 1`)
	if got := eval[string](t, b, `JSON.stringify(msgs.find((m) => m.type === "playground:loaded").lesson)`); got != `{"id":"interleave","variant":"unlocked","tasks":2}` {
		t.Errorf("loaded %s", got)
	}
	b.run(t, chromedp.Evaluate[chromedp.Void](`for (const task of [0, 1, 0, 1, 0, 1]) send({type: "playground:step", task})`))
	b.waitFor(t, "six stepped", `count("playground:stepped") === 6`)
	b.waitFor(t, "the summary", `count("playground:summary") === 1`)
	if got := eval[string](t, b, `JSON.stringify(msgs.filter((m) => m.type === "playground:stepped").at(-1))`); got != `{"type":"playground:stepped","task":1,"ok":true,"reason":"","count":1,"done":true}` {
		t.Errorf("last stepped %s", got)
	}
	if got := eval[string](t, b, `JSON.stringify(msgs.find((m) => m.type === "playground:summary").lesson)`); got != `{"id":"interleave","variant":"unlocked","result":{"expected":2,"actual":1,"steps":6,"deadlock":0}}` {
		t.Errorf("summary lesson %s", got)
	}
	states := eval[[]string](t, b, `msgs.filter((m) => m.type === "playground:state").map((m) => m.state)`)
	if strings.Join(states, " ") != "idle running stopped" {
		t.Errorf("states %v", states)
	}
	b.run(t, chromedp.Evaluate[chromedp.Void](`send({type: "playground:undo"})`))
	b.waitFor(t, "the undo's stepped", `count("playground:stepped") === 7`)
	if got := eval[string](t, b, `JSON.stringify(msgs.filter((m) => m.type === "playground:stepped").at(-1))`); got != `{"type":"playground:stepped","task":1,"ok":true,"reason":"","count":1,"done":false}` {
		t.Errorf("undo answered %s", got)
	}
	// Bad messages: refused with the field, nothing changed.
	b.run(t, chromedp.Evaluate[chromedp.Void](`
		send({type: "playground:step", task: "1"});
		send({type: "playground:step", task: 1.5});
		send({type: "playground:load", lesson: "interleave", variant: "<img src=x>"});
		send({type: "playground:load", lesson: "interleave", tasks: 99});
		send({type: "playground:step", task: 7});`))
	b.waitFor(t, "four errors", `count("playground:error") === 4`)
	b.waitFor(t, "the unknown task's stepped", `count("playground:stepped") === 8`)
	if got := eval[string](t, b, `msgs.filter((m) => m.type === "playground:error").map((m) => m.errors[0].field).join(",")`); got != "task,task,variant,tasks" {
		t.Errorf("errors' fields %s", got)
	}
	if got := eval[string](t, b, `JSON.stringify(msgs.filter((m) => m.type === "playground:stepped").at(-1))`); got != `{"type":"playground:stepped","task":7,"ok":false,"reason":"there is no task 7 (the tasks are 0 to 1)","count":1,"done":false}` {
		t.Errorf("unknown task answered %s", got)
	}
	b.run(t, chromedp.Evaluate[chromedp.Void](`send({type: "playground:step", task: 1})`))
	b.waitFor(t, "the second summary", `count("playground:summary") === 2`)
	b.noProblems(t)
}

// TestStepLayouts: the step mode at 1280x900 and on a 390x844 phone, light
// and dark, and embedded in an 800x600 frame, where the goroutines' Step
// buttons are on the first screen; nothing is wider than the screen.
func TestStepLayouts(t *testing.T) {
	for _, c := range []struct {
		name  string
		w, h  int
		phone bool
		dark  bool
		query string
	}{
		{"1280x900-light", 1280, 900, false, false, "?lesson=interleave&variant=locked&schedule=0,0"},
		{"1280x900-dark", 1280, 900, false, true, "?lesson=interleave&variant=deadlock&schedule=0,1"},
		{"390x844-light", 390, 844, true, false, "?lesson=interleave&variant=unlocked&schedule=0,1,0,1"},
		{"390x844-dark", 390, 844, true, true, "?lesson=interleave&variant=locked&tasks=3&schedule=0,0"},
		{"embed-800x600", 800, 600, false, false, "?embed=1&lesson=interleave&variant=unlocked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBrowser(t, max(c.w, 800), max(c.h, 600))
			if c.phone {
				b.run(t, chromedp.EmulateViewport(int64(c.w), int64(c.h), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
			}
			features := []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}
			if c.dark {
				features = append(features, &emulation.MediaFeature{Name: "prefers-color-scheme", Value: "dark"})
			}
			emulateMedia(t, b, features...)
			stepReady(t, b, c.query)
			if w := eval[float64](t, b, `document.documentElement.scrollWidth`); w > float64(c.w) {
				t.Errorf("the page is %v px wide on a %d px screen", w, c.w)
			}
			if c.dark {
				if bg := eval[string](t, b, `getComputedStyle(document.documentElement).backgroundColor`); bg != "rgb(21, 24, 28)" {
					t.Errorf("dark background is %q", bg)
				}
			}
			if strings.HasPrefix(c.name, "embed") {
				if eval[bool](t, b, `["scene-bar", "timeline-view", "scene-form"].some((id) => document.getElementById(id).getClientRects().length > 0)`) {
					t.Error("the scene is shown beside the step mode in embed mode")
				}
				bottom := eval[float64](t, b, `document.querySelector('.step-button[data-task="1"]').getBoundingClientRect().bottom`)
				if bottom > float64(c.h) {
					t.Errorf("goroutine 1's Step button ends at %v px, below the %d px frame", bottom, c.h)
				}
			}
			viewShot(t, b, "step-"+c.name)
			b.run(t, chromedp.Evaluate[chromedp.Void](`document.getElementById("step-undo").scrollIntoView({block: "start"})`))
			viewShot(t, b, "step-"+c.name+"-shared")
			b.noProblems(t)
		})
	}
}

// TestStepAfterWorkerRestart: when the page replaces a frozen Go worker (a
// runaway scene's Stop), the step mode's run, which lived in the old one,
// is replayed in the new one: the same steps, and stepping goes on.
func TestStepAfterWorkerRestart(t *testing.T) {
	b := newBrowser(t, 1280, 900)
	stepReady(t, b, "?lesson=interleave&variant=unlocked&schedule=0,1")
	before := goState(t, b)
	b.run(t, chromedp.Evaluate[chromedp.Void](`playground.stopTimeoutMs = 1000`))
	start(t, b)
	b.waitFor(t, "events", `playground.model.events > 10`)
	b.run(t, chromedp.Evaluate[chromedp.Void](`playground.go.call("selfTest", "spin").catch(() => {})`))
	b.run(t, chromedp.Click(chromedp.ID("scene-stop")))
	b.waitFor(t, "the restart", `playground.restarted === 1`)
	settled(t, b)
	if got := goState(t, b); got != before {
		t.Errorf("after the worker's restart the run is\n%s\nwant\n%s", got, before)
	}
	// The button is pressed from script, not by pointer: the restart redraws
	// the timeline above the step mode, and a click aimed before that lands
	// elsewhere (this test is about the replay, not the pointer).
	b.run(t, chromedp.Evaluate[chromedp.Void](`document.querySelector('.step-button[data-task="0"]').click()`))
	settled(t, b)
	stepCount(t, b, 3)
	b.noProblems(t)
}
