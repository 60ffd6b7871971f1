//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/gosharedstate/playground/wasm/engine"
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
// Bad input never throws: what a link or a host sent comes back as
// {ok: false, errors: [{field, message}]} naming the field and the value,
// as the scene bindings do, so that the page and the postMessage API show
// it the same way. Only a call of the wrong shape from the page's own code
// (a task that is not a whole number) is an Error.

var stepSession interleave.Session

// stepLoaded is what stepLoad, stepFromQuery, stepReset and stepState
// return: the run's state, or what is wrong with the request.
type stepLoaded struct {
	OK     bool                `json:"ok"`
	State  *interleave.State   `json:"state,omitempty"`
	Errors []engine.FieldError `json:"errors,omitempty"`
}

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

func fieldErrors(field, message string) (string, error) {
	return toJSON(stepLoaded{Errors: clipFields([]engine.FieldError{{Field: field, Message: message}})})
}

// loadStep is the one place a step-mode run is loaded, from a link or a
// host's message: it loads the variant and replays the schedule, or names
// the field that is wrong with the core's own message.
func loadStep(variant string, tasks int, schedule []int) (string, error) {
	if tasks == 0 { // the core reads 0 as "the default": here it was asked for
		return fieldErrors("tasks", fmt.Sprintf("tasks must be between 1 and %d (got 0)", interleave.MaxTasks))
	}
	if !slices.Contains(interleave.Variants(), variant) { // said here to cut a long value short
		return fieldErrors("variant", fmt.Sprintf("variant %s is not one of %s", quoted(variant), strings.Join(interleave.Variants(), ", ")))
	}
	if err := stepSession.Load(variant, tasks, schedule); err != nil {
		field := "schedule"
		if tasks < 1 || tasks > interleave.MaxTasks {
			field = "tasks"
		}
		return fieldErrors(field, err.Error())
	}
	return toJSON(stepLoaded{OK: true, State: stepState()})
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

// stepLoad(options) loads {variant, tasks, schedule} (a host's
// playground:load, or the page's own controls): variant a string (default
// unlocked), tasks a whole number (default 2), schedule a string such as
// "0,1,0" (default none). It returns a stepLoaded as JSON.
func stepLoad(args []safejs.Value) (any, error) {
	obj, err := argObject(args, 0, "options")
	if err != nil {
		return nil, err
	}
	variant, tasks, schedule := interleave.Unlocked, interleave.DefaultTasks, ""
	if !obj.IsUndefined() {
		v, err := obj.Get("variant")
		if err != nil {
			return nil, err
		}
		if !v.IsUndefined() {
			if t, ok := typeOf(v); !ok || t != safejs.TypeString {
				return fieldErrors("variant", fmt.Sprintf("variant must be one of %s, not %s", strings.Join(interleave.Variants(), ", "), describe(v)))
			}
			variant, _ = v.String()
		}
		n, err := obj.Get("tasks")
		if err != nil {
			return nil, err
		}
		if !n.IsUndefined() {
			f, ferr := number(n, "tasks")
			if ferr != nil || f != math.Trunc(f) || f < -1e6 || f > 1e6 {
				return fieldErrors("tasks", fmt.Sprintf("tasks must be a whole number from 1 to %d, not %s", interleave.MaxTasks, describe(n)))
			}
			tasks = int(f)
		}
		s, err := obj.Get("schedule")
		if err != nil {
			return nil, err
		}
		if !s.IsUndefined() {
			if t, ok := typeOf(s); !ok || t != safejs.TypeString {
				return fieldErrors("schedule", fmt.Sprintf("schedule must be a string of task numbers such as \"0,1,0\", not %s", describe(s)))
			}
			schedule, _ = s.String()
		}
	}
	steps, err := interleave.ParseSchedule(schedule)
	if err != nil {
		return fieldErrors("schedule", err.Error())
	}
	return loadStep(variant, tasks, steps)
}

// stepFromQuery(query) loads the run a link names:
// ?lesson=interleave&variant=V&tasks=N&schedule=0,1,0 (each optional, each
// at most once). It returns a stepLoaded as JSON.
func stepFromQuery(args []safejs.Value) (any, error) {
	s, err := argString(args, 0, "query")
	if err != nil {
		return nil, err
	}
	q, err := url.ParseQuery(strings.TrimPrefix(s, "?"))
	if err != nil {
		return fieldErrors("", fmt.Sprintf("the link's query is malformed: %v", err))
	}
	for _, name := range []string{"variant", "tasks", "schedule"} {
		if len(q[name]) > 1 {
			return fieldErrors(name, fmt.Sprintf("%s is given %d times in the link", name, len(q[name])))
		}
	}
	variant, tasks := interleave.Unlocked, interleave.DefaultTasks
	if q.Has("variant") {
		variant = q.Get("variant")
	}
	if q.Has("tasks") {
		n, err := strconv.Atoi(q.Get("tasks"))
		if err != nil {
			return fieldErrors("tasks", fmt.Sprintf("tasks must be a whole number from 1 to %d (got %s)", interleave.MaxTasks, quoted(q.Get("tasks"))))
		}
		tasks = n
	}
	steps, err := interleave.ParseSchedule(q.Get("schedule"))
	if err != nil {
		return fieldErrors("schedule", err.Error())
	}
	return loadStep(variant, tasks, steps)
}

// stepStep(task) lets a task take its next step. A task that does not
// exist, has finished or is blocked is refused, with the reason, and
// nothing changes. It returns a stepped as JSON.
func stepStep(args []safejs.Value) (any, error) {
	f, err := argNumber(args, 0, "task")
	if err != nil {
		return nil, err
	}
	if f != math.Trunc(f) || f < -1e6 || f > 1e6 {
		return nil, fmt.Errorf("%w: task must be a whole number, not %s", errArgs, describe(args[0]))
	}
	r := stepSession.Step(int(f))
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

var freeRun struct {
	sync.Mutex
	cancel context.CancelFunc
}

// stepRunFree(variant, tasks, runs) lets Go's scheduler run the variant
// without the gate, runs times over, and returns a Promise of its
// FreeResult as JSON. A new call cancels the one before (between runs).
func stepRunFree(args []safejs.Value) (any, error) {
	variant, err := argString(args, 0, "variant")
	if err != nil {
		return nil, err
	}
	whole := func(i int, what string) (int, error) {
		f, err := argNumber(args, i, what)
		if err != nil {
			return 0, err
		}
		if f != math.Trunc(f) || f < 0 || f > 1e9 {
			return 0, fmt.Errorf("%w: %s must be a whole number, not %s", errArgs, what, describe(args[i]))
		}
		return int(f), nil
	}
	tasks, err := whole(1, "tasks")
	if err != nil {
		return nil, err
	}
	runs, err := whole(2, "runs")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	freeRun.Lock()
	if freeRun.cancel != nil {
		freeRun.cancel()
	}
	freeRun.cancel = cancel
	freeRun.Unlock()
	return promise("stepRunFree", func() (any, error) {
		defer cancel()
		res, err := interleave.RunFree(ctx, variant, tasks, runs)
		if err != nil {
			return nil, err
		}
		return toJSON(res)
	})
}
