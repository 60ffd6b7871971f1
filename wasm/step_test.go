//go:build js && wasm

package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hack-pad/safejs"

	"github.com/gosharedstate/playground/wasm/interleave"
)

// The step-mode bindings, called as the worker calls them.

func decode[T any](t *testing.T, text string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("%v: %s", err, text)
	}
	return v
}

func mustLoad(t *testing.T, method string, arg any) *interleave.State {
	t.Helper()
	r := decode[stepLoaded](t, callString(t, method, arg))
	if !r.OK || r.State == nil {
		t.Fatalf("%s(%v) = %+v", method, arg, r)
	}
	return r.State
}

func step(t *testing.T, task any) stepped {
	t.Helper()
	return decode[stepped](t, callString(t, "stepStep", task))
}

func stepGoroutineCount(t *testing.T) int {
	t.Helper()
	v, err := pg(t).Call("stepGoroutines")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := v.Int()
	return n
}

func TestStepSpec(t *testing.T) {
	spec := decode[struct {
		Lesson          string   `json:"lesson"`
		Variants        []string `json:"variants"`
		MaxTasks        int      `json:"maxTasks"`
		DefaultTasks    int      `json:"defaultTasks"`
		DeadlockMessage string   `json:"deadlockMessage"`
	}](t, callString(t, "stepSpec"))
	if spec.Lesson != "interleave" || !reflect.DeepEqual(spec.Variants, interleave.Variants()) ||
		spec.MaxTasks != 4 || spec.DefaultTasks != 2 || !strings.Contains(spec.DeadlockMessage, "all goroutines are asleep") {
		t.Errorf("spec %+v", spec)
	}
}

func TestStepUnlockedLosesAnUpdate(t *testing.T) {
	st := mustLoad(t, "stepLoad", map[string]any{"variant": "unlocked", "tasks": 2})
	if len(st.Tasks) != 2 || st.Count != 0 || st.Done || !strings.Contains(st.Challenge, "end at 1") {
		t.Fatalf("loaded %+v", st)
	}
	var last stepped
	for _, task := range []int{0, 1, 0, 1, 0, 1} {
		last = step(t, task)
		if !last.Result.OK {
			t.Fatalf("step %d refused: %s", task, last.Result.Reason)
		}
	}
	if r := last.Result; !r.Done || r.Count != 1 || r.Task != 1 {
		t.Errorf("last step %+v; want done at count 1", r)
	}
	if res := last.State.Result; res == nil || res.Expected != 2 || res.Actual != 1 || res.Steps != 6 || res.Deadlock != 0 {
		t.Errorf("result %+v; want expected 2, actual 1, 6 steps, no deadlock", last.State.Result)
	}
	if last.State.Schedule != "0,1,0,1,0,1" {
		t.Errorf("schedule %q", last.State.Schedule)
	}
}

func TestStepLockedRefusesWithTheHolder(t *testing.T) {
	mustLoad(t, "stepLoad", map[string]any{"variant": "locked"})
	step(t, 0)
	before := callString(t, "stepState")
	r := step(t, 1)
	if r.Result.OK || !strings.Contains(r.Result.Reason, "held by task 0") {
		t.Errorf("task 1's mu.Lock() after task 0's: %+v", r.Result)
	}
	for _, task := range []any{1, 7, -1} {
		if r := step(t, task); r.Result.OK {
			t.Errorf("step %v taken", task)
		}
	}
	if after := callString(t, "stepState"); after != before {
		t.Errorf("refused or unknown steps changed the state:\n%s\n%s", before, after)
	}
}

func TestStepDeadlockFromALink(t *testing.T) {
	st := mustLoad(t, "stepFromQuery", "?lesson=interleave&variant=deadlock&tasks=2&schedule=0,1")
	if !st.Done || !st.Deadlock || st.Message != interleave.DeadlockMessage || st.Result.Deadlock != 1 {
		t.Fatalf("deadlock state %+v", st)
	}
	for _, ts := range st.Tasks {
		if !ts.Blocked {
			t.Errorf("task %d is not blocked", ts.Task)
		}
	}
	for _, task := range []int{0, 1} {
		if r := step(t, task); r.Result.OK || !r.Result.Done || !strings.Contains(r.Result.Reason, "all goroutines are asleep") {
			t.Errorf("step %d after the deadlock: %+v", task, r.Result)
		}
	}
}

func TestStepUndoRestores(t *testing.T) {
	mustLoad(t, "stepLoad", map[string]any{"variant": "locked", "tasks": 3})
	states := []string{callString(t, "stepState")}
	for _, task := range []int{0, 0, 0, 0, 0, 2} {
		if r := step(t, task); !r.Result.OK {
			t.Fatal(r.Result.Reason)
		}
		states = append(states, callString(t, "stepState"))
	}
	for i := len(states) - 1; i > 0; i-- {
		u := decode[stepped](t, callString(t, "stepUndo"))
		if !u.Result.OK {
			t.Fatalf("undo %d refused: %s", i, u.Result.Reason)
		}
		if got := callString(t, "stepState"); got != states[i-1] {
			t.Fatalf("undo %d:\n got %s\nwant %s", i, got, states[i-1])
		}
	}
	if u := decode[stepped](t, callString(t, "stepUndo")); u.Result.OK {
		t.Error("undo at the start was taken")
	}
}

func TestStepResetAndStopLeaveNoGoroutine(t *testing.T) {
	mustLoad(t, "stepLoad", map[string]any{"variant": "unlocked", "tasks": 4})
	if n := stepGoroutineCount(t); n != 4 {
		t.Errorf("after loading 4 tasks, %d task goroutines", n)
	}
	for _, task := range []int{0, 0, 0, 1} { // task 0 finishes: its goroutine returns
		step(t, task)
	}
	if n := stepGoroutineCount(t); n != 3 {
		t.Errorf("with one task finished, %d task goroutines, want 3", n)
	}
	st := decode[stepLoaded](t, callString(t, "stepReset"))
	if !st.OK || len(st.State.History) != 0 {
		t.Fatalf("reset: %+v", st)
	}
	if n := stepGoroutineCount(t); n != 4 {
		t.Errorf("after Reset, %d task goroutines, want the new run's 4 and none of the old", n)
	}
	decode[stepped](t, callString(t, "stepStep", 2))
	decode[stepped](t, callString(t, "stepUndo"))
	if n := stepGoroutineCount(t); n != 4 {
		t.Errorf("after Undo, %d task goroutines, want 4", n)
	}
	callString(t, "stepState")
	if _, err := pg(t).Call("stepStop"); err != nil {
		t.Fatal(err)
	}
	if n := stepGoroutineCount(t); n != 0 {
		t.Errorf("after Stop, %d task goroutines", n)
	}
	if r := decode[stepLoaded](t, callString(t, "stepState")); r.OK {
		t.Error("a state after Stop")
	}
}

func TestStepLoadNamesTheField(t *testing.T) {
	mustLoad(t, "stepLoad", map[string]any{"variant": "update", "tasks": 3})
	before := callString(t, "stepState")
	for _, c := range []struct {
		method string
		arg    any
		field  string
		want   string
	}{
		{"stepLoad", map[string]any{"variant": "nope"}, "variant", `variant "nope" is not one of unlocked, locked, update, deadlock`},
		{"stepLoad", map[string]any{"variant": 3}, "variant", "not the number 3"},
		{"stepLoad", map[string]any{"tasks": 9}, "tasks", "tasks must be between 1 and 4 (got 9)"},
		{"stepLoad", map[string]any{"tasks": 0}, "tasks", "tasks must be between 1 and 4 (got 0)"},
		{"stepLoad", map[string]any{"tasks": 2.5}, "tasks", "whole number from 1 to 4, not the number 2.5"},
		{"stepLoad", map[string]any{"tasks": "2"}, "tasks", `not the string "2"`},
		{"stepLoad", map[string]any{"schedule": 5}, "schedule", "not the number 5"},
		{"stepLoad", map[string]any{"schedule": "0,x"}, "schedule", `step 2 is "x"`},
		{"stepLoad", map[string]any{"variant": "locked", "schedule": "0,1"}, "schedule", "schedule step 2 (task 1) is refused: task 1's mu.Lock() waits: mu is held by task 0"},
		{"stepFromQuery", "?lesson=interleave&tasks=abc", "tasks", `tasks must be a whole number from 1 to 4 (got "abc")`},
		{"stepFromQuery", "variant=a&variant=b", "variant", "variant is given 2 times in the link"},
		{"stepFromQuery", "variant=" + strings.Repeat("x", 100000), "variant", "(100000 bytes)"},
		{"stepFromQuery", "schedule=0,0,0,0", "schedule", "task 0 has finished"},
		{"stepFromQuery", "%zz", "", "malformed"},
	} {
		r := decode[stepLoaded](t, callString(t, c.method, c.arg))
		if r.OK || len(r.Errors) != 1 || r.Errors[0].Field != c.field || !strings.Contains(r.Errors[0].Message, c.want) {
			t.Errorf("%s(%.60v) = %+v; want field %q, %q", c.method, c.arg, r, c.field, c.want)
		}
	}
	if after := callString(t, "stepState"); after != before {
		t.Error("a refused load changed the run")
	}
	for _, c := range []struct {
		args []any
		want string
	}{
		{nil, "task must be a number, not nothing"},
		{[]any{"1"}, `task must be a number, not the string "1"`},
		{[]any{1.5}, "task must be a whole number, not the number 1.5"},
		{[]any{jsGlobal("NaN")}, "task must be a finite number, not NaN"},
	} {
		v, err := pg(t).Call("stepStep", c.args...)
		if err != nil {
			t.Fatal(err)
		}
		if msg := errorMessage(t, v); !strings.HasPrefix(msg, "stepStep: ") || !strings.Contains(msg, c.want) {
			t.Errorf("stepStep(%v) = %q; want %q", c.args, msg, c.want)
		}
	}
	if after := callString(t, "stepState"); after != before {
		t.Error("a bad stepStep changed the run")
	}
}

func jsGlobal(expr string) safejs.Value {
	v, _ := safejs.Global().Get(expr)
	return v
}

func TestStepRunFree(t *testing.T) {
	res := decode[interleave.FreeResult](t, callString(t, "stepRunFree", "update", 4, 50))
	if res.Runs != 50 || res.Lost != 0 || res.Expected != 4 || res.Procs != 1 {
		t.Errorf("update, run free: %+v; want 50 runs, none lost, on one thread", res)
	}
	res = decode[interleave.FreeResult](t, callString(t, "stepRunFree", "unlocked", 2, 200))
	t.Logf("unlocked, 2 tasks, under js/wasm: %d of %d runs lost an update", res.Lost, res.Runs)
	for _, c := range []struct {
		args []any
		want string
	}{
		{[]any{"deadlock", 2, 10}, "cannot run without the gate"},
		{[]any{"unlocked", 2, 0}, "runs must be between 1 and 100000 (got 0)"},
		{[]any{"unlocked", 2.5, 10}, "tasks must be a whole number"},
		{[]any{"unlocked", 2}, "runs must be a number, not nothing"},
	} {
		v, err := pg(t).Call("stepRunFree", c.args...)
		if err != nil {
			t.Fatal(err)
		}
		msg := errorMessage(t, v)
		if msg == "" {
			_, msg = await(t, v)
		}
		if !strings.HasPrefix(msg, "stepRunFree: ") || !strings.Contains(msg, c.want) {
			t.Errorf("stepRunFree(%v) = %q; want %q", c.args, msg, c.want)
		}
	}
}
