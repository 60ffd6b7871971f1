// Package e2e tests the playground end to end: it builds the WebAssembly
// and the server, starts the real server on a free loopback port, and drives
// the page in real headless Chromium.
//
// Where Chromium is missing, the tests skip and say how to install it,
// except under CI=true, where a missing browser is a failure.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

var (
	chromiumPath string // empty: no browser, tests skip
	siteDir      string // the built page: a copy of web/ with `make build`'s outputs
	serverBin    string
	baseURL      string // the running server, ending in "/"
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	chromiumPath = findChromium()
	if chromiumPath == "" {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "e2e: Chromium is missing and CI=true: install it with `apt-get install chromium`")
			return 1
		}
		fmt.Fprintln(os.Stderr, "e2e: skipping the browser tests: Chromium is missing. Install it with `sudo apt-get install chromium` (Debian/Ubuntu) or set CHROMIUM to its path.")
		return m.Run() // every test skips through needBrowser
	}
	tmp, err := os.MkdirTemp("", "playground-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if err := buildSite(tmp); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build:", err)
		return 1
	}
	stop, url, err := startServer(siteDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: server:", err)
		return 1
	}
	baseURL = url
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: the server did not shut down cleanly:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// repoRoot is the repository's root folder, the parent of this package's.
func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Dir(wd)
}

// buildSite copies web/ (without what a local build left there) into
// tmp/web and builds the page into it with the Makefile's own recipe, `make
// build OUT=tmp/web`, on this test's toolchain (GO); then it builds the
// server. A fresh clone needs nothing else.
func buildSite(tmp string) error {
	root := repoRoot()
	siteDir = filepath.Join(tmp, "web")
	if err := os.CopyFS(siteDir, os.DirFS(filepath.Join(root, "web"))); err != nil {
		return err
	}
	for _, generated := range []string{"playground.wasm", "playground.wasm.gz", "wasm_exec.js", "_src"} {
		_ = os.RemoveAll(filepath.Join(siteDir, generated)) // a stale local build must not stand in
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	mk := exec.Command("make", "--no-print-directory", "-C", root, "build", "OUT="+siteDir, "GO="+goBin)
	if out, err := mk.CombinedOutput(); err != nil {
		return fmt.Errorf("make build: %v\n%s", err, out)
	}
	serverBin = filepath.Join(tmp, "playground-server")
	srv := exec.Command(goBin, "build", "-o", serverBin, ".")
	srv.Dir = root
	if out, err := srv.CombinedOutput(); err != nil {
		return fmt.Errorf("server: %v\n%s", err, out)
	}
	return nil
}

// startServer runs the real server on a free loopback port, serving dir,
// and returns its URL and a func that stops it with SIGINT and reports
// whether it shut down cleanly.
func startServer(dir string) (stop func() error, url string, err error) {
	cmd := exec.Command(serverBin, "-addr", "127.0.0.1:0", "-dir", dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, "", fmt.Errorf("no startup line; stderr: %s", logs.String())
	}
	first := lines.Text()
	i := strings.Index(first, "http://")
	if i < 0 {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, "", fmt.Errorf("startup line %q has no URL", first)
	}
	url = strings.Fields(first[i:])[0]
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	stop = func() error {
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			return err
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			return fmt.Errorf("still running 30 s after SIGINT")
		}
	}
	return stop, url, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// browser is one headless Chromium tab and what its console said.
type browser struct {
	ctx context.Context
	mu  sync.Mutex
	// problems are console errors, uncaught exceptions, error log entries
	// and anything that looks like a Go panic, in the order they came.
	problems []string
	console  []string
}

// needBrowser skips the test when there is no Chromium (never under
// CI=true: TestMain has already failed then).
func needBrowser(t *testing.T) {
	t.Helper()
	if chromiumPath == "" {
		t.Skip("Chromium is missing: install it with `sudo apt-get install chromium` to run the browser tests")
	}
}

// newBrowser starts headless Chromium with a fresh profile and a window of
// the given size, and collects its console.
func newBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	needBrowser(t)
	return startBrowser(t, width, height)
}

// startBrowser starts Chromium for a test or a benchmark.
func startBrowser(t testing.TB, width, height int) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil { // start the browser and its tab
		t.Fatalf("start Chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browser) onEvent(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *cdpruntime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			} else {
				parts = append(parts, a.Description)
			}
		}
		text := string(ev.Type) + ": " + strings.Join(parts, " ")
		b.console = append(b.console, text)
		if ev.Type == cdpruntime.ConsoleAPICalledTypeError || ev.Type == cdpruntime.ConsoleAPICalledTypeAssert || looksLikeGoCrash(text) {
			b.problems = append(b.problems, "console "+text)
		}
	case *cdpruntime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		b.problems = append(b.problems, "exception: "+msg)
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			b.problems = append(b.problems, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
		}
	}
}

// looksLikeGoCrash reports text that a dying Go program prints, which
// reaches the console through console.log, not console.error.
func looksLikeGoCrash(s string) bool {
	for _, w := range []string{"panic:", "fatal error:", "Go program has already exited", "goroutine 1 ["} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// Problems returns what went wrong in the console so far.
func (b *browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// Console returns every console message so far.
func (b *browser) Console() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// noProblems fails the test if the console had errors or a Go crash.
func (b *browser) noProblems(t testing.TB) {
	t.Helper()
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the console reported problems:\n  %s", strings.Join(p, "\n  "))
	}
}

// run runs actions with a bound on how long they may take (not a timing
// assertion: only a guard so that a broken page fails instead of hanging).
func (b *browser) run(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v\nconsole:\n  %s", err, strings.Join(b.Console(), "\n  "))
	}
}

// eval evaluates a JavaScript expression in the page and returns its value.
func eval[T any](t testing.TB, b *browser, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it is truthy.
func (b *browser) waitFor(t testing.TB, what, cond string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Minute)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(90*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("waiting for %s (%s): %v\npage: %s\nconsole:\n  %s", what, cond, err, b.diagnose(), strings.Join(b.Console(), "\n  "))
	}
}

// diagnose describes the playground's state, for a failure message.
func (b *browser) diagnose() string {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const p = window.playground;
		if (!p || !p.model) return "no playground";
		const m = p.model;
		return JSON.stringify({
			state: m.state, events: m.events, sceneMs: m.now, batches: p.batches,
			visible: [...(p.visible || [])], scrollY, hidden: document.hidden,
			holders: [...m.holders.keys()], waiters: m.waiters.map((w) => w.lane),
			lockView: document.getElementById("lock-view")?.dataset.state, snapshot: p.snapshot,
		});
	})()`))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return s
}

// screenshot saves a PNG of the whole page when E2E_SCREENSHOTS names a folder.
func (b *browser) screenshot(t testing.TB, name string) {
	t.Helper()
	b.capture(t, name, chromedp.FullScreenshot(100))
}

// viewShot saves a PNG of what the screen shows, without scrolling, when
// E2E_SCREENSHOTS names a folder: the first screen, where screenshot takes
// the whole page.
func (b *browser) viewShot(t testing.TB, name string) {
	t.Helper()
	b.capture(t, name, chromedp.CaptureScreenshot())
}

func (b *browser) capture(t testing.TB, name string, shot chromedp.Action[[]byte]) {
	t.Helper()
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	savePNG(t, dir, name, png)
}

// emulateMedia makes the page see these media features, such as
// prefers-color-scheme: dark.
func emulateMedia(t testing.TB, b *browser, features ...*emulation.MediaFeature) {
	t.Helper()
	b.run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: features})
		return err
	}))
}

// savePNG writes a screenshot as dir/name.png.
func savePNG(t testing.TB, dir, name string, png []byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Error(err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

// noMarkup fails the test if a link's "<b>" value became an element inside
// the part of the page that shows its error: what a link says reaches the
// page as text, never as markup.
func noMarkup(t testing.TB, b *browser, within string) {
	t.Helper()
	if eval[int](t, b, fmt.Sprintf(`document.querySelectorAll(%q).length`, within+" b")) != 0 {
		t.Errorf("a link's value reached %s as markup", within)
	}
}
