//go:build js && wasm

package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func callJSON(t *testing.T, name string, args ...any) map[string]any {
	t.Helper()
	v, err := pg(t).Call(name, args...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.String()
	if err != nil {
		t.Fatalf("%s did not return a string: %v", name, err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLessonListAndCheck(t *testing.T) {
	list := callJSON(t, "lessonList")
	if ids, _ := list["ids"].([]any); len(ids) != 8 || ids[7] != "interleave" {
		t.Errorf("ids %v", list["ids"])
	}
	if ls, _ := list["lessons"].([]any); len(ls) != 7 {
		t.Errorf("%d lessons", len(ls))
	}
	ok := callJSON(t, "lessonCheck", `{"lesson": "ttl"}`)
	if ok["ok"] != true || ok["variant"] != "short" {
		t.Errorf("lessonCheck(ttl) = %v", ok)
	}
	bad := callJSON(t, "lessonCheck", `{"lesson": "ttl", "variant": "<b>x</b>", "tasks": 3}`)
	errs, _ := bad["errors"].([]any)
	if bad["ok"] != false || len(errs) != 1 || !strings.Contains(errs[0].(map[string]any)["message"].(string), `unknown field "tasks"`) {
		t.Errorf("lessonCheck with an unknown field = %v", bad)
	}
	bad = callJSON(t, "lessonCheck", `{"lesson": "ttl", "variant": "medium"}`)
	if e := bad["errors"].([]any)[0].(map[string]any); e["field"] != "variant" || !strings.Contains(e["message"].(string), `(got "medium")`) {
		t.Errorf("lessonCheck with a bad variant = %v", bad)
	}
}

// TestLessonRunDrivesTheScene runs lost-update in the instance: its scene
// becomes the current one (sceneSnapshot reads it), and the report carries
// the result.
func TestLessonRunDrivesTheScene(t *testing.T) {
	p := pg(t)
	onEvent, events := recorder(t, "type")
	v, err := p.Call("lessonRun", `{"lesson": "lost-update", "variant": "get-then-set"}`, onEvent)
	if err != nil {
		t.Fatal(err)
	}
	res, msg := await(t, v)
	if msg != "" {
		t.Fatal(msg)
	}
	s, _ := res.String()
	var rep struct {
		Result map[string]float64 `json:"result"`
	}
	if err := json.Unmarshal([]byte(s), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Result["expected"] != 30 || rep.Result["actual"] >= 30 {
		t.Errorf("result %v: want updates lost", rep.Result)
	}
	if strings.Join(*events, " ") != "run" {
		t.Errorf("events %v, want one run", events)
	}
	snap, err := p.Call("sceneSnapshot")
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := snap.String(); !strings.Contains(text, `"state":"stopped"`) {
		t.Errorf("the lesson's scene is not the current one: %s", text)
	}
	bad, err := p.Call("lessonRun", `{"lesson": "nope"}`, onEvent)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := bad.Get("message")
	if text, _ := m.String(); !strings.Contains(text, `lesson must be one of "shared-cache"`) || !strings.Contains(text, `(got "nope")`) {
		t.Errorf("lessonRun of an unknown lesson: %q", text)
	}
}

func TestLessonCollectCountsJanitors(t *testing.T) {
	v, err := pg(t).Call("lessonCollect")
	if err != nil {
		t.Fatal(err)
	}
	n, msg := await(t, v)
	if msg != "" {
		t.Fatal(msg)
	}
	if c, _ := n.Int(); c < 0 {
		t.Errorf("janitors %d", c)
	}
}

// TestLessonStopRejectsTheRun: lessonStop ends the running lesson (it says
// there was one) and the run's Promise rejects; a second stop finds none.
func TestLessonStopRejectsTheRun(t *testing.T) {
	p := pg(t)
	onEvent, _ := recorder(t, "type")
	v, err := p.Call("lessonRun", `{"lesson": "forgot-close", "variant": "forget"}`, onEvent)
	if err != nil {
		t.Fatal(err)
	}
	stopped, err := p.Call("lessonStop")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := stopped.Bool(); !b {
		t.Error("lessonStop reported nothing to stop")
	}
	if _, msg := await(t, v); !strings.Contains(msg, "context canceled") && !strings.Contains(msg, "stopped before its end") {
		t.Fatalf("stopped run settled with %q", msg)
	}
	again, err := p.Call("lessonStop")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := again.Bool(); b {
		t.Error("a second lessonStop found a lesson to stop")
	}
}
