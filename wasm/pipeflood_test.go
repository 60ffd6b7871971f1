//go:build js && wasm

package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/gosharedstate/playground/wasm/engine"
)

var (
	benchObject     safejs.Value
	benchRegistered bool
)

// benchPG returns a playground object registered as for the benchmark
// (with pipeFlood), beside the page's own.
func benchPG(t *testing.T) safejs.Value {
	t.Helper()
	if !benchRegistered {
		v, err := newPlayground(safejs.Global(), true)
		if err != nil {
			t.Fatal(err)
		}
		benchObject, benchRegistered = v, true
	}
	return benchObject
}

// TestPipeFloodOnlyForTheBenchmark: the page's playground object has no
// pipeFlood, in its list or as a property; the benchmark's has both; and
// only a worker URL with bench=pipe asks for it.
func TestPipeFloodOnlyForTheBenchmark(t *testing.T) {
	for _, c := range []struct {
		name string
		p    safejs.Value
		want bool
	}{{"page", pg(t), false}, {"benchmark", benchPG(t), true}} {
		f, err := c.p.Get("pipeFlood")
		if err != nil {
			t.Fatal(err)
		}
		if got := !f.IsUndefined(); got != c.want {
			t.Errorf("%s: pipeFlood registered: %v, want %v", c.name, got, c.want)
		}
		if got := strings.Contains(bindingList(t, c.p), "pipeFlood"); got != c.want {
			t.Errorf("%s: pipeFlood listed in bindings: %v, want %v", c.name, got, c.want)
		}
	}
	g := safejs.Global()
	defer g.Delete("location")
	for search, want := range map[string]bool{
		"?bench=pipe": true, "bench=pipe": true, "?x=1&bench=pipe": true,
		"": false, "?bench=pip": false, "?bench": false, "?%zz": false,
	} {
		if err := g.Set("location", map[string]any{"search": search}); err != nil {
			t.Fatal(err)
		}
		if got := benchRequested(g); got != want {
			t.Errorf("worker URL query %q: benchmark bindings %v, want %v", search, got, want)
		}
	}
	for _, loc := range []any{nil, "x", 5, map[string]any{"search": 5}} {
		if err := g.Set("location", loc); err != nil {
			t.Fatal(err)
		}
		if benchRequested(g) {
			t.Errorf("location %v asked for the benchmark's bindings", loc)
		}
	}
}

func bindingList(t *testing.T, p safejs.Value) string {
	t.Helper()
	l, err := p.Get("bindings")
	if err != nil {
		t.Fatal(err)
	}
	j, err := safejs.Global().Get("JSON")
	if err != nil {
		t.Fatal(err)
	}
	s, err := j.Call("stringify", l)
	if err != nil {
		t.Fatal(err)
	}
	str, _ := s.String()
	return str
}

func TestPipeFlood(t *testing.T) {
	p := benchPG(t)
	v, err := p.Call("pipeFlood", -5)
	if err != nil {
		t.Fatal(err)
	}
	if msg := errorMessage(t, v); !strings.Contains(msg, "rate must be between 0 and 10000000") {
		t.Fatalf("bad rate: %q", msg)
	}
	callFlood(t, 100000)
	var seq []int32
	for len(seq) < 1000 {
		time.Sleep(10 * time.Millisecond)
		v, err := p.Call("sceneDrain")
		if err != nil {
			t.Fatal(err)
		}
		if v.IsNull() {
			continue
		}
		n, _ := v.Length()
		b := make([]byte, n)
		if _, err := safejs.CopyBytesToGo(b, v); err != nil {
			t.Fatal(err)
		}
		for _, e := range engine.DecodeEvents(b) {
			if e.Kind == engine.KindCacheHit {
				seq = append(seq, e.Aux)
			}
		}
	}
	var res struct{ Sent, Dropped int64 }
	if err := json.Unmarshal([]byte(callFlood(t, 0)), &res); err != nil {
		t.Fatal(err)
	}
	for i, s := range seq {
		if s != int32(i) {
			t.Fatalf("event %d carries number %d: the source skipped or repeated", i, s)
		}
	}
	if res.Sent != int64(len(seq)) || res.Dropped != 0 {
		t.Errorf("sent %d, dropped %d; drained %d", res.Sent, res.Dropped, len(seq))
	}
}

// callFlood calls the benchmark's pipeFlood(rate) and returns its JSON.
func callFlood(t *testing.T, rate float64) string {
	t.Helper()
	v, err := benchPG(t).Call("pipeFlood", rate)
	if err != nil {
		t.Fatal(err)
	}
	if msg := errorMessage(t, v); msg != "" {
		t.Fatal(msg)
	}
	s, err := v.String()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
