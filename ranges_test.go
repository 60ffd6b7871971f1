package main

import (
	"strings"
	"testing"
)

func TestRanges(t *testing.T) {
	h := handlerFor(t, testRoot(t)) // app.js is "export {}", 9 bytes
	type want struct {
		rng    string
		status int
		body   string
	}
	for _, tt := range []want{
		{"bytes=0-1", 206, "ex"},
		{"bytes=-2", 206, "{}"},
		{"bytes=7-", 206, "{}"},
		{"bytes=0-100", 206, "export {}"},
		{"bytes=-0", 416, ""},
		{"bytes=3-1", 416, ""},
		{"bytes=a-b", 416, ""},
		{"bytes=1", 416, ""},
		{"bytes=", 416, ""},
		{"items=0-1", 416, ""},
		{"bytes=0-3,2-5", 416, ""},
		{"bytes=0-0," + strings.Repeat("1-1,", 4999), 416, ""},
		{"bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8", 416, ""},
		{"bytes=100-200", 416, ""},
	} {
		res, body := do(t, h, "GET", "/app.js", "Range", tt.rng)
		if res.StatusCode != tt.status || (tt.body != "" && string(body) != tt.body) {
			t.Errorf("Range %.40q: %d %q, want %d %q", tt.rng, res.StatusCode, body, tt.status, tt.body)
		}
		if tt.status == 416 && res.Header.Get("Content-Range") != "bytes */9" {
			t.Errorf("Range %.40q: Content-Range %q, want bytes */9", tt.rng, res.Header.Get("Content-Range"))
		}
	}
	// Two ranges that do not overlap: a multipart answer.
	res, _ := do(t, h, "GET", "/app.js", "Range", "bytes=0-1,4-5")
	if res.StatusCode != 206 || !strings.HasPrefix(res.Header.Get("Content-Type"), "multipart/byteranges") {
		t.Errorf("two ranges: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
