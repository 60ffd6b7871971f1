//go:build js && wasm

package main

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hack-pad/safejs"

	"github.com/gosharedstate/playground/wasm/engine"
	"github.com/gosharedstate/playground/wasm/interleave"
)

// Loading a step-mode run, from a link (stepFromQuery) or from the page's
// controls and a host's playground:load (stepLoad): the one place their
// input is judged. What is wrong comes back as {ok: false, errors:
// [{field, message}]}, naming the field and the value (cut short), as the
// scene bindings answer, so that the page and the postMessage API show it
// the same way; the run loaded before stays as it was.

// stepLoaded is what stepLoad, stepFromQuery, stepReset and stepState
// return: the run's state, or what is wrong with the request.
type stepLoaded struct {
	OK     bool                `json:"ok"`
	State  *interleave.State   `json:"state,omitempty"`
	Errors []engine.FieldError `json:"errors,omitempty"`
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
	// Each field's reader returns what is wrong with its value, or "".
	fields := []struct {
		name string
		read func(v safejs.Value) string
	}{
		{"variant", func(v safejs.Value) string {
			if t, ok := typeOf(v); !ok || t != safejs.TypeString {
				return fmt.Sprintf("variant must be one of %s, not %s", strings.Join(interleave.Variants(), ", "), describe(v))
			}
			variant, _ = v.String()
			return ""
		}},
		{"tasks", func(v safejs.Value) string {
			f, err := number(v, "tasks")
			if err != nil || !isWhole(f) {
				return fmt.Sprintf("tasks must be a whole number from 1 to %d, not %s", interleave.MaxTasks, describe(v))
			}
			tasks = int(f)
			return ""
		}},
		{"schedule", func(v safejs.Value) string {
			if t, ok := typeOf(v); !ok || t != safejs.TypeString {
				return fmt.Sprintf("schedule must be a string of task numbers such as \"0,1,0\", not %s", describe(v))
			}
			schedule, _ = v.String()
			return ""
		}},
	}
	for _, f := range fields {
		if obj.IsUndefined() {
			break
		}
		v, err := obj.Get(f.name)
		if err != nil {
			return nil, err
		}
		if v.IsUndefined() {
			continue
		}
		if wrong := f.read(v); wrong != "" {
			return fieldErrors(f.name, wrong)
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
