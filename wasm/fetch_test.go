//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hack-pad/safejs"
)

// nodeServer is an HTTP server on a free loopback port, in the Node process
// that runs these tests (go_js_wasm_exec), served by Go callbacks that never
// block: they answer at once, or keep the request for the test.
type nodeServer struct {
	url     string                 // "http://127.0.0.1:PORT"
	hung    chan struct{}          // a request to /hang has arrived
	aborted chan struct{}          // a kept request's connection closed before its answer
	srv     safejs.Value           // the http.Server
	funcs   []safejs.Func          // released at the end
	kept    []safejs.Value         // /hang's responses, unanswered
	bodies  map[string]serverReply // the answers by path
	closed  bool
}

type serverReply struct {
	status int
	body   []byte
}

func startNodeServer(t *testing.T) *nodeServer {
	t.Helper()
	req, err := safejs.Global().Get("require")
	if err != nil || req.IsUndefined() {
		t.Skip("no require: these tests need go_js_wasm_exec's Node")
	}
	httpMod, err := req.Invoke("http")
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	s := &nodeServer{
		hung:    make(chan struct{}, 16),
		aborted: make(chan struct{}, 16),
		bodies: map[string]serverReply{
			"/ok":      {200, []byte("hello from the origin")},
			"/missing": {404, []byte("no such key")},
			"/fail":    {503, []byte("origin down")},
			"/big":     {200, big},
		},
	}
	fn := func(f func(this safejs.Value, args []safejs.Value) any) safejs.Value {
		t.Helper()
		v, err := safejs.FuncOf(f)
		if err != nil {
			t.Fatal(err)
		}
		s.funcs = append(s.funcs, v)
		return v.Value()
	}
	onAbort := fn(func(safejs.Value, []safejs.Value) any {
		select {
		case s.aborted <- struct{}{}:
		default:
		}
		return nil
	})
	// cut drops a connection once what was written has gone out.
	var cutSock safejs.Value
	cut := fn(func(safejs.Value, []safejs.Value) any {
		_, _ = cutSock.Call("destroy")
		return nil
	})
	handler := fn(func(_ safejs.Value, args []safejs.Value) any {
		req, res := args[0], args[1]
		u, _ := req.Get("url")
		path, _ := u.String()
		if path == "/hang" {
			s.kept = append(s.kept, res)
			_, _ = res.Call("on", "close", onAbort)
			select {
			case s.hung <- struct{}{}:
			default:
			}
			return nil
		}
		if path == "/cut" { // headers and part of the body, then the connection drops
			cutSock, _ = req.Get("socket")
			_, _ = res.Call("writeHead", 200, map[string]any{"content-length": "1000"})
			_, _ = res.Call("write", "only a part", cut)
			return nil
		}
		r, ok := s.bodies[path]
		if !ok {
			r = serverReply{500, []byte("no such test path")}
		}
		_, _ = res.Call("writeHead", r.status, map[string]any{"content-type": "application/octet-stream"})
		buf := safejs.MustGetGlobal("Uint8Array")
		arr, _ := buf.New(len(r.body))
		_, _ = safejs.CopyBytesToJS(arr, r.body)
		_, _ = res.Call("end", arr)
		return nil
	})
	s.srv, err = httpMod.Call("createServer", handler)
	if err != nil {
		t.Fatal(err)
	}
	listening := make(chan struct{}, 1)
	if _, err := s.srv.Call("listen", 0, "127.0.0.1", fn(func(safejs.Value, []safejs.Value) any {
		listening <- struct{}{}
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	<-listening
	addr, err := s.srv.Call("address")
	if err != nil {
		t.Fatal(err)
	}
	port, _ := addr.Get("port")
	p, _ := port.Int()
	s.url = fmt.Sprintf("http://127.0.0.1:%d", p)
	t.Cleanup(s.close)
	return s
}

// close ends the kept requests and the server, and waits until it has
// closed before releasing the callbacks.
func (s *nodeServer) close() {
	if s.closed {
		return
	}
	s.closed = true
	closed := make(chan struct{}, 1)
	done, _ := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		closed <- struct{}{}
		return nil
	})
	defer done.Release()
	_, _ = s.srv.Call("closeAllConnections")
	if _, err := s.srv.Call("close", done.Value()); err == nil {
		<-closed
	}
	for _, f := range s.funcs {
		f.Release()
	}
}

func TestHTTPGetStatusAndBody(t *testing.T) {
	s := startNodeServer(t)
	ctx := context.Background()
	for _, c := range []struct {
		path   string
		status int
		text   string
	}{
		{"/ok", 200, "OK"},
		{"/missing", 404, "Not Found"},
		{"/fail", 503, "Service Unavailable"},
		{"/big", 200, "OK"},
	} {
		r, err := httpGet(ctx, s.url+c.path)
		if err != nil {
			t.Errorf("GET %s: %v", c.path, err)
			continue
		}
		if r.StatusCode != c.status || r.Status != c.text {
			t.Errorf("GET %s: status %d %q, want %d %q", c.path, r.StatusCode, r.Status, c.status, c.text)
		}
		if want := s.bodies[c.path].body; !bytes.Equal(r.Body, want) {
			t.Errorf("GET %s: a body of %d bytes, not the %d sent", c.path, len(r.Body), len(want))
		}
	}
}

func TestHTTPGetDataURL(t *testing.T) {
	body := []byte("a body\x00with every byte \xff\xfe")
	r, err := httpGet(context.Background(), "data:application/octet-stream;base64,"+base64.StdEncoding.EncodeToString(body))
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != 200 || !bytes.Equal(r.Body, body) {
		t.Fatalf("status %d, body %q; want 200 and %q", r.StatusCode, r.Body, body)
	}
}

// TestHTTPGetCancel: a request the origin never answers ends when its
// context does, with the context's error; the abort reaches the origin
// (its connection closes); and a context already ended sends nothing.
func TestHTTPGetCancel(t *testing.T) {
	s := startNodeServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		r   *httpResponse
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := httpGet(ctx, s.url+"/hang")
		done <- result{r, err}
	}()
	<-s.hung // the origin has the request
	cancel()
	res := <-done
	if !errors.Is(res.err, context.Canceled) || res.r != nil {
		t.Fatalf("a canceled GET returned %v, %v; want context.Canceled", res.r, res.err)
	}
	if !strings.Contains(res.err.Error(), "GET "+s.url+"/hang: context canceled") {
		t.Errorf("error %q", res.err)
	}
	<-s.aborted // the AbortController closed the request's connection

	cause := errors.New("the lesson was stopped")
	ctx, cancelCause := context.WithCancelCause(context.Background())
	cancelCause(cause)
	r, err := httpGet(ctx, s.url+"/ok")
	if !errors.Is(err, cause) || r != nil || !strings.Contains(err.Error(), "not sent") {
		t.Fatalf("GET with an ended context: %v, %v", r, err)
	}
	if len(s.hung) != 0 {
		t.Error("the origin got more requests than the test sent")
	}
}

// TestHTTPGetFailures: a request that cannot be made or answered is an
// error that names the URL and says why.
func TestHTTPGetFailures(t *testing.T) {
	s := startNodeServer(t)
	// A port where nothing listens: take one, and close it.
	free := startNodeServer(t)
	free.close()
	for _, c := range []struct {
		url  string
		want []string
	}{
		{free.url + "/x", []string{"GET " + free.url + "/x: ", "ECONNREFUSED"}},
		{s.url + "/cut", []string{"GET " + s.url + "/cut: reading the body: "}},
		{"http://[::1", []string{"GET http://[::1: "}},
		{free.url + "/" + strings.Repeat("x", 10000), []string{"GET " + free.url + "/xxx", fmt.Sprintf("… (%d bytes)", len(free.url)+10001), "ECONNREFUSED"}},
	} {
		r, err := httpGet(context.Background(), c.url)
		if err == nil {
			t.Errorf("GET %.40s: no error, status %d", c.url, r.StatusCode)
			continue
		}
		t.Logf("GET %.40s: %v", c.url, clip(err.Error(), 300))
		if len(err.Error()) > 500 {
			t.Errorf("GET %.40s: an error of %d bytes", c.url, len(err.Error()))
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("GET %.40s: error %q lacks %q", c.url, err, w)
			}
		}
		if errors.Is(err, context.Canceled) {
			t.Errorf("GET %.40s: %v is not a cancellation", c.url, err)
		}
	}
}
