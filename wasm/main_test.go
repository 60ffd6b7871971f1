//go:build js && wasm

package main

import (
	"encoding/json"
	"math"
	"slices"
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

func TestRunLessonStreamsLines(t *testing.T) {
	p := pg(t)
	var kinds []string
	onLine, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		k, _ := args[0].Get("kind")
		s, _ := k.String()
		kinds = append(kinds, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer onLine.Release()
	opts := map[string]any{"tasks": 3, "ttlMs": 100, "cleanupMs": 50, "sweeps": 3}
	v, err := p.Call("runLesson", opts, onLine.Value())
	if err != nil {
		t.Fatal(err)
	}
	n, msg := await(t, v)
	if msg != "" {
		t.Fatal(msg)
	}
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

// js evaluates a JavaScript global's member, for the values Go cannot make
// itself: js("BigInt", 5) is 5n, js("Symbol", "s") a symbol.
func js(t *testing.T, ctor string, args ...any) safejs.Value {
	t.Helper()
	f, err := safejs.Global().Get(ctor)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Invoke(args...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMalformedCalls: every binding, called with what the page must not
// send (BigInt, NaN, the infinities, symbols, arrays, huge strings), returns
// a JavaScript Error whose message names the binding, the argument and the
// value (clipped), never "internal error"; and the instance lives on.
func TestMalformedCalls(t *testing.T) {
	p := pg(t)
	noop, _ := safejs.FuncOf(func(safejs.Value, []safejs.Value) any { return nil })
	defer noop.Release()
	big := js(t, "BigInt", 5)
	hugeBig := js(t, "BigInt", strings.Repeat("9", 5000))
	huge := strings.Repeat("a", 20<<20)
	nan, inf := math.NaN(), math.Inf(1)
	type call struct {
		p      safejs.Value
		method string
		args   []any
		want   string
	}
	calls := []call{
		{p, "runLesson", []any{big, noop.Value()}, "options must be an object, not the BigInt 5n"},
		{p, "runLesson", []any{map[string]any{"tasks": big}, noop.Value()}, "tasks must be a number, not the BigInt 5n"},
		{p, "runLesson", []any{map[string]any{"tasks": nan}, noop.Value()}, "tasks must be a finite number, not NaN"},
		{p, "runLesson", []any{map[string]any{"ttlMs": inf}, noop.Value()}, "ttlMs must be a finite number, not Infinity"},
		{p, "runLesson", []any{map[string]any{"sweeps": math.Inf(-1)}, noop.Value()}, "sweeps must be a finite number, not -Infinity"},
		{p, "runLesson", []any{map[string]any{"cleanupMs": js(t, "Symbol", "s")}, noop.Value()}, "cleanupMs must be a number, not a symbol"},
		{p, "runLesson", []any{map[string]any{"tasks": true}, noop.Value()}, "tasks must be a number, not the boolean true"},
		{p, "runLesson", []any{[]any{1, 2}, noop.Value()}, "options must be an object, not an array"},
		{p, "runLesson", []any{map[string]any{}, big}, "onLine must be a function, not the BigInt 5n"},
		{p, "runLesson", []any{map[string]any{}, "cb"}, `onLine must be a function, not the string "cb"`},
		{p, "runLesson", []any{map[string]any{"tasks": huge}, noop.Value()}, `tasks must be a number, not the string "aaaa`},
		{p, "sceneParse", []any{big}, "scene must be a string, not the BigInt 5n"},
		{p, "sceneParse", []any{nil}, "scene must be a string, not null"},
		{p, "sceneParse", []any{map[string]any{"tasks": 3}}, "scene must be a string, not an object"},
		{p, "sceneFromQuery", []any{nan}, "query must be a string, not NaN"},
		{p, "sceneStart", []any{hugeBig}, "not the BigInt 999999999999999999999999999999999999999999999999…n (5000 digits)"},
		{p, "sceneSpeed", []any{big}, "speed must be a number, not the BigInt 5n"},
		{p, "sceneSpeed", []any{nan}, "speed must be a finite number, not NaN"},
		{p, "sceneSpeed", []any{inf}, "speed must be a finite number, not Infinity"},
		{p, "sceneSpeed", nil, "speed must be a number, not nothing"},
		{p, "selfTest", []any{big}, "not the BigInt 5n"},
		{p, "selfTest", []any{huge}, `not the string "aaaa`},
		{benchPG(t), "pipeFlood", []any{big}, "rate must be a number, not the BigInt 5n"},
		{benchPG(t), "pipeFlood", []any{nan}, "rate must be a finite number, not NaN"},
	}
	for _, c := range calls {
		v, err := c.p.Call(c.method, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.method, err)
		}
		msg := errorMessage(t, v)
		if !strings.HasPrefix(msg, c.method+": bad arguments: ") || !strings.Contains(msg, c.want) {
			t.Errorf("%s(%s) = %q, want an Error with %q", c.method, c.want, clip(msg, 300), c.want)
		}
		if len(msg) > 200 {
			t.Errorf("%s(%s): a message of %d bytes (%q): the value is not cut", c.method, c.want, len(msg), clip(msg, 300))
		}
	}
	// A cut value says how long it was.
	v, _ := p.Call("selfTest", huge)
	if msg := errorMessage(t, v); !strings.Contains(msg, `aaaa…" (20971520 bytes)`) {
		t.Errorf("a cut value's message %q does not give its length", msg)
	}
	v, err := p.Call("selfTest", "ok")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := v.String(); s != "ok" {
		t.Fatalf("after the malformed calls, selfTest(ok) = %v", v)
	}
}

// TestSceneResultsCutEchoes: a scene's field errors repeat a bad value or
// an unknown name only in part, with its length.
func TestSceneResultsCutEchoes(t *testing.T) {
	huge := strings.Repeat("9", 1<<20)
	for _, c := range []struct{ method, arg string }{
		{"sceneParse", `{"tasks": "` + huge + `"}`},
		{"sceneParse", `{"locking": "` + huge + `"}`},
		{"sceneParse", `{"` + huge + `": 1}`},
		{"sceneFromQuery", "tasks=" + huge},
	} {
		var res sceneResult
		out := callString(t, c.method, c.arg)
		if len(out) > 1000 {
			t.Errorf("%s: a result of %d bytes", c.method, len(out))
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		if res.OK || len(res.Errors) != 1 {
			t.Fatalf("%s: %s", c.method, clip(out, 500))
		}
		fe := res.Errors[0]
		if !strings.Contains(fe.Field+" "+fe.Message, "bytes)") || len(fe.Message) > 250 || len(fe.Field) > 100 {
			t.Errorf("%s: field %q, message %q: not cut, or no length", c.method, fe.Field, fe.Message)
		}
	}
}

// TestDuplicateKeysOneRule: a field given twice is refused, naming it, in
// a scene's JSON as in a link.
func TestDuplicateKeysOneRule(t *testing.T) {
	for _, c := range []struct{ method, arg, field, want string }{
		{"sceneParse", `{"tasks": 3, "tasks": 4}`, "tasks", "tasks is given 2 times in the scene"},
		{"sceneParse", `{"mix": {"get": 1, "get": 2}}`, "mix.get", "mix.get is given 2 times in the scene"},
		{"sceneFromQuery", "?tasks=3&tasks=4", "tasks", "tasks is given 2 times in the link"},
	} {
		var res sceneResult
		if err := json.Unmarshal([]byte(callString(t, c.method, c.arg)), &res); err != nil {
			t.Fatal(err)
		}
		if res.OK || len(res.Errors) != 1 || res.Errors[0].Field != c.field || res.Errors[0].Message != c.want {
			t.Errorf("%s(%s) = %+v, want one error for %s: %q", c.method, c.arg, res, c.field, c.want)
		}
	}
}

// TestPlaygroundObject: the object the worker calls into has no prototype
// (no "constructor", "toString" or "__proto__" to inherit), cannot be
// changed, and lists exactly its functions.
func TestPlaygroundObject(t *testing.T) {
	p := pg(t)
	obj := safejs.MustGetGlobal("Object")
	proto, err := obj.Call("getPrototypeOf", p)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.IsNull() {
		t.Error("the playground object has a prototype")
	}
	for _, name := range []string{"constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"} {
		if v, _ := p.Get(name); !v.IsUndefined() {
			t.Errorf("playground.%s is %s, not undefined", name, describe(v))
		}
	}
	frozen, err := obj.Call("isFrozen", p)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := frozen.Bool(); !b {
		t.Error("the playground object is not frozen")
	}
	var names []string
	if err := json.Unmarshal([]byte(bindingList(t, p)), &names); err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(names) || len(names) != len(bindings) {
		t.Fatalf("bindings %q, want the %d names sorted", names, len(bindings))
	}
	for _, name := range names {
		v, _ := p.Get(name)
		if tp, _ := typeOf(v); tp != safejs.TypeFunction || bindings[name] == nil {
			t.Errorf("bindings lists %q, which is %s", name, describe(v))
		}
	}
}

func TestClip(t *testing.T) {
	check := func(s string, max int, want string) {
		t.Helper()
		if got := clip(s, max); got != want {
			t.Errorf("clip(%q, %d) = %q, want %q", s, max, got, want)
		}
	}
	check("short", 10, "short")
	check("abcdefgh", 4, "abcd… (8 bytes)")
	check("ééé", 3, "é… (6 bytes)") // never half a character
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
