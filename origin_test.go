package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func originDo(t *testing.T, o http.Handler, method, target string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	o.ServeHTTP(rec, httptest.NewRequest(method, "http://x"+target, nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s %s: %d, body %q is not JSON", method, target, rec.Code, rec.Body)
	}
	// JSON, never markup: json.Encoder writes < and > as \u003c and \u003e.
	if strings.ContainsAny(rec.Body.String(), "<>") || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("%s %s: %q %q", method, target, rec.Header().Get("Content-Type"), rec.Body)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("%s %s: Cache-Control %q", method, target, rec.Header().Get("Cache-Control"))
	}
	return rec.Code, body
}

func TestOriginValuesAndStats(t *testing.T) {
	o := newOrigin()
	code, body := originDo(t, o, "GET", "/origin/user-1")
	if code != 200 || body["key"] != "user-1" || body["value"] != "value of user-1" {
		t.Fatalf("GET /origin/user-1: %d %v", code, body)
	}
	originDo(t, o, "GET", "/origin/user-2?latency=0")
	if _, body := originDo(t, o, "GET", "/origin/stats"); body["requests"] != 2.0 {
		t.Errorf("stats %v, want 2 requests", body)
	}
	if code, _ := originDo(t, o, "GET", "/origin/reset"); code != 405 {
		t.Errorf("GET /origin/reset: %d, want 405", code)
	}
	if code, body := originDo(t, o, "POST", "/origin/reset"); code != 200 || body["requests"] != 0.0 {
		t.Errorf("POST /origin/reset: %d %v", code, body)
	}
	if _, body := originDo(t, o, "GET", "/origin/stats"); body["requests"] != 0.0 {
		t.Errorf("stats after reset %v", body)
	}
	if code, _ := originDo(t, o, "POST", "/origin/k"); code != 405 {
		t.Errorf("POST /origin/k: %d, want 405", code)
	}
}

func TestOriginRefusesBadInput(t *testing.T) {
	o := newOrigin()
	for _, tt := range []struct{ target, field string }{
		{"/origin/", "key"},
		{"/origin/a.b", "key"},
		{"/origin/%3Cb%3E", "key"},
		{"/origin/" + strings.Repeat("k", 65), "key"},
		{"/origin/a/b", "key"},
		{"/origin/k?latency=abc", "latency"},
		{"/origin/k?latency=-1", "latency"},
		{"/origin/k?latency=5001", "latency"},
		{"/origin/k?latency=1.5", "latency"},
		{"/origin/k?fail=2", "fail"},
		{"/origin/k?fail=NaN", "fail"},
		{"/origin/k?fail=-0.1", "fail"},
		{"/origin/k?latency=1&latency=2", "given twice"},
		{"/origin/k?lat=1", "unknown field"},
	} {
		code, body := originDo(t, o, "GET", tt.target)
		msg, _ := body["error"].(string)
		if code != 400 || !strings.Contains(msg, tt.field) {
			t.Errorf("GET %.80s: %d %q, want 400 naming %s", tt.target, code, msg, tt.field)
		}
	}
	if _, body := originDo(t, o, "GET", "/origin/stats"); body["requests"] != 0.0 {
		t.Errorf("refused requests were counted: %v", body)
	}
}

func TestOriginFailShare(t *testing.T) {
	o := newOrigin()
	failed := 0
	for range 8 {
		if code, _ := originDo(t, o, "GET", "/origin/k?fail=0.25"); code == 503 {
			failed++
		} else if code != 200 {
			t.Fatalf("status %d", code)
		}
	}
	if failed != 2 {
		t.Errorf("fail=0.25: %d of 8 failed, want 2", failed)
	}
	for range 3 {
		if code, _ := originDo(t, o, "GET", "/origin/k?fail=1"); code != 503 {
			t.Errorf("fail=1: %d", code)
		}
	}
	if _, body := originDo(t, o, "GET", "/origin/stats"); body["requests"] != 11.0 {
		t.Errorf("failed requests count too: %v", body)
	}
}

func TestOriginLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newOrigin()
		start := time.Now()
		code, _ := originDo(t, o, "GET", "/origin/k?latency=5000")
		if code != 200 || time.Since(start) != 5*time.Second {
			t.Errorf("latency=5000: %d after %v", code, time.Since(start))
		}
		// A client that gives up frees its place at once.
		ctx, cancel := context.WithCancel(t.Context())
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			o.ServeHTTP(rec, httptest.NewRequest("GET", "http://x/origin/k?latency=5000", nil).WithContext(ctx))
			close(done)
		}()
		synctest.Wait()
		cancel()
		<-done
		if len(o.waiting) != 0 {
			t.Errorf("%d requests still hold a place", len(o.waiting))
		}
	})
}

// Memory is bounded: past maxOriginWaiting requests waiting out their
// latency, the next is refused at once, not queued.
func TestOriginBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newOrigin()
		for range maxOriginWaiting {
			go o.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://x/origin/k?latency=1000", nil))
		}
		synctest.Wait()
		code, body := originDo(t, o, "GET", "/origin/k?latency=1000")
		if code != 503 || !strings.Contains(body["error"].(string), "waiting") {
			t.Errorf("one over the bound: %d %v", code, body)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if code, _ := originDo(t, o, "GET", "/origin/k"); code != 200 {
			t.Errorf("after the waits: %d", code)
		}
	})
}

func TestOriginFlag(t *testing.T) {
	dir := testRoot(t)
	for _, on := range []bool{true, false} {
		args := []string{"-dir", dir, "-addr", "127.0.0.1:0"}
		if !on {
			args = append(args, "-origin=false")
		}
		s := startRun(t, args...)
		res, err := http.Get(s.url + "origin/stats")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if on && (res.StatusCode != 200 || !strings.Contains(string(body), `"requests":0`)) {
			t.Errorf("origin on: %d %q", res.StatusCode, body)
		}
		if !on && res.StatusCode != 404 {
			t.Errorf("-origin=false: %d %q, want 404", res.StatusCode, body)
		}
		s.sig <- os.Interrupt
		if err := <-s.done; err != nil {
			t.Fatal(err)
		}
	}
}
