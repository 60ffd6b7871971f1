package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
)

// The guided lessons (issue 12), end to end in Chromium: each lesson is
// chosen by its link, run from the panel on the playground's views, and its
// result checked against what its text claims.

// lessonResult runs the lesson the page has loaded and returns its result
// fields, read from the panel.
func lessonResult(t *testing.T, b *browser) map[string]float64 {
	t.Helper()
	b.run(t, chromedp.Click(chromedp.ID("lesson-run")))
	b.waitFor(t, "the lesson's result", `!document.getElementById("lesson-result").hidden && !playground.lessons.running`)
	return eval[map[string]float64](t, b, `Object.fromEntries([...document.querySelectorAll("#lesson-result [data-result]")].map((d) => [d.dataset.result, Number(d.textContent)]))`)
}

// runVariants opens and runs each variant of lesson id in turn, and returns
// their results.
func runVariants(t *testing.T, b *browser, id string, variants ...string) []map[string]float64 {
	t.Helper()
	var out []map[string]float64
	for _, v := range variants {
		openLesson(t, b, id, v)
		out = append(out, lessonResult(t, b))
	}
	return out
}

func openLesson(t *testing.T, b *browser, id, variant string) {
	t.Helper()
	ready(t, b, "?lesson="+id+"&variant="+variant)
	b.waitFor(t, "the lesson panel", fmt.Sprintf(`document.getElementById("lesson-select").value === %q && playground.lessons.loaded`, id))
}

// originRequests asks serve.go's origin how many requests it has counted.
func originRequests(t *testing.T, b *browser) float64 {
	t.Helper()
	v := eval[float64](t, b, `(async () => (await (await fetch("/origin/stats")).json()).requests)()`)
	return v
}

func TestLessons(t *testing.T) {
	b := newBrowser(t, 1280, 900)
	shot := func(name string) {
		b.run(t, chromedp.ScrollIntoView(chromedp.ID("lessons-panel")))
		b.screenshot(t, "lesson-"+name)
	}
	views := func(id string) {
		t.Helper()
		if n := eval[int](t, b, `playground.model.events`); n == 0 {
			t.Errorf("%s: the views got no events from the lesson's scene", id)
		}
		if got := eval[string](t, b, `document.getElementById("scene-state").textContent`); !strings.HasPrefix(got, "Stopped") {
			t.Errorf("%s: the scene reads %q after the lesson", id, got)
		}
	}

	t.Run("shared-cache", func(t *testing.T) {
		openLesson(t, b, "shared-cache", "default")
		r := lessonResult(t, b)
		if r["inserted"] != 5 || r["read"] != 5 || r["sweeps"] < 4 {
			t.Errorf("result %v, want 5 inserted, 5 read, 4 or more sweeps", r)
		}
		views("shared-cache")
		shot("shared-cache")
	})
	t.Run("ttl", func(t *testing.T) {
		r := runVariants(t, b, "ttl", "short", "long")
		short, long := r[0], r[1]
		if !(long["maxExpiredStored"] > short["maxExpiredStored"]) || !(short["sweeps"] > long["sweeps"]) || !(short["sweepLockMs"] > long["sweepLockMs"]) {
			t.Errorf("short %v, long %v: want more expired entries stored with the long interval, more sweeps and sweep lock time with the short", short, long)
		}
		views("ttl")
		shot("ttl")
	})
	t.Run("pool", func(t *testing.T) {
		openLesson(t, b, "pool", "default")
		r := lessonResult(t, b)
		if r["outOfOrderGrants"] != 0 || r["maxWaiting"] < 2 || r["timeouts"] == 0 || r["destroyed"] == 0 || r["constructed"] <= 2 {
			t.Errorf("result %v: want a line granted in order, timeouts, broken connections destroyed and replaced", r)
		}
		views("pool")
		shot("pool")
	})
	t.Run("rwmutex", func(t *testing.T) {
		r := runVariants(t, b, "rwmutex", "blocking", "computing")
		// In the browser only blocking work lets readers overlap: the
		// RWMutex does more and waits less than the Mutex.
		if blocking := r[0]; !(blocking["rwmutexOpsPerSecond"] > blocking["mutexOpsPerSecond"]) || !(blocking["rwmutexLockWaitMeanMs"] < blocking["mutexLockWaitMeanMs"]) {
			t.Errorf("blocking: %v: want the RWMutex ahead of the Mutex", blocking)
		}
		// Computing: while a holder computes no other goroutine runs, so
		// nobody waits for any lock.
		for _, k := range []string{"mutexLockWaitMeanMs", "rwmutexLockWaitMeanMs", "shardedLockWaitMeanMs"} {
			if w, ok := r[1][k]; !ok || w >= 0.5 {
				t.Errorf("computing: %s = %v (in %v), want about 0", k, w, r[1])
			}
		}
		if n := eval[int](t, b, `document.querySelectorAll("#lesson-result .lesson-chart .bar").length`); n != 6 {
			t.Errorf("the chart has %d bars, want 6", n)
		}
		views("rwmutex")
		shot("rwmutex-computing")
	})
	t.Run("stampede", func(t *testing.T) {
		openLesson(t, b, "stampede", "get-then-load")
		before := originRequests(t, b)
		gtl := lessonResult(t, b)
		mid := originRequests(t, b)
		openLesson(t, b, "stampede", "get-or-load")
		gol := lessonResult(t, b)
		after := originRequests(t, b)
		if !(gtl["originRequests"] > gol["originRequests"]) || gol["originRequests"] != gol["keys"] || gtl["originRequests"] != gtl["tasks"] {
			t.Errorf("get-then-load %v, get-or-load %v: want one request per task, then one per key", gtl, gol)
		}
		if mid-before != gtl["originRequests"] || after-mid != gol["originRequests"] {
			t.Errorf("serve.go counted %v and %v requests, the lesson %v and %v", mid-before, after-mid, gtl["originRequests"], gol["originRequests"])
		}
		if o := eval[string](t, b, `document.getElementById("lesson-result").textContent`); !strings.Contains(o, "serve.go's HTTP origin") {
			t.Errorf("the result does not say which origin it used: %q", o)
		}
		views("stampede")
		shot("stampede")
	})
	t.Run("stampede-failing-origin", func(t *testing.T) {
		openLesson(t, b, "stampede", "get-or-load&originFail=1")
		lessonResult(t, b)
		msg := eval[string](t, b, `document.getElementById("lesson-origin-error")?.textContent ?? ""`)
		if !strings.Contains(msg, "HTTP 503") || !strings.Contains(msg, "nothing was cached") {
			t.Errorf("the failed loads read %q", msg)
		}
		if hits := eval[float64](t, b, `playground.snapshot.hits`); hits != 0 {
			t.Errorf("%v hits after failed loads: a failure was cached", hits)
		}
		shot("stampede-failing")
	})
	t.Run("lost-update", func(t *testing.T) {
		r := runVariants(t, b, "lost-update", "get-then-set", "update")
		gs, up := r[0], r[1]
		if !(gs["actual"] < gs["expected"]) || up["actual"] != up["expected"] || up["expected"] == 0 {
			t.Errorf("get-then-set %v, update %v: want updates lost, then none", gs, up)
		}
		views("lost-update")
		shot("lost-update")
	})
	t.Run("forgot-close", func(t *testing.T) {
		f := runVariants(t, b, "forgot-close", "forget")[0]
		if f["janitorsStarted"] != 5 || f["janitorsRunningAfterRun"] != 5 || f["janitorsRunningAfterCollect"] != 0 {
			t.Errorf("forget: %v, want 5 started, 5 running until the collect, 0 after", f)
		}
		b.run(t, chromedp.Click(chromedp.ID("lesson-collect")))
		b.waitFor(t, "the collect's line", `document.getElementById("lesson-lines").textContent.includes("runtime.GC() ran")`)
		c := runVariants(t, b, "forgot-close", "close")[0]
		if c["janitorsStarted"] != 5 || c["janitorsRunningAfterRun"] != 0 || c["janitorsRunningAfterCollect"] != 0 {
			t.Errorf("close: %v, want 5 started and none left", c)
		}
		shot("forgot-close")
	})
	t.Run("bad link", func(t *testing.T) {
		ready(t, b, "?lesson=ttl&variant=%3Cb%3Emedium")
		b.waitFor(t, "the lesson's error", `!document.getElementById("lesson-errors").hidden`)
		msg := eval[string](t, b, `document.getElementById("lesson-errors").textContent`)
		if !strings.Contains(msg, `variant must be one of "short", "long" for the lesson "ttl" (got "<b>medium")`) {
			t.Errorf("a bad variant reads %q", msg)
		}
		noMarkup(t, b, "#lessons-panel")
	})
	b.noProblems(t)
}

// TestLessonsPhone reads each lesson at phone size, and runs one.
func TestLessonsPhone(t *testing.T) {
	b := newBrowser(t, 800, 900)
	ready(t, b, "")
	b.run(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	for _, id := range []string{"shared-cache", "ttl", "pool", "rwmutex", "stampede", "lost-update", "forgot-close"} {
		openLesson(t, b, id, "")
		if w := eval[float64](t, b, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s: the page is %v px wide on a 390 px phone", id, w)
		}
		b.screenshot(t, "lesson-phone-"+id)
	}
	openLesson(t, b, "lost-update", "get-then-set")
	r := lessonResult(t, b)
	if !(r["actual"] < r["expected"]) {
		t.Errorf("phone: %v", r)
	}
	b.run(t, chromedp.ScrollIntoView(chromedp.ID("lesson-result")))
	b.screenshot(t, "lesson-phone-lost-update-result")
	b.noProblems(t)
}

// TestLessonsAPI: a host loads a lesson by message, runs it, and gets one
// summary that carries the lesson's result; a bad lesson is refused with
// the field and the value.
func TestLessonsAPI(t *testing.T) {
	host := startHost(t)
	b := newBrowser(t, 1000, 800)
	b.run(t, chromedp.Navigate(host+"/host.html"))
	b.waitFor(t, "ready", `count("playground:ready") === 1`)
	ids := eval[[]string](t, b, `msgs.find((m) => m.type === "playground:ready").lessons`)
	if strings.Join(ids, " ") != "shared-cache ttl pool rwmutex stampede lost-update forgot-close interleave" {
		t.Errorf("ready lists the lessons %v", ids)
	}
	b.run(t, chromedp.Evaluate[chromedp.Void](`send({type: "playground:load", lesson: "nope"})`))
	b.waitFor(t, "the refusal", `count("playground:error") === 1`)
	if e := eval[string](t, b, `JSON.stringify(msgs.find((m) => m.type === "playground:error"))`); !strings.Contains(e, `"field":"lesson"`) || !strings.Contains(e, `(got \"nope\")`) {
		t.Errorf("a bad lesson is refused with %s", e)
	}
	b.run(t, chromedp.Evaluate[chromedp.Void](`send({type: "playground:load", lesson: "lost-update", variant: "update"})`))
	b.waitFor(t, "loaded", `count("playground:loaded") === 1`)
	if l := eval[string](t, b, `JSON.stringify(msgs.find((m) => m.type === "playground:loaded").lesson)`); l != `{"id":"lost-update","variant":"update"}` {
		t.Errorf("loaded %s", l)
	}
	b.run(t, chromedp.Evaluate[chromedp.Void](`send({type: "playground:run"})`))
	b.waitFor(t, "the summary", `count("playground:summary") === 1`)
	sum := `msgs.find((m) => m.type === "playground:summary")`
	checkSummary(t, b, sum)
	got := eval[map[string]any](t, b, sum+`.lesson`)
	res, _ := got["result"].(map[string]any)
	if got["id"] != "lost-update" || got["variant"] != "update" || res["expected"] != res["actual"] || res["expected"] == 0.0 {
		t.Errorf("summary's lesson %v", got)
	}
	b.noProblems(t)
}

// TestLessonStampedeOnStaticHost: the bundle on a plain static server (no
// serve.go, so no /origin): the stampede reads the static files shipped
// with the page and says so; with those files gone (a dead origin), its
// loads fail as errors, and nothing is cached.
func TestLessonStampedeOnStaticHost(t *testing.T) {
	needBrowser(t)
	dir := bundle(t)
	const prefix = "/course/pg/"
	var dead atomic.Bool
	mux := http.NewServeMux()
	files := http.StripPrefix(prefix, http.FileServer(http.Dir(dir)))
	mux.HandleFunc(prefix, func(w http.ResponseWriter, r *http.Request) {
		if dead.Load() && strings.HasPrefix(r.URL.Path, prefix+"origin/") {
			http.Error(w, "gone", http.StatusNotFound)
			return
		}
		files.ServeHTTP(w, r)
	})
	static := httptest.NewServer(mux)
	defer static.Close()

	b := newBrowser(t, 1280, 900)
	b.run(t, chromedp.Navigate(static.URL+prefix+"?lesson=stampede&variant=get-or-load"))
	b.waitFor(t, "the lesson panel", `window.playground && playground.lessons && playground.lessons.loaded`)
	r := lessonResult(t, b)
	if r["originRequests"] != r["keys"] {
		t.Errorf("result %v: want one request per key", r)
	}
	if o := eval[string](t, b, `document.getElementById("lesson-result").textContent`); !strings.Contains(o, "static files origin/KEY.json") {
		t.Errorf("the result does not say it used the static files: %q", o)
	}
	dead.Store(true)
	b.run(t, chromedp.Click(chromedp.ID("lesson-run")))
	b.waitFor(t, "the failed lesson", `!playground.lessons.running && document.getElementById("lesson-origin-error") !== null`)
	if msg := eval[string](t, b, `document.getElementById("lesson-origin-error").textContent`); !strings.Contains(msg, "HTTP 404") || !strings.Contains(msg, "nothing was cached") {
		t.Errorf("a dead origin reads %q", msg)
	}
	if hits := eval[float64](t, b, `playground.snapshot.hits`); hits != 0 {
		t.Errorf("%v hits with a dead origin: a failure was cached", hits)
	}
	b.screenshot(t, "lesson-stampede-dead-origin")
}

// TestLessonEmbedLink: a lesson linked in embed mode (?embed=1&lesson=...)
// shows its short text and its Run button, not the picker, and runs.
func TestLessonEmbedLink(t *testing.T) {
	b := newBrowser(t, 800, 600)
	openLesson(t, b, "lost-update", "update&embed=1")
	shown := func(id string) bool {
		return eval[bool](t, b, fmt.Sprintf(`document.getElementById(%q).getClientRects().length > 0`, id))
	}
	if !shown("lesson-run") || !shown("lesson-brief-text") || shown("lesson-select") {
		t.Errorf("embed mode: Run shown %v, the text %v, the picker %v; want the first two only", shown("lesson-run"), shown("lesson-brief-text"), shown("lesson-select"))
	}
	if r := lessonResult(t, b); r["actual"] != r["expected"] || r["expected"] == 0 {
		t.Errorf("embedded update: %v", r)
	}
	b.screenshot(t, "lesson-embed")
	b.noProblems(t)
}
