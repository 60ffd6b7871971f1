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
		name string
		args []any
		want string
	}{
		{"no callback", []any{nil}, "onLine must be a function, not nothing"},
		{"options not an object", []any{"fast", noop.Value()}, `options must be an object, not the string "fast"`},
		{"tasks not a number", []any{map[string]any{"tasks": "5"}, noop.Value()}, `tasks must be a number, not the string "5"`},
		{"tasks fractional", []any{map[string]any{"tasks": 2.5}, noop.Value()}, "tasks must be a whole number"},
		{"tasks too many", []any{map[string]any{"tasks": 500}, noop.Value()}, "tasks must be between 1 and 100 (got 500)"},
		{"ttl huge", []any{map[string]any{"ttlMs": 1e300}, noop.Value()}, "ttlMs must be between 0 and 10000000"},
		{"cleanup too fast", []any{map[string]any{"cleanupMs": 1}, noop.Value()}, "cleanup interval must be between 10ms and 1m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.Call("runLesson", tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			msg := errorMessage(t, v)
			if !strings.HasPrefix(msg, "runLesson: ") || !strings.Contains(msg, tt.want) {
				t.Fatalf("got %q, want a runLesson error containing %q", msg, tt.want)
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

func TestRunLessonStreamsLines(t *testing.T) {
	p := pg(t)
	onLine, kindsOf := recorder(t, "kind")
	opts := map[string]any{"tasks": 3, "ttlMs": 100, "cleanupMs": 50, "sweeps": 3}
	v, err := p.Call("runLesson", opts, onLine)
	if err != nil {
		t.Fatal(err)
	}
	n, msg := await(t, v)
	if msg != "" {
		t.Fatal(msg)
	}
	kinds := *kindsOf
	got := strings.Join(kinds, " ")
	if c, _ := n.Int(); c != len(kinds) {
		t.Errorf("resolved with %d, saw %d lines", c, len(kinds))
	}
	for _, want := range []string{"insert", "get", "sweep"} {
		if !strings.Contains(got, want) {
			t.Errorf("lines %q lack %q", got, want)
		}
	}
}

func TestStopLessonRejectsTheRun(t *testing.T) {
	p := pg(t)
	noop, _ := safejs.FuncOf(func(safejs.Value, []safejs.Value) any { return nil })
	defer noop.Release()
	v, err := p.Call("runLesson", map[string]any{"cleanupMs": 1000}, noop.Value())
	if err != nil {
		t.Fatal(err)
	}
	stopped, err := p.Call("stopLesson")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := stopped.Bool(); !b {
		t.Error("stopLesson reported nothing to stop")
	}
	if _, msg := await(t, v); !strings.Contains(msg, "context canceled") {
		t.Fatalf("stopped run settled with %q", msg)
	}
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
