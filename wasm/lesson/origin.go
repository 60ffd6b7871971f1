package lesson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// The stampede lesson's origin, over HTTP: serve.go's /origin/KEY when the
// page is served by it, else the static JSON files shipped with the page
// (origin/KEY.json), with the latency waited here. The HTTP client is
// injected (Get): in the browser, wasm's fetch client over the Fetch API;
// natively, net/http, in the tests against an httptest server.

// Get fetches url and returns its status and body; an error is a request
// that could not be made or answered. It must return once ctx ends.
type Get func(ctx context.Context, url string) (status int, body []byte, err error)

// OriginLatency is the latency the stampede lesson asks of its origin.
const OriginLatency = 300 * time.Millisecond

// originTimeout bounds one request: an origin that does not answer is a
// failed load, not a task that waits for ever.
const originTimeout = 10 * time.Second

// staticFresh numbers the requests for static files (see keyURL).
var staticFresh atomic.Int64

// HTTPOrigin is an engine.Origin over HTTP.
type HTTPOrigin struct {
	Base    *url.URL      // the page's folder: origin/KEY is resolved against it
	Static  bool          // read origin/KEY.json and wait Latency here
	Latency time.Duration // asked of serve.go (?latency=), or waited (Static)
	Fail    float64       // serve.go's ?fail=, the share of requests it fails (0..1); not with Static
	Fetch   Get
}

// Name says which origin this is, for the lesson's report.
func (o *HTTPOrigin) Name() string {
	if o.Static {
		return "the static files origin/KEY.json shipped with the page (latency waited in Go)"
	}
	return "serve.go's HTTP origin, " + o.Base.ResolveReference(&url.URL{Path: "origin/"}).String() + "KEY"
}

// keyURL is the address of key's value.
func (o *HTTPOrigin) keyURL(key string) string {
	if o.Static {
		// A query of its own per request, which a static host ignores,
		// so that the browser's HTTP cache never answers for the host:
		// every load is a request, as with serve.go's (no-store) origin.
		fresh := url.Values{"fresh": {strconv.FormatInt(staticFresh.Add(1), 10) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)}}
		return o.Base.ResolveReference(&url.URL{Path: "origin/" + url.PathEscape(key) + ".json", RawQuery: fresh.Encode()}).String()
	}
	q := url.Values{"latency": {strconv.Itoa(int(o.Latency / time.Millisecond))}}
	if o.Fail > 0 {
		q.Set("fail", strconv.FormatFloat(o.Fail, 'f', -1, 64))
	}
	return o.Base.ResolveReference(&url.URL{Path: "origin/" + url.PathEscape(key), RawQuery: q.Encode()}).String()
}

// Get fetches key's value: the "value" of the origin's JSON answer. An
// error status, a timeout, or a body that is not such JSON is an error
// that says which; the engine then stores nothing.
func (o *HTTPOrigin) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, originTimeout, fmt.Errorf("the origin did not answer within %v", originTimeout))
	defer cancel()
	u := o.keyURL(key)
	status, body, err := o.Fetch(ctx, u)
	if err != nil {
		if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
			return nil, fmt.Errorf("origin: %s: %w", key, c)
		}
		return nil, fmt.Errorf("origin: %s: %w", key, err)
	}
	var v struct {
		Key   string `json:"key"`
		Value string `json:"value"`
		Error string `json:"error"`
	}
	jerr := json.Unmarshal(body, &v)
	if status != 200 {
		msg := v.Error
		if jerr != nil || msg == "" {
			msg = "no explanation"
		}
		return nil, fmt.Errorf("origin: %s: HTTP %d (%s)", key, status, clipText(msg, 120))
	}
	if jerr != nil || v.Key != key || v.Value == "" {
		return nil, fmt.Errorf("origin: %s: the answer is not {\"key\": %q, \"value\": ...} (got %s)", key, key, quote(string(body)))
	}
	if o.Static && o.Latency > 0 {
		if err := sleep(ctx, o.Latency); err != nil {
			return nil, fmt.Errorf("origin: %s: %w", key, context.Cause(ctx))
		}
	}
	return []byte(v.Value), nil
}

func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// DetectOrigin returns the origin for a page at base: serve.go's if its
// /origin/stats answers {"requests": N}, else the static files. fail is
// serve.go's ?fail= (refused with the static files, which cannot fail on
// purpose).
func DetectOrigin(ctx context.Context, base *url.URL, get Get, fail float64) (*HTTPOrigin, error) {
	if !(fail >= 0 && fail <= 1) {
		return nil, fmt.Errorf("originFail must be a share from 0 to 1 (got %v)", fail)
	}
	o := &HTTPOrigin{Base: base, Latency: OriginLatency, Fail: fail, Fetch: get}
	ctx, cancel := context.WithTimeout(ctx, originTimeout)
	defer cancel()
	status, body, err := get(ctx, base.ResolveReference(&url.URL{Path: "origin/stats"}).String())
	var stats struct {
		Requests *int64 `json:"requests"`
	}
	if err != nil || status != 200 || json.Unmarshal(body, &stats) != nil || stats.Requests == nil {
		o.Static, o.Fail = true, 0
		if fail > 0 {
			return nil, fmt.Errorf("originFail needs serve.go's HTTP origin, and this page has only the static files")
		}
	}
	return o, nil
}
