package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

var (
	bundleOnce sync.Once
	bundleDir  string
	bundleErr  error
)

// bundle runs the Makefile's bundle rule (what `make dist` does after
// building) on the site the harness built, once, and returns the folder.
// Without the brotli command it skips, except under CI=true.
func bundle(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("brotli"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the brotli command is missing and CI=true: apt-get install brotli")
		}
		t.Skip("the brotli command is missing: apt-get install brotli")
	}
	bundleOnce.Do(func() {
		bundleDir = filepath.Join(filepath.Dir(siteDir), "dist")
		cmd := exec.Command("make", "-s", "bundle", "SITE="+siteDir, "DIST="+bundleDir)
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			bundleErr = fmt.Errorf("make bundle: %v\n%s", err, out)
		}
	})
	if bundleErr != nil {
		t.Fatal(bundleErr)
	}
	return bundleDir
}

// TestDistOnStaticHost: the bundle, served by a plain static file server
// under a sub-path (no serve.go, no Go on the path of a request but the
// file server), runs a scene.
func TestDistOnStaticHost(t *testing.T) {
	needBrowser(t)
	dir := bundle(t)
	for _, name := range []string{"index.html", "playground.wasm", "playground.wasm.br", "playground.wasm.gz", "app.js.br", "wasm_exec.js.gz"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("dist lacks %s", name)
		}
	}
	const prefix = "/courses/go/playground/"
	mux := http.NewServeMux()
	mux.Handle(prefix, http.StripPrefix(prefix, http.FileServer(http.Dir(dir))))
	static := httptest.NewServer(mux)
	defer static.Close()

	b := newBrowser(t, 1280, 1000)
	b.run(t, chromedp.Navigate(static.URL+prefix+"?tasks=4&thinkMs=20&workMs=20"))
	b.waitFor(t, "the playground", `window.playground && playground.model !== undefined && !document.getElementById("playground").hidden`)
	start(t, b)
	waitBatches(t, b, 3)
	stop(t, b)
	if ops := eval[int](t, b, `playground.model.events`); ops == 0 {
		t.Errorf("the scene ran but the page counted no events")
	}
	b.noProblems(t)
}
