//go:build js && wasm

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
)

// pg registers the bindings once and returns the playground object.
func pg(t *testing.T) safejs.Value {
	t.Helper()
	g := safejs.Global()
	v, err := g.Get("playground")
	if err == nil && !v.IsUndefined() {
		return v
	}
	if err := register(g, false); err != nil {
		t.Fatal(err)
	}
	v, err = g.Get("playground")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// await waits for a JavaScript Promise and returns its value or the message
// of the Error it rejected with.
func await(t *testing.T, p safejs.Value) (safejs.Value, string) {
	t.Helper()
	type outcome struct {
		v   safejs.Value
		msg string
	}
	ch := make(chan outcome, 1)
	onOK, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- outcome{v: args[0]}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer onOK.Release()
	onErr, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		m, _ := args[0].Get("message")
		s, _ := m.String()
		ch <- outcome{msg: s}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer onErr.Release()
	if _, err := p.Call("then", onOK.Value(), onErr.Value()); err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-ch:
		if o.msg == "" && o.v.Type() == safejs.TypeUndefined {
			return o.v, ""
		}
		return o.v, o.msg
	case <-time.After(time.Minute):
		t.Fatal("promise never settled")
		return safejs.Undefined(), ""
	}
}

func errorMessage(t *testing.T, v safejs.Value) string {
	t.Helper()
	ctor := safejs.MustGetGlobal("Error")
	ok, err := v.InstanceOf(ctor)
	if err != nil || !ok {
		return ""
	}
	m, _ := v.Get("message")
	s, _ := m.String()
	return s
}

func TestBadArgumentsReject(t *testing.T) {
	p := pg(t)
	noop, _ := safejs.FuncOf(func(safejs.Value, []safejs.Value) any { return nil })
	defer noop.Release()
	tests := []struct {
		method, name string
		args         []any
		want         string
	}{
		{"lessonRun", "no callback", []any{"{}"}, "onEvent must be a function, not nothing"},
		{"lessonRun", "request not a string", []any{map[string]any{"lesson": "ttl"}, noop.Value()}, "request must be a string, not an object"},
		{"stepLoad", "options not an object", []any{"fast"}, `options must be an object, not the string "fast"`},
		{"sceneSpeed", "speed not a number", []any{"5"}, `speed must be a number, not the string "5"`},
		{"sceneFromQuery", "no query", nil, "query must be a string, not nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.name, func(t *testing.T) {
			v, err := p.Call(tt.method, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			msg := errorMessage(t, v)
			if !strings.HasPrefix(msg, tt.method+": ") || !strings.Contains(msg, tt.want) {
				t.Fatalf("got %q, want a %s error containing %q", msg, tt.method, tt.want)
			}
		})
	}
}

func TestPanicsComeBackAsErrors(t *testing.T) {
	p := pg(t)
	v, err := p.Call("selfTest", "panic")
	if err != nil {
		t.Fatal(err)
	}
	if msg := errorMessage(t, v); !strings.Contains(msg, "internal error") || !strings.Contains(msg, "deliberate panic") {
		t.Fatalf("panic came back as %q", msg)
	}
	v, err = p.Call("selfTest", "panicAsync")
	if err != nil {
		t.Fatal(err)
	}
	if _, msg := await(t, v); !strings.Contains(msg, "deliberate async panic") {
		t.Fatalf("async panic came back as %q", msg)
	}
	// The instance is still alive.
	v, err = p.Call("selfTest", "ok")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := v.String(); s != "ok" {
		t.Fatalf("after the panics, selfTest(ok) = %v", v)
	}
}

// recorder returns a JavaScript callback that records the string field of
// each object it is called with, and the record; it is released at the
// test's end.
func recorder(t *testing.T, field string) (safejs.Value, *[]string) {
	t.Helper()
	var got []string
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		v, _ := args[0].Get(field)
		s, _ := v.String()
		got = append(got, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Release)
	return f.Value(), &got
}

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
