package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The embed tests play a course page: a host page on another origin (a
// second loopback server, so another port) frames the playground with
// ?embed=1 and drives it through the postMessage API, or through the
// <shared-state-playground> component.

// statNames are playground:summary's stats, the contract's names.
var statNames = []string{"sceneSeconds", "ops", "opsPerSecond", "hits", "misses", "hitRatio",
	"lockWaitMeanMs", "lockWaitP99Ms", "poolWaitMeanMs", "poolTimeouts", "sweeps", "expiredSwept", "entries"}

// hostScript records every message from the playground's frame in
// window.msgs, and gives send(msg) to post to it.
const hostScript = `<script>
window.msgs = [];
const frame = () => document.getElementById("pg");
addEventListener("message", (e) => {
  if (frame() && e.source === frame().contentWindow) msgs.push(e.data);
});
window.send = (m) => frame().contentWindow.postMessage(m, PLAYGROUND_ORIGIN);
window.count = (type) => msgs.filter((m) => m.type === type).length;
</script>`

// startHost serves the course pages on a loopback port of their own.
func startHost(t *testing.T) (host string) {
	t.Helper()
	pg, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	pgOrigin := pg.Scheme + "://" + pg.Host
	var origin string
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<!doctype html><html lang=en><head><meta charset=utf-8><title>course page</title><link rel=icon href='data:,'></head><body>%s%s</body></html>",
				strings.ReplaceAll(hostScript, "PLAYGROUND_ORIGIN", fmt.Sprintf("%q", pgOrigin)), body)
		}
	}
	// The host frames the playground, and a sibling frame of its own origin
	// that posts to the playground: a frame that is not its parent.
	mux.HandleFunc("/host.html", func(w http.ResponseWriter, r *http.Request) {
		src := baseURL + "?embed=1&parent=" + url.QueryEscape(origin) + "&tasks=4&speed=10&thinkMs=5&workMs=1"
		page(fmt.Sprintf(`<h1>A course page</h1><iframe id="pg" src="%s" title="Go shared-state playground" width="800" height="600" allow="clipboard-write" style="border:1px solid #888"></iframe><iframe id="sibling" src="/sibling.html" title="another frame" width="10" height="10"></iframe>`, src))(w, r)
	})
	mux.HandleFunc("/sibling.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>sibling</title><link rel=icon href="data:,"><script>
window.attack = () => {
  const pg = parent.document.getElementById("pg").contentWindow;
  pg.postMessage({type: "playground:start"}, "*");
  pg.postMessage({type: "playground:load", scene: {tasks: 1}}, "*");
};</script>`)
	})
	// The component, loaded from the playground's origin as a course page
	// would; its src is left out, so it comes from import.meta.url.
	mux.HandleFunc("/component.html", page(fmt.Sprintf(`<h1>A course page</h1>
<script type="module" src="%sembed.js"></script>
<shared-state-playground id="comp" scene="tasks=3&amp;speed=10&amp;thinkMs=5&amp;workMs=1"></shared-state-playground>
<script>
window.events = [];
const comp = document.getElementById("comp");
for (const name of ["ready", "state", "summary", "error"]) comp.addEventListener(name, (e) => events.push({name, detail: e.detail}));
</script>`, baseURL)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	origin = srv.URL
	if origin == pgOrigin {
		t.Fatal("the host must be on another origin than the playground")
	}
	return srv.URL
}

// checkSummary checks a summary's stats: exactly the contract's names, all
// numbers, with some operations done.
func checkSummary(t *testing.T, b *browser, expr string) {
	t.Helper()
	keys := eval[[]string](t, b, `Object.keys(`+expr+`.stats)`)
	if !slices.Equal(keys, statNames) {
		t.Errorf("summary stats %v, want %v", keys, statNames)
	}
	if !eval[bool](t, b, `Object.values(`+expr+`.stats).every((v) => typeof v === "number" && Number.isFinite(v))`) {
		t.Errorf("summary stats are not all numbers: %s", eval[string](t, b, `JSON.stringify(`+expr+`)`))
	}
	if ops := eval[float64](t, b, expr+`.stats.ops`); ops <= 0 {
		t.Errorf("summary ops = %v, want > 0", ops)
	}
}

// TestEmbedHostAPI: a host on another origin gets ready, loads a scene,
// runs it and gets its summary; hostile messages are refused (or, from a
// frame that is not the parent, ignored), change nothing, and the page keeps
// working.
func TestEmbedHostAPI(t *testing.T) {
	b := newBrowser(t, 1000, 760)
	host := startHost(t)
	b.run(t, chromedp.Navigate(host+"/host.html"))
	b.waitFor(t, "playground:ready", `msgs.some((m) => m.type === "playground:ready")`)
	if v := eval[float64](t, b, `msgs.find((m) => m.type === "playground:ready").version`); v != 1 {
		t.Errorf("ready version %v", v)
	}
	if n := eval[float64](t, b, `msgs.find((m) => m.type === "playground:ready").scene.tasks`); n != 4 {
		t.Errorf("ready scene tasks %v, want the link's 4", n)
	}
	b.waitFor(t, "playground:state idle", `msgs.some((m) => m.type === "playground:state" && m.state === "idle")`)
	b.waitFor(t, "playground:resize", `msgs.some((m) => m.type === "playground:resize" && m.height > 0)`)
	b.screenshot(t, "embed-iframe-800x600")

	b.run(t, chromedp.Evaluate[chromedp.Void](`send({type: "playground:load", scene: {tasks: 6, speed: 10, thinkMs: 5, workMs: 1, mix: {get: 3, set: 1, delete: 0, getOrLoad: 0, pool: 1}}})`))
	b.waitFor(t, "playground:loaded", `count("playground:loaded") === 1`)
	if got := eval[string](t, b, `(() => { const s = msgs.find((m) => m.type === "playground:loaded").scene; return s.tasks + " " + s.locking + " " + s.mix.pool; })()`); got != "6 mutex 1" {
		t.Errorf("loaded scene: %q, want the full scene (6 tasks, the default locking, the given mix)", got)
	}
	b.run(t, chromedp.Evaluate[chromedp.Void](`send({type: "playground:run", seconds: 2})`))
	b.waitFor(t, "the run's summary", `count("playground:summary") === 1`)
	checkSummary(t, b, `msgs.find((m) => m.type === "playground:summary")`)
	if s := eval[float64](t, b, `msgs.find((m) => m.type === "playground:summary").stats.sceneSeconds`); s < 2 {
		t.Errorf("summary sceneSeconds %v, want at least the 2 asked for", s)
	}
	if n := eval[float64](t, b, `msgs.find((m) => m.type === "playground:summary").scene.tasks`); n != 6 {
		t.Errorf("summary scene tasks %v, want 6", n)
	}
	states := eval[[]string](t, b, `msgs.filter((m) => m.type === "playground:state").map((m) => m.state)`)
	if !slices.Equal(states, []string{"idle", "running", "stopped"}) {
		t.Errorf("states %v, want idle, running, stopped", states)
	}

	// Hostile messages: every one is refused with a playground:error.
	hostile := `[
		"playground:start", 42, null, [{type: "playground:start"}],
		{type: 7}, {type: "playground:explode"}, {type: "playground:ready", version: 1},
		{type: "playground:run", seconds: NaN}, {type: "playground:run", seconds: 1e9}, {type: "playground:run", seconds: "2"},
		{type: "playground:load", scene: {tasks: NaN}},
		{type: "playground:load", scene: {tasks: 5000}},
		{type: "playground:load", scene: {locking: "<img src=x onerror=\"parent.postMessage('pwned','*')\">"}},
		{type: "playground:load", scene: {tasks: "<b>many</b>"}},
		{type: "playground:load", scene: {locking: "x".repeat(100000)}},
		JSON.parse('{"type": "playground:load", "scene": {"__proto__": {"tasks": 2}}}'),
		{type: "playground:load", scene: "tasks=2"},
		{type: "playground:pause"}, {type: "playground:resume"}, {type: "playground:stop"},
	]`
	n := eval[int](t, b, `(() => { const h = `+hostile+`; window.hostileN = h.length; for (const m of h) send(m); return h.length; })()`)
	b.waitFor(t, "an error for every hostile message", fmt.Sprintf(`count("playground:error") === %d`, n))
	if f := eval[string](t, b, `msgs.filter((m) => m.type === "playground:error").map((m) => (m.errors || []).map((e) => e.field).join("+")).join(",")`); !strings.Contains(f, ",tasks,") || !strings.Contains(f, ",__proto__,") || !strings.Contains(f, "seconds") {
		t.Errorf("the errors' fields: %s", f)
	}
	if !eval[bool](t, b, `msgs.filter((m) => m.type === "playground:error").every((m) => typeof m.message === "string" && Array.isArray(m.errors) && "for" in m)`) {
		t.Errorf("an error lacks message, errors or for: %s", eval[string](t, b, `JSON.stringify(msgs.filter((m) => m.type === "playground:error"))`))
	}
	// A frame that is not the parent is ignored: no answer, no change.
	b.run(t, chromedp.Evaluate[chromedp.Void](`document.getElementById("sibling").contentWindow.attack()`))
	// Start, then a start while running: refused. The scene run is still
	// the loaded one (6 tasks): no refused load changed it.
	b.run(t, chromedp.Evaluate[chromedp.Void](`send({type: "playground:start"}); send({type: "playground:start"})`))
	b.waitFor(t, "the refused second start", fmt.Sprintf(`count("playground:error") === %d + 1`, n))
	if got := eval[string](t, b, `msgs.filter((m) => m.type === "playground:error").at(-1).for`); got != "playground:start" {
		t.Errorf("the last error is for %q, want playground:start", got)
	}
	b.run(t, chromedp.Evaluate[chromedp.Void](`send({type: "playground:stop"})`))
	b.waitFor(t, "the second summary", `count("playground:summary") === 2`)
	checkSummary(t, b, `msgs.filter((m) => m.type === "playground:summary")[1]`)
	if n := eval[float64](t, b, `msgs.filter((m) => m.type === "playground:summary")[1].scene.tasks`); n != 6 {
		t.Errorf("after the hostile messages the scene has %v tasks, want the loaded 6 (the sibling's load was not ignored?)", n)
	}
	if eval[bool](t, b, `msgs.includes("pwned") || count("playground:loaded") !== 1`) {
		t.Errorf("a hostile message took effect: %s", eval[string](t, b, `JSON.stringify(msgs.map((m) => m.type || m))`))
	}
	states = eval[[]string](t, b, `msgs.filter((m) => m.type === "playground:state").map((m) => m.state)`)
	if !slices.Equal(states, []string{"idle", "running", "stopped", "running", "stopped"}) {
		t.Errorf("states %v: the sibling's start must not have run a scene", states)
	}
	b.noProblems(t)
}

// TestEmbedComponent: <shared-state-playground>, loaded from the
// playground's origin, makes the frame, follows its height, runs a scene
// from its API and re-dispatches the messages as DOM events.
func TestEmbedComponent(t *testing.T) {
	b := newBrowser(t, 1000, 800)
	host := startHost(t)
	b.run(t, chromedp.Navigate(host+"/component.html"))
	b.waitFor(t, "embed.js to load from the playground's origin (a module script: it needs Access-Control-Allow-Origin)", `customElements.get("shared-state-playground") !== undefined`)
	b.waitFor(t, "the ready event", `events.some((e) => e.name === "ready" && e.detail.type === "playground:ready")`)
	if src := eval[string](t, b, `comp.querySelector("iframe").src`); !strings.HasPrefix(src, baseURL+"?embed=1&parent=") || !strings.Contains(src, "tasks=3") {
		t.Errorf("the frame's src %q: want the folder embed.js came from, embed mode, the parent and the scene", src)
	}
	if title := eval[string](t, b, `comp.querySelector("iframe").title`); title == "" {
		t.Error("the frame has no title")
	}
	b.waitFor(t, "the frame to take the page's height", `parseInt(comp.querySelector("iframe").style.height) > 600`)

	b.run(t, chromedp.Evaluate[chromedp.Void](`comp.run({tasks: 3, speed: 10, thinkMs: 5, workMs: 1}, 2).then((s) => window.summary = s, (e) => window.summary = "rejected: " + e.message)`))
	b.waitFor(t, "run's summary", `window.summary !== undefined`)
	if s := eval[string](t, b, `typeof summary === "string" ? summary : summary.type`); s != "playground:summary" {
		t.Fatalf("run resolved with %q", s)
	}
	checkSummary(t, b, `summary`)
	if !eval[bool](t, b, `events.some((e) => e.name === "summary" && e.detail.stats.ops > 0) && events.some((e) => e.name === "state" && e.detail.state === "running")`) {
		t.Errorf("no summary or state event: %s", eval[string](t, b, `JSON.stringify(events.map((e) => e.name))`))
	}

	// A bad scene: load rejects with the engine's field error, and an error
	// event says the same.
	field := eval[string](t, b, `comp.load({tasks: 5000}).then(() => "resolved", (e) => e.detail.errors[0].field + ": " + e.detail.errors[0].message)`)
	if !strings.HasPrefix(field, "tasks: ") || !strings.Contains(field, "5000") {
		t.Errorf("load of a bad scene: %q", field)
	}
	if !eval[bool](t, b, `events.some((e) => e.name === "error" && e.detail.for === "playground:load")`) {
		t.Error("no error event for the refused load")
	}
	// NaN seconds and markup are refused from the API too.
	if got := eval[string](t, b, `comp.run(null, NaN).then(() => "resolved", (e) => e.detail.errors[0].field)`); got != "seconds" {
		t.Errorf("run with NaN seconds: %q", got)
	}
	if got := eval[string](t, b, `comp.load({locking: "<img src=x>"}).then(() => "resolved", (e) => e.detail.errors[0].field)`); got != "locking" {
		t.Errorf("load with markup: %q", got)
	}
	// start, a refused start, stop with its summary: the page kept working.
	if got := eval[string](t, b, `comp.start().then((m) => m.state)`); got != "running" {
		t.Errorf("start: %q", got)
	}
	if got := eval[string](t, b, `comp.start().then(() => "resolved", (e) => e.detail.for)`); got != "playground:start" {
		t.Errorf("start while running: %q", got)
	}
	if ops := eval[float64](t, b, `comp.stop().then((s) => s.stats.ops)`); ops <= 0 {
		t.Errorf("stop's summary ops %v", ops)
	}
	b.screenshot(t, "embed-component")
	b.noProblems(t)
}

// TestEmbedMode: ?embed=1 hides the page's chrome and keeps the scene's
// controls and views, with a link out to the full page, in an 800x600
// frame's size and on a phone; "Copy embed code" falls back to a selected
// text and the keys to press where the clipboard is refused.
func TestEmbedMode(t *testing.T) {
	for _, size := range []struct {
		w, h  int
		phone bool
	}{{800, 600, false}, {390, 844, true}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			b := newBrowser(t, 800, 600)
			if size.phone {
				// A desktop window cannot be narrower than about 500 px: emulate the phone.
				b.run(t, chromedp.EmulateViewport(int64(size.w), int64(size.h), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
			}
			ready(t, b, "?embed=1&tasks=7")
			shown := func(id string) bool {
				return eval[bool](t, b, fmt.Sprintf(`(() => { const e = document.getElementById(%q); return !!e && e.getClientRects().length > 0; })()`, id))
			}
			for _, id := range []string{"pg-title", "compare-run"} {
				if shown(id) {
					t.Errorf("#%s is shown in embed mode", id)
				}
			}
			if eval[bool](t, b, `document.querySelector(".top h1").getClientRects().length > 0 || document.querySelector(".foot").getClientRects().length > 0`) {
				t.Error("the page's header or footer is shown in embed mode")
			}
			for _, id := range []string{"scene-start", "scene-stop", "timeline", "lock-view", "embed-full", "scene-embed"} {
				if !shown(id) {
					t.Errorf("#%s is not shown in embed mode", id)
				}
			}
			link := eval[string](t, b, `document.querySelector("#embed-full a").href`)
			if strings.Contains(link, "embed=") || !strings.HasPrefix(link, baseURL) || !strings.Contains(link, "tasks=7") {
				t.Errorf("the link out %q: want the full page with the scene", link)
			}
			if eval[float64](t, b, `document.documentElement.scrollWidth`) > float64(size.w) {
				t.Errorf("the page is wider than %d px", size.w)
			}
			b.screenshot(t, fmt.Sprintf("embed-mode-%dx%d", size.w, size.h))

			// The clipboard refused: the code is selected, and the page says
			// which keys copy it.
			b.run(t, chromedp.Evaluate[chromedp.Void](`navigator.clipboard.writeText = () => Promise.reject(new DOMException("denied", "NotAllowedError"))`),
				chromedp.ScrollIntoView(chromedp.ID("scene-embed")), chromedp.Click(chromedp.ID("scene-embed")))
			b.waitFor(t, "the fallback hint", `/Ctrl\+C/.test(document.getElementById("scene-embed-status").textContent)`)
			code := eval[string](t, b, `document.getElementById("scene-embed-out").value`)
			for _, want := range []string{`<iframe src="` + baseURL + `?embed=1&amp;`, `tasks=7`, `title="`, `loading="lazy"`, `allow="clipboard-write"`, `width="800" height="600"`, `<shared-state-playground scene="`, `embed.js"></script>`} {
				if !strings.Contains(code, want) {
					t.Errorf("the embed code lacks %s:\n%s", want, code)
				}
			}
			if !eval[bool](t, b, `(() => { const o = document.getElementById("scene-embed-out"); return document.activeElement === o && o.selectionStart === 0 && o.selectionEnd === o.value.length; })()`) {
				t.Error("the embed code is not selected")
			}
			b.screenshot(t, fmt.Sprintf("embed-copy-%dx%d", size.w, size.h))
			b.noProblems(t)
		})
	}
}

// TestEmbedExample: the example course page served beside the playground
// runs its scene through the component and shows the summary's numbers.
func TestEmbedExample(t *testing.T) {
	b := newBrowser(t, 1000, 800)
	b.run(t, chromedp.Navigate(baseURL+"embed-example.html"))
	b.waitFor(t, "the example's Run button", `!document.getElementById("run").disabled`)
	b.run(t, chromedp.Click(chromedp.ID("run")))
	b.waitFor(t, "the summary's numbers", `document.querySelectorAll("#stats tr").length === 13`)
	if ops := eval[float64](t, b, `Number([...document.querySelectorAll("#stats tr")].find((tr) => tr.firstChild.textContent === "ops").lastChild.textContent)`); ops <= 0 {
		t.Errorf("the example page shows %v ops", ops)
	}
	b.screenshot(t, "embed-example")
	b.noProblems(t)
}
