package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testRoot makes a folder to serve, with a secret beside it that no request
// may reach.
func testRoot(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "web")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "withindex"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, ".git"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>t</title>"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "withindex", "index.html"), []byte("inner"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "sub", "a.txt"), []byte("a"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "playground.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "app.js"), []byte("export {}"), 0o644))
	must(os.WriteFile(filepath.Join(dir, ".env"), []byte("SECRET=1"), 0o644))
	must(os.WriteFile(filepath.Join(dir, ".git", "config"), []byte("secret"), 0o644))
	must(os.WriteFile(filepath.Join(base, "secret.txt"), []byte("secret"), 0o644))
	must(os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(dir, "escape.txt")))
	return dir
}

func TestHandler(t *testing.T) {
	dir := testRoot(t)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	h := newHandler(root, "*")

	tests := []struct {
		name, method, target string
		status               int
		ctype, body          string
	}{
		{"index", "GET", "/", 200, "text/html", "<!doctype html>"},
		{"wasm type", "GET", "/playground.wasm", 200, "application/wasm", "\x00asm"},
		{"js type", "GET", "/app.js", 200, "text/javascript", "export"},
		{"file in folder", "GET", "/sub/a.txt", 200, "text/plain", "a"},
		{"folder with index", "GET", "/withindex/", 200, "text/html", "inner"},
		{"head", "HEAD", "/app.js", 200, "text/javascript", ""},
		{"no listing", "GET", "/sub/", 404, "", ""},
		{"no listing without slash", "GET", "/sub", 404, "", ""},
		{"dotfile", "GET", "/.env", 404, "", ""},
		{"dot folder", "GET", "/.git/config", 404, "", ""},
		{"dot folder encoded", "GET", "/%2egit/config", 404, "", ""},
		{"traversal", "GET", "/../secret.txt", 404, "", ""},
		{"traversal encoded", "GET", "/%2e%2e/secret.txt", 404, "", ""},
		{"traversal backslash", "GET", "/..%5csecret.txt", 404, "", ""},
		{"symlink out of the folder", "GET", "/escape.txt", 404, "", ""},
		{"missing", "GET", "/nope.js", 404, "", ""},
		{"post", "POST", "/", 405, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "http://x"+tt.target, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Fatalf("%s %s: status %d, want %d (body %q)", tt.method, tt.target, res.StatusCode, tt.status, body)
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			csp := res.Header.Get("Content-Security-Policy")
			for _, want := range []string{"'wasm-unsafe-eval'", "frame-ancestors *", "default-src 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if tt.ctype != "" && !strings.HasPrefix(res.Header.Get("Content-Type"), tt.ctype) {
				t.Errorf("Content-Type = %q, want %q", res.Header.Get("Content-Type"), tt.ctype)
			}
			if strings.Contains(string(body), "secret") || strings.Contains(string(body), "SECRET") {
				t.Errorf("body leaks a secret: %q", body)
			}
			if tt.body != "" && !strings.HasPrefix(string(body), tt.body) {
				t.Errorf("body %q, want prefix %q", body, tt.body)
			}
		})
	}
}

func TestPrecompressed(t *testing.T) {
	dir := testRoot(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("\x00asm\x01\x00\x00\x00"))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "playground.wasm.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "playground.wasm.gz"), later, later); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	h := newHandler(root, "*")
	for _, tt := range []struct {
		accept string
		gzip   bool
	}{
		{"gzip, deflate, br", true},
		{"br;q=1.0, gzip;q=0.8", true},
		{"gzip;q=0", false},
		{"", false},
		{"identity", false},
	} {
		req := httptest.NewRequest("GET", "http://x/playground.wasm", nil)
		if tt.accept != "" {
			req.Header.Set("Accept-Encoding", tt.accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/wasm" {
			t.Fatalf("Accept-Encoding %q: %d %q", tt.accept, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if got := res.Header.Get("Content-Encoding") == "gzip"; got != tt.gzip {
			t.Errorf("Accept-Encoding %q: gzip = %v, want %v", tt.accept, got, tt.gzip)
		}
		if tt.gzip && !bytes.Equal(body, gz.Bytes()) {
			t.Errorf("Accept-Encoding %q: body is not the .gz", tt.accept)
		}
		if !tt.gzip && !bytes.HasPrefix(body, []byte("\x00asm")) {
			t.Errorf("Accept-Encoding %q: body %q", tt.accept, body)
		}
	}
	// A .gz older than the file it stands for is stale: not served.
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "playground.wasm.gz"), old, old); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "http://x/playground.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Result().Header.Get("Content-Encoding") != "" {
		t.Error("a stale .gz was served")
	}
}

func TestRunServesAndShutsDown(t *testing.T) {
	dir := testRoot(t)
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	logs := &syncWriter{b: new(strings.Builder)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-dir", dir}, outW, logs, nil)
		outW.Close()
	}()
	sc := bufio.NewScanner(outR)
	if !sc.Scan() {
		t.Fatalf("no startup line; err %v", <-done)
	}
	line := sc.Text()
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("startup line %q has no URL", line)
	}
	url := strings.Fields(line[i:])[0]
	res, err := http.Get(url + "playground.wasm")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/wasm" {
		t.Fatalf("GET wasm: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	cancel()
	go io.Copy(io.Discard, outR)
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if got := logs.String(); !strings.Contains(got, "GET /playground.wasm 200") {
		t.Errorf("request log %q lacks the request", got)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	dir := testRoot(t)
	for _, args := range [][]string{
		{"-dir", filepath.Join(dir, "missing")},
		{"-dir", filepath.Join(dir, "sub")}, // no index.html
		{"-dir", dir, "extra"},
		{"-dir", dir, "-frame-ancestors", "*; script-src *"},
		{"-nope"},
	} {
		err := run(context.Background(), args, io.Discard, io.Discard, nil)
		if err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}

// syncWriter lets the server's logger and the test share a builder safely.
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// server runs run with args on a free loopback port (unless args say
// otherwise) and returns its URL, its log, the interrupt channel and run's
// result.
type server struct {
	url  string
	logs *syncWriter
	sig  chan os.Signal
	done chan error
}

func startRun(t *testing.T, args ...string) *server {
	t.Helper()
	s := &server{logs: &syncWriter{b: new(strings.Builder)}, sig: make(chan os.Signal, 2), done: make(chan error, 1)}
	outR, outW := io.Pipe()
	go func() {
		s.done <- run(context.Background(), args, outW, s.logs, s.sig)
		outW.Close()
	}()
	sc := bufio.NewScanner(outR)
	if !sc.Scan() {
		t.Fatalf("no startup line; err %v; log %s", <-s.done, s.logs.String())
	}
	line := sc.Text()
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("startup line %q has no URL", line)
	}
	s.url = strings.Fields(line[i:])[0]
	go io.Copy(io.Discard, outR)
	t.Cleanup(func() {
		select {
		case s.sig <- os.Interrupt:
		default:
		}
	})
	return s
}

func TestFrameAncestorsChecked(t *testing.T) {
	dir := testRoot(t)
	for _, v := range []string{"*; script-src *", "'self'\x01", "https://évil.example", "a\u202eb", "", " ", "'self',*"} {
		var stderr strings.Builder
		err := run(context.Background(), []string{"-dir", dir, "-frame-ancestors", v}, io.Discard, &stderr, nil)
		if err == nil {
			t.Errorf("-frame-ancestors %q accepted", v)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "-frame-ancestors ") || strings.ContainsFunc(msg, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
			t.Errorf("-frame-ancestors %q: message %q should name the flag and show the value escaped", v, msg)
		}
	}
	if err := checkFrameAncestors("'self' https://course.example"); err != nil {
		t.Error(err)
	}
}

func TestEveryInterfaceSaidSo(t *testing.T) {
	dir := testRoot(t)
	for _, addr := range []string{"", ":0", "0.0.0.0:0"} {
		s := startRun(t, "-addr", addr, "-dir", dir)
		if !strings.HasPrefix(s.url, "http://127.0.0.1:") {
			t.Errorf("-addr %q: URL %q, want one this machine can open", addr, s.url)
		}
		s.sig <- os.Interrupt
		if err := <-s.done; err != nil {
			t.Fatal(err)
		}
		if got := s.logs.String(); !strings.Contains(got, "every network interface") {
			t.Errorf("-addr %q: log %q does not say it listens on every interface", addr, got)
		}
	}
	s := startRun(t, "-addr", "127.0.0.1:0", "-dir", dir)
	s.sig <- os.Interrupt
	<-s.done
	if got := s.logs.String(); strings.Contains(got, "other machines") {
		t.Errorf("loopback: log %q warns", got)
	}
}

// bigFile adds a file to dir too big to sit in the socket buffers, so that
// a client that reads none of it keeps its download running.
func bigFile(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), make([]byte, 64<<20), 0o644); err != nil {
		t.Fatal(err)
	}
}

// stalledDownload starts a GET of big.bin and reads only its headers.
func stalledDownload(t *testing.T, url string) {
	t.Helper()
	res, err := http.Get(url + "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != 200 {
		t.Fatalf("GET big.bin: %d", res.StatusCode)
	}
}

// TestShutdownSaysWhatItCutOff: a download still running when the drain
// ends, or when a second interrupt comes, is cut off and named, and run
// returns nil: cutting it off is what was asked for.
func TestShutdownSaysWhatItCutOff(t *testing.T) {
	for _, tt := range []struct {
		drain      string
		interrupts int
		want       string
	}{
		{"50ms", 1, "the 50ms drain ended; cut off 1 request(s) still running: GET /big.bin from 127.0.0.1:"},
		{"1h", 2, "a second interrupt came; cut off 1 request(s) still running: GET /big.bin from 127.0.0.1:"},
	} {
		dir := testRoot(t)
		bigFile(t, dir)
		s := startRun(t, "-dir", dir, "-addr", "127.0.0.1:0", "-drain", tt.drain)
		stalledDownload(t, s.url)
		for range tt.interrupts {
			s.sig <- os.Interrupt // the second is taken by the drain the first began
		}
		if err := <-s.done; err != nil {
			t.Fatalf("-drain %s, %d interrupts: run: %v, want nil", tt.drain, tt.interrupts, err)
		}
		if got := s.logs.String(); !strings.Contains(got, tt.want) || strings.Contains(got, "deadline") {
			t.Errorf("-drain %s, %d interrupts: log %q does not say what was cut off", tt.drain, tt.interrupts, got)
		}
	}
}

func TestLongURLPage(t *testing.T) {
	s := startRun(t, "-dir", testRoot(t), "-addr", "127.0.0.1:0")
	long := "?scene=" + strings.Repeat("<b>x</b>", 100_000/8)
	res, err := http.Get(s.url + long)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestURITooLong || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("a 100,000-character URL: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(string(body), "This link is too long") || !strings.Contains(string(body), "100008 characters") {
		t.Errorf("page %q does not say what happened", body)
	}
	if strings.Contains(string(body), "<b>") || len(body) > 2000 {
		t.Errorf("page echoes the URL or is not short (%d bytes)", len(body))
	}
	// A normal link still works.
	if res, err := http.Get(s.url + "?tasks=3"); err != nil || res.StatusCode != 200 {
		t.Errorf("a short link: %v %v", res, err)
	}
}
