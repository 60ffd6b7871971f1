package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The stage tests: one layout for a desktop, an 800x600 frame on a course
// page, an 800x600 window and a phone. In each, Start and the timeline are
// in the first screen without scrolling, the settings fold by keyboard,
// nothing is wider than the screen, and the keyboard's order follows what
// the eye reads.

// surface is where a stage test looks: the page itself (ctx 0), or the
// playground framed by a host page on another origin, read through an
// isolated world of its frame (the DOM is shared; the page's JavaScript
// globals are not, and the test needs none).
type surface struct {
	b   *browser
	ctx cdpruntime.ExecutionContextID
}

// evalIn evaluates a JavaScript expression in the surface and returns its value.
func evalIn[T any](t testing.TB, s surface, expr string) T {
	t.Helper()
	if s.ctx == 0 {
		return eval[T](t, s.b, expr)
	}
	ctx, cancel := context.WithTimeout(s.b.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise, func(p *cdpruntime.EvaluateParams) { p.ContextID = s.ctx }))
	if err != nil {
		t.Fatalf("evaluate in the frame %s: %v", expr, err)
	}
	return v
}

// waitIn waits until a JavaScript condition holds in the surface (polled
// in the page, so that it works in the frame's isolated world too).
func waitIn(t testing.TB, s surface, what, cond string) {
	t.Helper()
	ok := evalIn[bool](t, s, fmt.Sprintf(`new Promise((resolve) => {
		const end = performance.now() + 90000;
		const f = () => { if (%s) resolve(true); else if (performance.now() > end) resolve(false); else setTimeout(f, 50); };
		f();
	})`, cond))
	if !ok {
		t.Fatalf("waiting for %s (%s)\nconsole:\n  %s", what, cond, strings.Join(s.b.Console(), "\n  "))
	}
}

// frameSurface finds the host page's one frame and opens an isolated world in it.
func frameSurface(t testing.TB, b *browser) surface {
	t.Helper()
	var id cdpruntime.ExecutionContextID
	b.run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		tree, err := cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return err
		}
		if len(tree.FrameTree.ChildFrames) != 1 {
			return fmt.Errorf("the host page has %d frames, want 1", len(tree.FrameTree.ChildFrames))
		}
		w, err := cdp.Call(ctx, tg, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: tree.FrameTree.ChildFrames[0].Frame.ID, WorldName: "stage-test"})
		id = w.ExecutionContextID
		return err
	}))
	return surface{b: b, ctx: id}
}

// startStageHost serves, on a loopback port of its own (another origin),
// a course page that frames the playground in embed mode at 800x600, at its
// top left corner.
func startStageHost(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/stage.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang=en><head><meta charset=utf-8><title>course page</title><link rel=icon href="data:,"></head>
<body style="margin:0"><iframe src="%s?embed=1" title="Go shared-state playground" width="800" height="600" style="border:0;display:block"></iframe></body></html>`, baseURL)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// setScheme asks for a light or a dark colour scheme.
func setScheme(t testing.TB, b *browser, scheme string) {
	t.Helper()
	b.run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	}))
}

// firstScreenJS lists what of Start and the timeline's canvas lies outside
// the first screen (the page unscrolled), or "" when both are in it.
const firstScreenJS = `(() => {
	const vw = document.documentElement.clientWidth, vh = innerHeight, out = [];
	if (scrollY !== 0) out.push("the page is scrolled by " + scrollY);
	for (const id of ["scene-start", "timeline"]) {
		const r = document.getElementById(id).getBoundingClientRect();
		if (r.width === 0 || r.top < 0 || r.left < 0 || r.bottom > vh || r.right > vw)
			out.push("#" + id + " at " + [r.left, r.top, r.right, r.bottom].map(Math.round).join(",") + " in " + vw + "x" + vh);
	}
	return out.join("; ");
})()`

// clippedJS lists what is wider than its box: the page, or a part of the
// stage or a panel (panels paint only inside themselves, so an overflow
// there is hidden, not scrolled).
const clippedJS = `(() => {
	const out = [], de = document.documentElement;
	if (de.scrollWidth > de.clientWidth) out.push("the page: " + de.scrollWidth + " > " + de.clientWidth);
	for (const e of document.querySelectorAll(".stage > *, .panel, .settings-group")) {
		if (e.getClientRects().length === 0) continue;
		if (e.scrollWidth > e.clientWidth + 1) out.push((e.id || e.className) + ": " + e.scrollWidth + " > " + e.clientWidth);
	}
	return out;
})()`

// orderJS lists the places where the keyboard's order (the page's order
// of its focusable controls: no tabindex above 0 changes it) jumps back up
// the screen, in a one-column layout.
const orderJS = `(() => {
	const out = [];
	for (const e of document.querySelectorAll("[tabindex]")) if (e.tabIndex > 0) out.push("tabindex " + e.tabIndex + " on " + (e.id || e.tagName));
	const els = [...document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")]
		.filter((e) => e.tabIndex >= 0 && e.checkVisibility({visibilityProperty: true}));
	const name = (e) => e.id || e.textContent.trim().slice(0, 24) || e.tagName;
	for (let i = 1; i < els.length; i++) {
		const a = els[i - 1].getBoundingClientRect(), b = els[i].getBoundingClientRect();
		if (b.bottom <= a.top) out.push(name(els[i]) + " comes after " + name(els[i - 1]) + " but sits above it");
	}
	return out;
})()`

// TestStage: the stage at every size the page promises.
func TestStage(t *testing.T) {
	for _, c := range []struct {
		name   string
		w, h   int
		phone  bool
		framed bool
	}{
		{"1280x900", 1280, 900, false, false},
		{"iframe-800x600", 1000, 800, false, true},
		{"800x600", 800, 600, false, false},
		{"phone-390x844", 390, 844, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBrowser(t, max(c.w, 800), c.h)
			if c.phone {
				// A desktop window cannot be narrower than about 500 px: emulate the phone.
				b.run(t, chromedp.EmulateViewport(int64(c.w), int64(c.h), chromedp.EmulateMobile))
			}
			setScheme(t, b, "light")
			s := surface{b: b}
			if c.framed {
				b.run(t, chromedp.Navigate(startStageHost(t)+"/stage.html"))
				b.waitFor(t, "the frame", `document.querySelector("iframe").contentWindow !== null`)
				s = frameSurface(t, b)
			} else {
				b.run(t, chromedp.Navigate(baseURL))
			}
			waitIn(t, s, "the playground", `document.getElementById("playground") && !document.getElementById("playground").hidden && document.querySelector(".settings-group")`)
			if c.framed {
				if got := evalIn[string](t, s, `innerWidth + "x" + innerHeight + (document.documentElement.classList.contains("embed") ? " embed" : "")`); got != "800x600 embed" {
					t.Fatalf("the frame is %s, want 800x600 in embed mode", got)
				}
			}

			if out := evalIn[string](t, s, firstScreenJS); out != "" {
				t.Errorf("Start and the timeline are not both in the first screen: %s", out)
			}
			if out := evalIn[[]string](t, s, clippedJS); len(out) > 0 {
				t.Errorf("wider than their box: %s", strings.Join(out, "; "))
			}
			narrow := evalIn[bool](t, s, `!matchMedia("(min-width: 64rem)").matches`)
			if narrow {
				if out := evalIn[[]string](t, s, orderJS); len(out) > 0 {
					t.Errorf("the keyboard's order does not follow the screen's: %s", strings.Join(out, "; "))
				}
			}

			// A lesson's short text: nothing while empty; above the stage
			// when there is one, with Start and the timeline still in view.
			if evalIn[bool](t, s, `document.getElementById("lesson-brief").getClientRects().length > 0`) {
				t.Error("the empty #lesson-brief takes room")
			}
			evalIn[chromedp.Void](t, s, `document.getElementById("lesson-brief").textContent = "Five goroutines share one lock. Press Start and watch who waits for it: the timeline shows each one."`)
			if !evalIn[bool](t, s, `(() => { const r = document.getElementById("lesson-brief").getBoundingClientRect(); return r.height > 0 && r.bottom <= document.getElementById("scene-bar").getBoundingClientRect().top; })()`) {
				t.Error("#lesson-brief is not shown above the scene's controls")
			}
			if out := evalIn[string](t, s, firstScreenJS); out != "" {
				t.Errorf("with a lesson's text, Start and the timeline are not both in the first screen: %s", out)
			}
			evalIn[chromedp.Void](t, s, `document.getElementById("lesson-brief").textContent = ""`)

			// The places of the lessons panel (under the timeline, folded)
			// and of step mode (in the views' place, which it
			// takes when shown).
			if why := evalIn[string](t, s, `(() => {
				const lp = document.getElementById("lessons-panel"), sm = document.getElementById("step-mode"), views = document.querySelector(".views");
				const label = (e) => e.getAttribute("aria-label") || e.getAttribute("aria-labelledby");
				const top = (e) => Math.round(e.getBoundingClientRect().top), bottom = (e) => Math.round(e.getBoundingClientRect().bottom);
				const tl = document.getElementById("timeline-view");
				// Embedded, the lessons panel shows only once a lesson is
				// loaded, and the step mode only as the lesson in use, in
				// place of the whole stage (TestStepLayouts checks that).
				const embedded = document.documentElement.classList.contains("embed");
				// The lessons panel is shown (folded, one line); the step mode
				// only when it is the lesson in use.
				if (lp.hidden) return "the lessons panel is hidden";
				if (!sm.hidden) return "the step mode is shown";
				if (!label(lp) || !label(sm)) return "the lessons panel or the step mode has no label";
				if (views.getClientRects().length === 0) return "the views are not shown";
				if (!(embedded && lp.getClientRects().length === 0) && top(lp) < bottom(tl)) return "the lessons panel starts at " + top(lp) + ", above the timeline's bottom " + bottom(tl);
				if (embedded) return "";
				sm.hidden = false;
				const why = top(sm) < bottom(tl) ? "the step mode starts at " + top(sm) + ", above the timeline's bottom " + bottom(tl) :
					views.getClientRects().length !== 0 ? "the views are shown beside the step mode" : "";
				sm.hidden = true;
				return why || (views.getClientRects().length === 0 ? "the views stay hidden after the step mode" : "");
			})()`); why != "" {
				t.Errorf("the lessons panel (under the timeline, folded) and the step mode (in the views' place): %s", why)
			}

			// The settings' sections fold and unfold by keyboard, and the
			// focus shows.
			groups := evalIn[int](t, s, `document.querySelectorAll(".settings-group").length`)
			if groups < 3 {
				t.Fatalf("%d settings sections, want one per group", groups)
			}
			for i := range groups {
				sel := fmt.Sprintf(`document.querySelectorAll(".settings-group")[%d]`, i)
				evalIn[chromedp.Void](t, s, sel+`.scrollIntoView({block: "center"}); `+sel+`.querySelector("summary").focus()`)
				was := evalIn[bool](t, s, sel+`.open`)
				b.run(t, chromedp.KeyEvent(kb.Enter))
				if evalIn[bool](t, s, sel+`.open`) == was {
					t.Errorf("section %d: Enter did not fold or unfold it (open %v)", i, was)
				}
				if !evalIn[bool](t, s, `document.activeElement === `+sel+`.querySelector("summary") && document.activeElement.matches(":focus-visible") && getComputedStyle(document.activeElement).outlineStyle !== "none"`) {
					t.Errorf("section %d: its summary, used by keyboard, shows no focus", i)
				}
				b.run(t, chromedp.KeyEvent(" "))
				if evalIn[bool](t, s, sel+`.open`) != was {
					t.Errorf("section %d: Space did not turn it back (open %v)", i, was)
				}
			}
			if narrow {
				// Every section open: the longest the settings get.
				evalIn[chromedp.Void](t, s, `document.querySelectorAll(".settings-group").forEach((d) => d.open = true)`)
				if out := evalIn[[]string](t, s, clippedJS); len(out) > 0 {
					t.Errorf("with every section open, wider than their box: %s", strings.Join(out, "; "))
				}
				if out := evalIn[[]string](t, s, orderJS); len(out) > 0 {
					t.Errorf("with every section open, the keyboard's order does not follow the screen's: %s", strings.Join(out, "; "))
				}
				evalIn[chromedp.Void](t, s, `document.querySelectorAll(".settings-group").forEach((d) => d.open = false)`)
			}
			// A field to fix opens its folded section.
			if evalIn[bool](t, s, `document.querySelector(".settings-group[data-group=pool]").open`) {
				t.Error("the pool's section starts open")
			}
			evalIn[chromedp.Void](t, s, `document.getElementById("f-poolSize").value = "0"; document.getElementById("scene-start").click()`)
			waitIn(t, s, "the pool size's message", `!document.getElementById("f-poolSize-error").hidden`)
			if !evalIn[bool](t, s, `document.querySelector(".settings-group[data-group=pool]").open && document.getElementById("f-poolSize").checkVisibility()`) {
				t.Error("a bad pool size did not open the pool's section")
			}
			evalIn[chromedp.Void](t, s, `document.getElementById("f-poolSize").value = "2"; document.querySelector(".settings-group[data-group=pool]").open = false`)

			evalIn[chromedp.Void](t, s, `scrollTo(0, 0)`)
			b.screenshot(t, "stage-"+c.name+"-light-page")

			// A running scene: the timeline has taken its lanes, and Start
			// and the timeline are still in the first screen.
			evalIn[chromedp.Void](t, s, `document.getElementById("scene-start").click()`)
			waitIn(t, s, "the scene to run", `document.getElementById("scene-state").textContent === "Running"`)
			waitIn(t, s, "the timeline's lanes", `document.getElementById("timeline").style.height !== ""`)
			// Something drawn on the timeline (the frame's page keeps its
			// model to itself: look at the canvas's pixels).
			const inked = `((c) => { const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })(document.getElementById("timeline"))`
			at := evalIn[int](t, s, inked)
			waitIn(t, s, "the timeline drawn", inked+` > `+fmt.Sprint(at)+` + document.getElementById("timeline").width * document.getElementById("timeline").height / 20`)
			evalIn[chromedp.Void](t, s, `scrollTo(0, 0)`)
			if out := evalIn[string](t, s, firstScreenJS); out != "" {
				t.Errorf("while a scene runs, Start and the timeline are not both in the first screen: %s", out)
			}
			if out := evalIn[[]string](t, s, clippedJS); len(out) > 0 {
				t.Errorf("while a scene runs, wider than their box: %s", strings.Join(out, "; "))
			}
			b.viewShot(t, "stage-"+c.name+"-light")
			setScheme(t, b, "dark")
			if bg := evalIn[string](t, s, `getComputedStyle(document.documentElement).backgroundColor`); bg != "rgb(21, 24, 28)" {
				t.Errorf("dark background is %q", bg)
			}
			evalIn[bool](t, s, `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`) // two frames drawn dark
			b.viewShot(t, "stage-"+c.name+"-dark")
			b.screenshot(t, "stage-"+c.name+"-dark-page")
			evalIn[chromedp.Void](t, s, `document.getElementById("scene-stop").click()`)
			waitIn(t, s, "the scene to stop", `document.getElementById("scene-state").textContent.startsWith("Stopped")`)
			b.noProblems(t)
		})
	}
}
