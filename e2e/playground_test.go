package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// ready opens the page (with an optional query) and waits for the
// playground's controls.
func ready(t *testing.T, b *browser, query string) {
	t.Helper()
	b.run(t, chromedp.Navigate(baseURL+query))
	b.waitFor(t, "the playground", `window.playground !== undefined && !document.getElementById("playground").hidden`)
}

func TestPlaygroundDefaultScene(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	ready(t, b, "")
	b.run(t, chromedp.Click(chromedp.ID("scene-start")))
	b.waitFor(t, "the scene to run", `document.getElementById("scene-state").textContent === "Running"`)
	b.waitFor(t, "a sweep that removes an expired entry", `[...document.querySelectorAll("[data-cache=sweeps] li")].some(li => /removed [1-9]/.test(li.textContent))`)
	b.screenshot(t, "playground-default")
	b.run(t, chromedp.Click(chromedp.ID("scene-stop")))
	b.waitFor(t, "the scene to stop", `document.getElementById("scene-state").textContent.startsWith("Stopped")`)
	b.noProblems(t)
	_ = strings.TrimSpace
}
