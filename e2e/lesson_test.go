package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestLessonScene opens the page, presses Run, and checks that the log shows
// the lesson's scene as it happens: inserts, reads, and cleanup sweeps.
func TestLessonScene(t *testing.T) {
	b := newBrowser(t, 1200, 900)
	b.run(t, chromedp.Navigate(baseURL))
	b.waitFor(t, "the Go runtime to be ready", `document.getElementById("status").dataset.state === "ready"`)
	if v := eval[string](t, b, `document.getElementById("go-version").textContent`); !strings.HasPrefix(v, "1.") {
		t.Errorf("Go version shown as %q", v)
	}
	b.run(t, chromedp.Click(chromedp.ID("lesson-run")))
	b.waitFor(t, "the scene to end", `document.getElementById("lesson-log").textContent.includes("Scene over")`)
	log := eval[string](t, b, `[...document.querySelectorAll("#lesson-log li")].map(li => li.textContent).join("\n")`)
	for _, want := range []string{
		"Cache: Inserted key0.", "Cache: Inserted key4.",
		"Got key0 = value0", "Got key4 = value4",
		"Cache: Running cleanup. Current size: 5",
		"has expired: Get returns nothing",
		"Current size: 0",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if eval[bool](t, b, `document.getElementById("lesson-run").disabled`) {
		t.Error("Run stays disabled after the scene")
	}
	b.screenshot(t, "lesson")
	b.noProblems(t)
}

// TestLessonStop stops a running scene from the page.
func TestLessonStop(t *testing.T) {
	b := newBrowser(t, 1200, 900)
	b.run(t, chromedp.Navigate(baseURL))
	b.waitFor(t, "the Go runtime to be ready", `document.getElementById("status").dataset.state === "ready"`)
	b.run(t, chromedp.Click(chromedp.ID("lesson-run")))
	b.waitFor(t, "a first insert", `document.getElementById("lesson-log").textContent.includes("Inserted")`)
	b.run(t, chromedp.Click(chromedp.ID("lesson-stop")))
	b.waitFor(t, "the scene to stop", `document.getElementById("lesson-log").textContent.includes("Stopped.")`)
	b.noProblems(t)
}

// TestMissingWasm serves a build without playground.wasm: the page must say
// so, and say what to do.
func TestMissingWasm(t *testing.T) {
	needBrowser(t)
	dir := filepath.Join(t.TempDir(), "web")
	if err := os.CopyFS(dir, os.DirFS(siteDir)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "playground.wasm")); err != nil {
		t.Fatal(err)
	}
	stop, url, err := startServer(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("server stop: %v", err)
		}
	}()
	b := newBrowser(t, 800, 600)
	b.run(t, chromedp.Navigate(url))
	b.waitFor(t, "the failure message", `!document.getElementById("failure").hidden`)
	msg := eval[string](t, b, `document.getElementById("failure").textContent`)
	for _, want := range []string{"playground.wasm could not be fetched (HTTP 404)", "make build"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message %q lacks %q", msg, want)
		}
	}
	if !eval[bool](t, b, `document.getElementById("lesson-run").disabled`) {
		t.Error("Run is enabled though nothing can run")
	}
}

// TestFileURL opens the page from a file:// URL, where browsers run no
// modules or workers: the page must say to serve it.
func TestFileURL(t *testing.T) {
	b := newBrowser(t, 800, 600)
	b.run(t, chromedp.Navigate("file://"+filepath.Join(siteDir, "index.html")))
	b.waitFor(t, "the failure message", `!document.getElementById("failure").hidden`)
	msg := eval[string](t, b, `document.getElementById("failure").textContent`)
	if !strings.Contains(msg, "make serve") || !strings.Contains(msg, "file://") {
		t.Errorf("failure message %q does not explain file:// and make serve", msg)
	}
	b.screenshot(t, "file-url")
}
