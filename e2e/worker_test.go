package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// keepWorkers makes the page keep every Worker it starts in
// window.testWorkers, so that a test can post to the page's own worker what
// the page's code never would.
const keepWorkers = `(() => {
	const W = window.Worker;
	window.testWorkers = [];
	window.Worker = class extends W {
		constructor(...args) { super(...args); window.testWorkers.push(this); }
	};
	// ask posts msg to a worker and resolves with the first "result" or
	// "error" that carries replyId (null: a message with no usable id).
	window.ask = (w, msg, replyId) => new Promise((resolve) => {
		const on = (e) => {
			const d = e.data;
			if (d && (d.type === "result" || d.type === "error") && d.id === replyId) {
				w.removeEventListener("message", on);
				resolve({ type: d.type, text: d.type === "error" ? d.message : String(d.value) });
			}
		};
		w.addEventListener("message", on);
		w.postMessage(msg);
	});
})()`

type reply struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// TestWorkerRefusesMalformedMessages posts to the page's own worker what a
// hostile or buggy page could: wrong types, BigInt, NaN, a 20 MB string,
// inherited and unknown method names, repeated keys, and messages that are
// not calls at all. Each gets an error naming the field and the value, cut
// short (a repeated key in a scene gets a result that refuses it), and the
// page then still runs a scene on the same worker.
func TestWorkerRefusesMalformedMessages(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	b.run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: keepWorkers})
		return err
	}))
	ready(t, b, "")
	if n := eval[int](t, b, `testWorkers.length`); n != 1 {
		t.Fatalf("the page started %d workers, want 1", n)
	}
	bindings := "call: method must be a binding (lessonCheck, lessonCollect, lessonList, lessonRun, lessonStop, sceneDrain, "
	for _, c := range []struct {
		name    string
		msg     string // a JavaScript expression
		replyID string // a JavaScript expression
		typ     string
		want    []string
	}{
		// Arguments: Go checks them and names each.
		{"wrong type", `{type: "call", id: "a1", method: "sceneParse", args: [42]}`, `"a1"`,
			"error", []string{"sceneParse: bad arguments: scene must be a string, not the number 42"}},
		{"BigInt", `{type: "call", id: "a2", method: "sceneSpeed", args: [5n]}`, `"a2"`,
			"error", []string{"sceneSpeed: bad arguments: speed must be a number, not the BigInt 5n"}},
		{"BigInt callback", `{type: "call", id: "a3", method: "lessonRun", args: ["{}", 5n], stream: true}`, `"a3"`,
			"error", []string{"lessonRun: bad arguments: onEvent must be a function, not the BigInt 5n"}},
		{"NaN", `{type: "call", id: "a4", method: "sceneSpeed", args: [NaN]}`, `"a4"`,
			"error", []string{"sceneSpeed: bad arguments: speed must be a finite number, not NaN"}},
		{"Infinity", `{type: "call", id: "a5", method: "sceneSpeed", args: [Infinity]}`, `"a5"`,
			"error", []string{"speed must be a finite number, not Infinity"}},
		{"huge string", `{type: "call", id: "a6", method: "selfTest", args: ["a".repeat(20e6)]}`, `"a6"`,
			"error", []string{`selfTest: bad arguments:`, `not the string "aaaa`, `aaa…" (20000000 bytes)`}},
		{"huge value in a link", `{type: "call", id: "a7", method: "sceneFromQuery", args: ["tasks=" + "9".repeat(20e6)]}`, `"a7"`,
			"result", []string{`"ok":false`, `"field":"tasks"`, "tasks must be a whole number", "(20000000 characters)"}},
		// Methods: only the registered bindings.
		{"constructor", `{type: "call", id: "m1", method: "constructor", args: []}`, `"m1"`, "error", []string{bindings, `not the string "constructor"`}},
		{"__proto__", `{type: "call", id: "m2", method: "__proto__"}`, `"m2"`, "error", []string{bindings, `not the string "__proto__"`}},
		{"toString", `{type: "call", id: "m3", method: "toString"}`, `"m3"`, "error", []string{bindings, `not the string "toString"`}},
		{"hasOwnProperty", `{type: "call", id: "m4", method: "hasOwnProperty", args: ["x"]}`, `"m4"`, "error", []string{bindings}},
		{"not a function", `{type: "call", id: "m5", method: "goVersion"}`, `"m5"`, "error", []string{bindings, `not the string "goVersion"`}},
		{"unknown", `{type: "call", id: "m6", method: "nope"}`, `"m6"`, "error", []string{bindings, `not the string "nope"`}},
		{"benchmark only", `{type: "call", id: "m7", method: "pipeFlood", args: [1000]}`, `"m7"`, "error", []string{bindings, `not the string "pipeFlood"`}},
		{"method not a string", `{type: "call", id: "m8", method: 7n}`, `"m8"`, "error", []string{bindings, "not the BigInt 7n"}},
		{"huge method", `{type: "call", id: "m9", method: "x".repeat(20e6)}`, `"m9"`, "error", []string{bindings, `xxx…" (20000000 characters)`}},
		// Repeated keys: one rule for a scene's JSON and a link.
		{"repeated JSON key", `{type: "call", id: "d1", method: "sceneParse", args: ['{"tasks": 3, "tasks": 500}']}`, `"d1"`,
			"result", []string{`"ok":false`, `"field":"tasks"`, "tasks is given 2 times in the scene"}},
		{"repeated mix key", `{type: "call", id: "d2", method: "sceneStart", args: ['{"mix": {"get": 1, "get": 9}}']}`, `"d2"`,
			"result", []string{`"ok":false`, `"field":"mix.get"`, "mix.get is given 2 times in the scene"}},
		{"repeated query key", `{type: "call", id: "d3", method: "sceneFromQuery", args: ["?tasks=3&tasks=4"]}`, `"d3"`,
			"result", []string{`"ok":false`, `"field":"tasks"`, "tasks is given 2 times in the link"}},
		// Envelopes.
		{"args not an array", `{type: "call", id: "e1", method: "sceneParse", args: "{}"}`, `"e1"`, "error", []string{`sceneParse: args must be an array, not the string "{}"`}},
		{"stream not a boolean", `{type: "call", id: "e2", method: "sceneSpec", stream: "yes"}`, `"e2"`, "error", []string{`sceneSpec: stream must be true or false, not the string "yes"`}},
		{"bad id", `{type: "call", id: {}, method: "sceneSpec"}`, `null`, "error", []string{"call: id must be a number or a string of at most 48 characters, not an object"}},
		{"BigInt id", `{type: "call", id: 1n, method: "sceneSpec"}`, `null`, "error", []string{"not the BigInt 1n"}},
		{"unknown type", `{type: "bogus", id: "e3"}`, `"e3"`, "error", []string{`type must be "call", "pump" or "ack", not the string "bogus"`}},
		{"no type", `{id: "e4", method: "sceneSpec"}`, `"e4"`, "error", []string{`type must be "call", "pump" or "ack", not undefined`}},
		{"pump on", `{type: "pump", on: "yes"}`, `null`, "error", []string{`pump: on must be true or false, not the string "yes"`}},
		{"a string", `"sceneSpec"`, `null`, "error", []string{`a message must be an object like {type: "call", id, method, args}, not the string "sceneSpec"`}},
		{"null", `null`, `null`, "error", []string{"not null"}},
		{"a number", `NaN`, `null`, "error", []string{"not NaN"}},
		{"an array", `[{type: "call", id: "e5", method: "sceneSpec"}]`, `null`, "error", []string{"not an array"}},
	} {
		got := eval[reply](t, b, `ask(testWorkers[0], `+c.msg+`, `+c.replyID+`)`)
		if got.Type != c.typ {
			t.Errorf("%s: got a %s (%.300q), want a %s", c.name, got.Type, got.Text, c.typ)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(got.Text, w) {
				t.Errorf("%s: %.300q lacks %q", c.name, got.Text, w)
			}
		}
		if len(got.Text) > 1000 {
			t.Errorf("%s: a reply of %d characters: the input is echoed whole", c.name, len(got.Text))
		}
	}
	// The same worker still runs a scene, and nothing crashed.
	if n := eval[int](t, b, `testWorkers.length`); n != 1 {
		t.Fatalf("the page started %d workers, want the one it had", n)
	}
	start(t, b)
	waitBatches(t, b, 3)
	b.waitFor(t, "events", `playground.model.events > 10`)
	stop(t, b)
	b.screenshot(t, "worker-after-malformed")
	b.noProblems(t)
}

// TestWorkerBenchFlag: a worker started with ?bench=pipe (only the
// benchmark starts one) has pipeFlood; the page's own worker does not.
func TestWorkerBenchFlag(t *testing.T) {
	b := newBrowser(t, 1280, 1000)
	b.run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: keepWorkers})
		return err
	}))
	ready(t, b, "?bench=pipe") // the page's query does not reach its worker
	if got := eval[reply](t, b, `ask(testWorkers[0], {type: "call", id: "p1", method: "pipeFlood", args: [0]}, "p1")`); got.Type != "error" {
		t.Errorf("the page's worker ran pipeFlood: %+v", got)
	}
	b.run(t, chromedp.Evaluate[chromedp.Void](`new Worker("worker.js?bench=pipe")`))
	b.waitFor(t, "the benchmark's worker", `testWorkers.length === 2`)
	got := eval[reply](t, b, `ask(testWorkers[1], {type: "call", id: "p2", method: "pipeFlood", args: [0]}, "p2")`)
	if got.Type != "result" || !strings.Contains(got.Text, `"sent":0`) {
		t.Errorf("the benchmark's worker: pipeFlood(0) = %+v", got)
	}
	b.noProblems(t)
}
