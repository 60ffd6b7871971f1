package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// precompressedRoot is testRoot with a .br and a .gz beside app.js (fake
// contents: the server does not look inside them), newer than it.
func precompressedRoot(t *testing.T) string {
	t.Helper()
	dir := testRoot(t)
	later := time.Now().Add(time.Hour)
	for name, body := range map[string]string{"app.js.br": "BROTLI-BYTES", "app.js.gz": "GZIP-BYTES"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, later, later); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestAcceptedQ(t *testing.T) {
	for _, tt := range []struct {
		header, coding string
		want           float64
	}{
		{"gzip", "gzip", 1},
		{"GZIP", "gzip", 1},
		{"gzip, deflate, br", "br", 1},
		{"br;q=1.0, gzip;q=0.8", "gzip", 0.8},
		{"gzip;q=0", "gzip", 0},
		{"gzip;Q=0", "gzip", 0},
		{"gzip;q=0.", "gzip", 0},
		{"gzip; q=0.000", "gzip", 0},
		{"gzip;q=abc", "gzip", 0},
		{"gzip;q=-1", "gzip", 0},
		{"gzip;q=1.5", "gzip", 0},
		{"gzip;q=0.0001", "gzip", 0},
		{"gzip;q=0.5", "gzip", 0.5},
		{"*", "br", 1},
		{"*;q=0.3, gzip;q=0", "gzip", 0},
		{"*;q=0.3, gzip;q=0", "br", 0.3},
		{"identity", "gzip", 0},
		{"", "gzip", 0},
		{"x-gzip", "gzip", 0},
	} {
		if got := acceptedQ(tt.header, tt.coding); got != tt.want {
			t.Errorf("acceptedQ(%q, %q) = %v, want %v", tt.header, tt.coding, got, tt.want)
		}
	}
}

func TestPrecompressedChoice(t *testing.T) {
	h := handlerFor(t, precompressedRoot(t))
	etags := map[string]string{}
	for _, tt := range []struct{ accept, coding, body string }{
		{"gzip, deflate, br, zstd", "br", "BROTLI-BYTES"},
		{"br;q=0.5, gzip", "gzip", "GZIP-BYTES"},
		{"br;q=0, gzip;q=0.1", "gzip", "GZIP-BYTES"},
		{"gzip;q=0, br;q=abc", "", "export {}"},
		{"gzip;Q=0", "", "export {}"},
		{"", "", "export {}"},
		{"identity", "", "export {}"},
	} {
		res, body := do(t, h, "GET", "/app.js", "Accept-Encoding", tt.accept)
		if res.StatusCode != 200 || string(body) != tt.body || res.Header.Get("Content-Encoding") != tt.coding {
			t.Errorf("Accept-Encoding %q: %d %q Content-Encoding %q, want %q %q", tt.accept, res.StatusCode, body, res.Header.Get("Content-Encoding"), tt.body, tt.coding)
		}
		if res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || res.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Content-Type %q Vary %q", tt.accept, res.Header.Get("Content-Type"), res.Header.Get("Vary"))
		}
		if res.Header.Get("Content-Length") != strconv.Itoa(len(body)) || res.Header.Get("Accept-Ranges") != "bytes" {
			t.Errorf("Accept-Encoding %q: Content-Length %q for %d bytes, Accept-Ranges %q", tt.accept, res.Header.Get("Content-Length"), len(body), res.Header.Get("Accept-Ranges"))
		}
		if res.Header.Get("ETag") == "" || res.Header.Get("Last-Modified") == "" {
			t.Errorf("Accept-Encoding %q: no validators", tt.accept)
		}
		etags[tt.coding] = res.Header.Get("ETag")
	}
	if len(etags) != 3 || etags["br"] == etags["gzip"] || etags["br"] == etags[""] || etags["gzip"] == etags[""] {
		t.Errorf("ETags per encoding %v: want three different ones", etags)
	}

	// A repeat visit revalidates: 304, no body, no Content-Encoding.
	res, body := do(t, h, "GET", "/app.js", "Accept-Encoding", "br", "If-None-Match", etags["br"])
	if res.StatusCode != 304 || len(body) != 0 || res.Header.Get("Content-Encoding") != "" || res.Header.Get("ETag") != etags["br"] {
		t.Errorf("revalidation: %d %q Content-Encoding %q ETag %q", res.StatusCode, body, res.Header.Get("Content-Encoding"), res.Header.Get("ETag"))
	}
	// The br validator does not stand for the plain bytes.
	if res, _ := do(t, h, "GET", "/app.js", "If-None-Match", etags["br"]); res.StatusCode != 200 {
		t.Errorf("the br ETag revalidated the plain file: %d", res.StatusCode)
	}
	// A failed precondition carries no Content-Encoding.
	res, _ = do(t, h, "GET", "/app.js", "Accept-Encoding", "gzip", "If-Match", `"other"`)
	if res.StatusCode != 412 || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("If-Match: %d Content-Encoding %q, want 412 without one", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	// A range of the encoded body is a range of the encoded bytes, said so.
	res, body = do(t, h, "GET", "/app.js", "Accept-Encoding", "gzip", "Range", "bytes=0-3")
	if res.StatusCode != 206 || string(body) != "GZIP" || res.Header.Get("Content-Encoding") != "gzip" ||
		res.Header.Get("Content-Range") != "bytes 0-3/10" || res.Header.Get("ETag") != etags["gzip"] {
		t.Errorf("Range on gzip: %d %q Content-Encoding %q Content-Range %q", res.StatusCode, body, res.Header.Get("Content-Encoding"), res.Header.Get("Content-Range"))
	}
	// If-Range with the plain ETag does not get a range of the gzip.
	res, body = do(t, h, "GET", "/app.js", "Accept-Encoding", "gzip", "Range", "bytes=0-3", "If-Range", etags[""])
	if res.StatusCode != 200 || string(body) != "GZIP-BYTES" {
		t.Errorf("If-Range with another encoding's ETag: %d %q, want the whole gzip", res.StatusCode, body)
	}
}

// brotli gives the copy the file's time without its fraction of a second:
// not stale.
func TestPrecompressedSameSecond(t *testing.T) {
	dir := precompressedRoot(t)
	at := time.Now().Truncate(time.Second).Add(700 * time.Millisecond)
	if err := os.Chtimes(filepath.Join(dir, "app.js"), at, at); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "app.js.br"), at.Truncate(time.Second), at.Truncate(time.Second)); err != nil {
		t.Fatal(err)
	}
	res, _ := do(t, handlerFor(t, dir), "GET", "/app.js", "Accept-Encoding", "br")
	if res.Header.Get("Content-Encoding") != "br" {
		t.Errorf("a .br stamped to the second: Content-Encoding %q, want br", res.Header.Get("Content-Encoding"))
	}
}

func TestStalePrecompressedIgnored(t *testing.T) {
	dir := precompressedRoot(t)
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "app.js.br"), old, old); err != nil {
		t.Fatal(err)
	}
	h := handlerFor(t, dir)
	res, body := do(t, h, "GET", "/app.js", "Accept-Encoding", "br, gzip")
	if res.Header.Get("Content-Encoding") != "gzip" || string(body) != "GZIP-BYTES" {
		t.Errorf("stale .br: got %q %q, want the gzip", res.Header.Get("Content-Encoding"), body)
	}
}
