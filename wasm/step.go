//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/hack-pad/safejs"

	"github.com/gosharedstate/playground/wasm/interleave"
	"github.com/gosharedstate/playground/wasm/internal/goroutines"
)

// The step mode's bindings drive one interleave.Session: the learner is the
// scheduler, and each step is one line of a task run by its own goroutine,
// a real call on a real cache or mutex. Like the scene bindings, they
// answer with JSON strings: one call, one string.
//
// Step, Undo and Reset return at once (the session refuses a step that
// would block before its goroutine is let go), so they run inside the
// callback from JavaScript and need no Promise. RunFree loops without
// giving the thread back, so it runs on a goroutine of its own behind one.
//
// Loading a run, where what a link or a host sent is judged, is
// steploads.go's. Here only a call of the wrong shape from the page's own
// code (a task that is not a whole number) is an Error.

var stepSession interleave.Session

// stepped is what stepStep and stepUndo return: the step's result (the
// API's playground:stepped) and the state it left, in one answer.
type stepped struct {
	Result interleave.StepResult `json:"result"`
	State  *interleave.State     `json:"state"`
}

func stepState() *interleave.State {
	st, ok := stepSession.State()
	if !ok {
		return nil
	}
	return &st
}

// stepSpec() returns, as JSON, what the page builds its step-mode controls
// from: {lesson, variants, defaultTasks, maxTasks, deadlockMessage,
// maxFreeRuns}. The page names no variant of its own.
func stepSpec([]safejs.Value) (any, error) {
	return toJSON(map[string]any{
		"lesson":          interleave.Lesson,
		"variants":        interleave.Variants(),
		"defaultTasks":    interleave.DefaultTasks,
		"maxTasks":        interleave.MaxTasks,
		"deadlockMessage": interleave.DeadlockMessage,
		"maxFreeRuns":     interleave.MaxFreeRuns,
	})
}

// stepStep(task) lets a task take its next step. A task that does not
// exist, has finished or is blocked is refused, with the reason, and
// nothing changes. It returns a stepped as JSON.
func stepStep(args []safejs.Value) (any, error) {
	task, err := argWhole(args, 0, "task")
	if err != nil {
		return nil, err
	}
	r := stepSession.Step(task)
	return toJSON(stepped{Result: r, State: stepState()})
}

// stepUndo() goes back one step (by replaying the schedule but its last
// step on fresh goroutines). It returns a stepped as JSON: the task whose
// step was undone, and the count and done of the state it went back to.
func stepUndo([]safejs.Value) (any, error) {
	r := stepSession.Undo()
	return toJSON(stepped{Result: r, State: stepState()})
}

// stepReset() goes back to the start of the loaded run, on fresh
// goroutines. It returns a stepLoaded as JSON.
func stepReset([]safejs.Value) (any, error) {
	stepSession.Reset()
	return stepStateJSON(nil)
}

// stepStateJSON (the binding stepState()) returns the run's state as a
// stepLoaded JSON; ok is false when nothing is loaded.
func stepStateJSON([]safejs.Value) (any, error) {
	st := stepState()
	if st == nil {
		return fieldErrors("", "nothing is loaded")
	}
	return toJSON(stepLoaded{OK: true, State: st})
}

// stepStop() ends every goroutine of the run and unloads it.
func stepStop([]safejs.Value) (any, error) {
	stepSession.Stop()
	return true, nil
}

// stepGoroutines() counts the step mode's task goroutines that are alive,
// from their stacks (a task's goroutine returns after its last line). The
// tests check with it that Reset, Undo and Stop leave none of the old
// run's behind: after Reset there are exactly as many as tasks.
func stepGoroutines([]safejs.Value) (any, error) {
	n := 0
	for _, st := range goroutines.Running() {
		if strings.Contains(st, "wasm/interleave.(*world).gated") {
			n++
		}
	}
	return n, nil
}

// stepRunFree(variant, tasks, runs) lets Go's scheduler run the variant
// without the gate, runs times over, and returns a Promise of its
// FreeResult as JSON. Nothing can cancel it from the page: it never gives
// the thread back while it runs, so no message could arrive before it ends
// (10,000 runs of two or four tasks took 0.7 to 1 s under Node on the
// project's 2-core machine; steps pressed meanwhile wait for it).
func stepRunFree(args []safejs.Value) (any, error) {
	variant, err := argString(args, 0, "variant")
	if err != nil {
		return nil, err
	}
	var n [2]int // tasks, runs
	for i, what := range []string{"tasks", "runs"} {
		if n[i], err = argWhole(args, i+1, what); err != nil {
			return nil, err
		}
	}
	return promise("stepRunFree", func() (any, error) {
		res, err := interleave.RunFree(context.Background(), variant, n[0], n[1])
		if err != nil {
			return nil, err
		}
		return toJSON(res)
	})
}

// argWhole returns args[i] if it is a whole number (of at most a million,
// either side of 0: more is no task or run count).
func argWhole(args []safejs.Value, i int, what string) (int, error) {
	f, err := argNumber(args, i, what)
	if err != nil {
		return 0, err
	}
	if !isWhole(f) {
		return 0, fmt.Errorf("%w: %s must be a whole number, not %s", errArgs, what, describe(args[i]))
	}
	return int(f), nil
}

func isWhole(f float64) bool { return f == math.Trunc(f) && f >= -1e6 && f <= 1e6 }
