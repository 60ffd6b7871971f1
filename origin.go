package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The HTTP origin that the stampede lesson's loader fetches from, inside
// the WebAssembly (issue 12): GET /origin/KEY?latency=MS&fail=P answers the
// key's value as JSON after MS milliseconds (at most maxOriginLatency),
// and fails the share P of requests (0 to 1) with a 503; GET /origin/stats
// answers {"requests": N}, the key requests since start or the last POST
// /origin/reset. -origin=false turns it off.
//
// It keeps no state per key (a key's value is made from the key), so its
// memory is one counter whatever the keys; and at most maxOriginWaiting
// requests may wait out their latency at once, so slow requests cannot pile
// up goroutines and timers without bound.
const (
	originPrefix     = "/origin/"
	maxOriginLatency = 5 * time.Second
	maxOriginWaiting = 256
)

// originKey is the short safe pattern a key must match.
var originKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

type origin struct {
	waiting chan struct{} // a slot per request waiting out its latency

	mu       sync.Mutex
	requests int64
	failDebt float64 // the share of failures owed so far
}

func newOrigin() *origin {
	return &origin{waiting: make(chan struct{}, maxOriginWaiting)}
}

// originValue is a key's answer.
type originValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store") // a loader's request must reach the origin
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Content-Type-Options", "nosniff")
	name := strings.TrimPrefix(r.URL.Path, originPrefix)
	switch {
	case name == "reset":
		if r.Method != http.MethodPost {
			originError(w, http.StatusMethodNotAllowed, "POST", "/origin/reset takes POST")
			return
		}
		o.mu.Lock()
		o.requests, o.failDebt = 0, 0
		o.mu.Unlock()
		originJSON(w, http.StatusOK, map[string]int64{"requests": 0})
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		originError(w, http.StatusMethodNotAllowed, "GET, HEAD", fmt.Sprintf("%s takes GET", originPrefix+"KEY"))
	case name == "stats":
		o.mu.Lock()
		n := o.requests
		o.mu.Unlock()
		originJSON(w, http.StatusOK, map[string]int64{"requests": n})
	default:
		o.serveKey(w, r, name)
	}
}

// serveKey checks the key and the query in one place, counts the request,
// waits the latency (or until the client gives up) and answers.
func (o *origin) serveKey(w http.ResponseWriter, r *http.Request, key string) {
	if !originKey.MatchString(key) {
		originError(w, http.StatusBadRequest, "", fmt.Sprintf("key %+q: want 1 to 64 letters, digits, _ or -", cut(key, 64)))
		return
	}
	latency, fail, err := originQuery(r.URL.RawQuery)
	if err != nil {
		originError(w, http.StatusBadRequest, "", err.Error())
		return
	}
	select {
	case o.waiting <- struct{}{}:
		defer func() { <-o.waiting }()
	default:
		originError(w, http.StatusServiceUnavailable, "", fmt.Sprintf("the origin has %d requests waiting already", maxOriginWaiting))
		return
	}
	o.mu.Lock()
	o.requests++
	o.failDebt += fail
	failed := o.failDebt >= 1
	if failed {
		o.failDebt--
	}
	o.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	if failed {
		originError(w, http.StatusServiceUnavailable, "", fmt.Sprintf("failed on purpose (fail=%v)", fail))
		return
	}
	originJSON(w, http.StatusOK, originValue{Key: key, Value: "value of " + key})
}

// originQuery reads latency (whole milliseconds, 0 to 5000) and fail (a
// share from 0 to 1); any other field, or one given twice, is refused.
func originQuery(raw string) (latency time.Duration, fail float64, err error) {
	seen := map[string]bool{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if seen[k] {
			return 0, 0, fmt.Errorf("%+q given twice", cut(k, 32))
		}
		seen[k] = true
		switch k {
		case "latency":
			ms, err := strconv.Atoi(v)
			if err != nil || ms < 0 || ms > int(maxOriginLatency/time.Millisecond) || strings.HasPrefix(v, "+") {
				return 0, 0, fmt.Errorf("latency %+q: want whole milliseconds from 0 to %d", cut(v, 32), maxOriginLatency/time.Millisecond)
			}
			latency = time.Duration(ms) * time.Millisecond
		case "fail":
			p, err := strconv.ParseFloat(v, 64)
			if err != nil || !(p >= 0 && p <= 1) || strings.ContainsAny(v, "xXpPnN_+") {
				return 0, 0, fmt.Errorf("fail %+q: want a share from 0 to 1, such as 0.25", cut(v, 32))
			}
			fail = p
		default:
			return 0, 0, fmt.Errorf("unknown field %+q: the fields are latency and fail", cut(k, 32))
		}
	}
	return latency, fail, nil
}

func originJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func originError(w http.ResponseWriter, status int, allow, msg string) {
	if allow != "" {
		w.Header().Set("Allow", allow)
	}
	originJSON(w, status, map[string]string{"error": msg})
}
