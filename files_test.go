package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// handlerFor serves dir with the default frame-ancestors.
func handlerFor(t *testing.T, dir string) http.Handler {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return newHandler(root, "*")
}

// do sends one request to h, with headers as name, value pairs.
func do(t *testing.T, h http.Handler, method, target string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, "http://x"+target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

func TestNonRegularFilesRefused(t *testing.T) {
	dir := testRoot(t)
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.js"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if err := os.Symlink("pipe.js", filepath.Join(dir, "to-pipe.js")); err != nil {
		t.Fatal(err)
	}
	h := handlerFor(t, dir)
	// Before the fix these requests blocked for good, opening the FIFO.
	for _, target := range []string{"/pipe.js", "/to-pipe.js"} {
		if res, _ := do(t, h, "GET", target); res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", target, res.StatusCode)
		}
	}
}

func TestSymlinksJudgedByTarget(t *testing.T) {
	dir := testRoot(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(".env", filepath.Join(dir, "visible_env")))
	must(os.Symlink(".git", filepath.Join(dir, "git")))
	must(os.Symlink("../secret.txt", filepath.Join(dir, "up.txt")))
	must(os.Symlink("sub/../../secret.txt", filepath.Join(dir, "sub-up.txt")))
	must(os.Symlink("sub/a.txt", filepath.Join(dir, "inside.txt")))
	must(os.Symlink("loop", filepath.Join(dir, "loop")))
	h := handlerFor(t, dir)
	for _, target := range []string{"/visible_env", "/git/config", "/up.txt", "/sub-up.txt", "/loop"} {
		res, body := do(t, h, "GET", target)
		if res.StatusCode != 404 {
			t.Errorf("GET %s: %d %q, want 404", target, res.StatusCode, body)
		}
	}
	if res, body := do(t, h, "GET", "/inside.txt"); res.StatusCode != 200 || string(body) != "a" {
		t.Errorf("a link to a file inside the folder: %d %q", res.StatusCode, body)
	}
}

func TestFolderNamedLikeAFile(t *testing.T) {
	dir := testRoot(t)
	if err := os.Mkdir(filepath.Join(dir, "x.js"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.js", "index.html"), []byte("<p>hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := handlerFor(t, dir)
	res, body := do(t, h, "GET", "/x.js/")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("GET /x.js/: %d %q %q, want its index.html as HTML", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	res, _ = do(t, h, "GET", "/x.js?a=1")
	if res.StatusCode != 301 || res.Header.Get("Location") != "/x.js/?a=1" {
		t.Errorf("GET /x.js: %d Location %q, want a redirect to the folder", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestCrossOriginReadable(t *testing.T) {
	h := handlerFor(t, testRoot(t))
	for _, target := range []string{"/app.js", "/", "/nope"} {
		res, _ := do(t, h, "GET", target, "Origin", "https://course.example")
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("GET %s: Access-Control-Allow-Origin %q, want *", target, got)
		}
	}
}
