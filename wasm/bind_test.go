//go:build js && wasm

package main

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hack-pad/safejs"
)

// The tests of the boundary's checks (bind.go): what a page must not send
// comes back as an Error naming the argument and the value, cut short.

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
		{p, "stepLoad", []any{big}, "options must be an object, not the BigInt 5n"},
		{p, "stepLoad", []any{[]any{1, 2}}, "options must be an object, not an array"},
		{p, "lessonRun", []any{"{}", big}, "onEvent must be a function, not the BigInt 5n"},
		{p, "lessonRun", []any{"{}", "cb"}, `onEvent must be a function, not the string "cb"`},
		{p, "lessonRun", []any{big, noop.Value()}, "request must be a string, not the BigInt 5n"},
		{p, "sceneSpeed", []any{math.Inf(-1)}, "speed must be a finite number, not -Infinity"},
		{p, "sceneSpeed", []any{js(t, "Symbol", "s")}, "speed must be a number, not a symbol"},
		{p, "sceneSpeed", []any{true}, "speed must be a number, not the boolean true"},
		{p, "sceneSpeed", []any{huge}, `speed must be a number, not the string "aaaa`},
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
		if echo := fe.Field + " " + fe.Message; !strings.Contains(echo, "bytes)") && !strings.Contains(echo, "characters)") || len(fe.Message) > 250 || len(fe.Field) > 100 {
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
