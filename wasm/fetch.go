//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
)

// httpGet fetches url with the browser's Fetch API and returns its status
// and whole body. A response with any status is a response, not an error,
// as with net/http: the caller decides what a 404 means. The errors are a
// request that could not be made or answered (the network, a bad URL, a
// body cut off), and ctx ending first, which aborts the request through an
// AbortController and returns an error that wraps context.Cause(ctx) (so
// errors.Is(err, context.Canceled) works).
//
// It blocks until the answer is in, so it must run on a goroutine of its
// own, never inside a callback from JavaScript (a binding's body, a
// promise's then): there the Go runtime cannot return to the event loop
// that would deliver the answer, and the whole instance deadlocks. The
// bindings' promise helper runs its function on a goroutine.
//
// Why not github.com/syumai/tinyutil/httputil, which the design names: the
// Go module proxy answers 403 Forbidden for that module (checked
// 2026-12-01), so it cannot be a dependency. Its httputil is a copy of the
// standard library's js/wasm RoundTripper over Fetch, and returns
// net/http's *http.Response, which links net/http's types into the page:
// measured 2026-12-01 on this program, its Get adds 2.2 MB to the wasm
// (0.63 MB gzip -9), this client 30 KB (9 KB gzip), and net/http's own
// client 7.0 MB (1.8 MB gzip). This is the little of it the playground
// needs, on safejs. Callers depend only on httpGet's signature, so switching, once
// the module is served, is this function's body and one import:
//
//	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
//	resp, err := httputil.DefaultClient.Do(req) // then io.ReadAll(resp.Body)
func httpGet(ctx context.Context, url string) (*httpResponse, error) {
	fail := func(what string, err error) error {
		return fmt.Errorf("GET %s: %s%w", clip(url, maxURLEcho), what, err)
	}
	if ctx.Err() != nil {
		return nil, fail("not sent: ", context.Cause(ctx))
	}
	var js jsSteps
	g := safejs.Global()
	ctl := js.new(js.get(g, "AbortController"))
	p := js.call(g, "fetch", url, map[string]any{"method": "GET", "signal": js.get(ctl, "signal")})
	if js.err != nil {
		return nil, fail("", js.err)
	}
	resp, err := settle(ctx, ctl, p)
	if err != nil {
		return nil, fail("", err)
	}
	r := &httpResponse{StatusCode: js.int(js.get(resp, "status")), Status: js.string(js.get(resp, "statusText"))}
	p = js.call(resp, "arrayBuffer")
	if js.err != nil {
		return nil, fail("", js.err)
	}
	buf, err := settle(ctx, ctl, p)
	if err != nil {
		return nil, fail("reading the body: ", err)
	}
	u8 := js.new(js.get(g, "Uint8Array"), buf)
	r.Body = make([]byte, js.int(js.get(u8, "length")))
	if js.err == nil {
		_, js.err = safejs.CopyBytesToGo(r.Body, u8)
	}
	if js.err != nil {
		return nil, fail("reading the body: ", js.err)
	}
	return r, nil
}

// jsSteps runs safejs calls one after another and keeps the first error:
// after it, every step does nothing and returns a zero value, so a run of
// steps needs one check at its end, as with bufio.Scanner.
type jsSteps struct{ err error }

func (s *jsSteps) get(v safejs.Value, name string) safejs.Value {
	if s.err != nil {
		return safejs.Undefined()
	}
	r, err := v.Get(name)
	s.err = err
	return r
}

func (s *jsSteps) call(v safejs.Value, method string, args ...any) safejs.Value {
	if s.err != nil {
		return safejs.Undefined()
	}
	r, err := v.Call(method, args...)
	s.err = err
	return r
}

func (s *jsSteps) new(ctor safejs.Value, args ...any) safejs.Value {
	if s.err != nil {
		return safejs.Undefined()
	}
	r, err := ctor.New(args...)
	s.err = err
	return r
}

func (s *jsSteps) int(v safejs.Value) int {
	if s.err != nil {
		return 0
	}
	n, err := v.Int()
	s.err = err
	return n
}

func (s *jsSteps) string(v safejs.Value) string {
	if s.err != nil {
		return ""
	}
	str, err := v.String()
	s.err = err
	return str
}

// httpResponse is what httpGet returns.
type httpResponse struct {
	StatusCode int    // 200, 404, ...
	Status     string // the status text, "Not Found"; "" over HTTP/2
	Body       []byte // the whole body
}

// maxURLEcho bounds how much of a URL an error repeats (a data: URL can be
// megabytes).
const maxURLEcho = 200

// settle waits for the promise p and returns what it resolved with, or an
// error with the reason it rejected. If ctx ends first, it aborts ctl,
// which rejects every promise of the request, and still waits for p to
// settle, so that its callbacks are released only once JavaScript can no
// longer call them; the error then wraps context.Cause(ctx).
func settle(ctx context.Context, ctl, p safejs.Value) (safejs.Value, error) {
	type outcome struct {
		v  safejs.Value
		ok bool
	}
	// Each callback runs at most once, and only one of them: the buffered
	// channel never blocks the callback.
	ch := make(chan outcome, 1)
	onOK, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- outcome{v: arg0(args), ok: true}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer onOK.Release()
	onErr, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- outcome{v: arg0(args)}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer onErr.Release()
	if _, err := p.Call("then", onOK.Value(), onErr.Value()); err != nil {
		return safejs.Undefined(), err
	}
	var o outcome
	select {
	case o = <-ch:
	case <-ctx.Done():
		_, _ = ctl.Call("abort")
		<-ch // an aborted request's promises reject at once
		return safejs.Undefined(), context.Cause(ctx)
	}
	if !o.ok {
		return safejs.Undefined(), errors.New(reason(o.v))
	}
	return o.v, nil
}

func arg0(args []safejs.Value) safejs.Value {
	if len(args) == 0 {
		return safejs.Undefined()
	}
	return args[0]
}

// reason is the text of a rejected fetch: the Error's message, and its
// cause's where there is one (Node says "fetch failed", and why in the
// cause: "connect ECONNREFUSED 127.0.0.1:1").
func reason(v safejs.Value) string {
	if t, ok := typeOf(v); !ok || t != safejs.TypeObject {
		return "rejected with " + describe(v)
	}
	text := func(v safejs.Value) string {
		m, err := v.Get("message")
		if err != nil {
			return ""
		}
		if t, ok := typeOf(m); !ok || t != safejs.TypeString {
			return ""
		}
		s, _ := m.String()
		return s
	}
	msg := text(v)
	if msg == "" {
		msg = "the request failed"
	}
	if cause, err := v.Get("cause"); err == nil {
		if t, ok := typeOf(cause); ok && t == safejs.TypeObject {
			if c := text(cause); c != "" {
				msg += ": " + c
			}
		}
	}
	return clip(msg, maxMessage/2)
}
