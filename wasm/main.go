//go:build js && wasm

// Command wasm is the playground's Go side, compiled to WebAssembly and run
// in a Web Worker. It registers its bindings on one global JavaScript
// object, playground, and then waits for calls. Every binding goes through
// github.com/hack-pad/safejs, never panics into JavaScript, and never blocks
// the callback it was called in.
package main

import (
	"fmt"
	"maps"
	"runtime"
	"slices"

	"github.com/hack-pad/safejs"
)

func main() {
	global := safejs.Global()
	if err := register(global, benchRequested(global)); err != nil {
		// The page sees that playground never became ready, and why.
		fmt.Println("playground: cannot register bindings:", err)
		return
	}
	select {} // serve calls until the worker is terminated
}

// bindings are the functions the page may call, by name.
var bindings = map[string]binding{
	"selfTest": selfTest,

	"sceneSpec":      sceneSpec,
	"sceneParse":     sceneParse,
	"sceneFromQuery": sceneFromQuery,
	"sceneStart":     sceneStart,
	"scenePause":     scenePause,
	"sceneResume":    sceneResume,
	"sceneSpeed":     sceneSpeed,
	"sceneStop":      sceneStop,
	"sceneDrain":     sceneDrain,
	"sceneSnapshot":  sceneSnapshot,

	// The step mode (step.go).
	"stepSpec":       stepSpec,
	"stepLoad":       stepLoad,
	"stepFromQuery":  stepFromQuery,
	"stepStep":       stepStep,
	"stepUndo":       stepUndo,
	"stepReset":      stepReset,
	"stepState":      stepStateJSON,
	"stepStop":       stepStop,
	"stepGoroutines": stepGoroutines,
	"stepRunFree":    stepRunFree,

	// The guided lessons (lessons.go).
	"lessonList":    lessonList,
	"lessonCheck":   lessonCheck,
	"lessonRun":     lessonRun,
	"lessonStop":    lessonStop,
	"lessonCollect": lessonCollect,
}

// register sets global.playground to a frozen object with the bindings (and
// the benchmark's, if bench), goVersion, and bindings: the sorted names of
// the functions, which is all the worker will call. The object has no
// prototype, so a method name from a message ("constructor", "toString",
// "__proto__") finds nothing inherited even before the worker checks the
// list.
func register(global safejs.Value, bench bool) error {
	pg, err := newPlayground(global, bench)
	if err != nil {
		return err
	}
	return global.Set("playground", pg)
}

func newPlayground(global safejs.Value, bench bool) (safejs.Value, error) {
	objCtor, err := global.Get("Object")
	if err != nil {
		return safejs.Undefined(), err
	}
	pg, err := objCtor.Call("create", nil)
	if err != nil {
		return safejs.Undefined(), err
	}
	if err := pg.Set("goVersion", runtime.Version()); err != nil {
		return safejs.Undefined(), err
	}
	fns := maps.Clone(bindings)
	if bench {
		maps.Copy(fns, benchBindings)
	}
	var names []any
	for _, name := range slices.Sorted(maps.Keys(fns)) {
		if err := export(pg, name, fns[name]); err != nil {
			return safejs.Undefined(), err
		}
		names = append(names, name)
	}
	list, err := safejs.ValueOf(names)
	if err != nil {
		return safejs.Undefined(), err
	}
	if _, err := objCtor.Call("freeze", list); err != nil {
		return safejs.Undefined(), err
	}
	if err := pg.Set("bindings", list); err != nil {
		return safejs.Undefined(), err
	}
	if _, err := objCtor.Call("freeze", pg); err != nil {
		return safejs.Undefined(), err
	}
	return pg, nil
}

// selfTest(what) exercises the boundary itself, for the tests: "panic"
// panics inside the binding and "panicAsync" inside a promise's goroutine;
// both must come back as JavaScript errors with the instance still alive.
// "spin" starts a goroutine that never blocks, which freezes the instance
// for good: only the page's test of a runaway scene uses it.
func selfTest(args []safejs.Value) (any, error) {
	what, shown := "", "nothing"
	if len(args) > 0 {
		shown = describe(args[0])
		if t, ok := typeOf(args[0]); ok && t == safejs.TypeString {
			what, _ = args[0].String()
		}
	}
	switch what {
	case "panic":
		panic("selfTest: deliberate panic")
	case "panicAsync":
		return promise("selfTest", func() (any, error) { panic("selfTest: deliberate async panic") })
	case "ok":
		return "ok", nil
	case "spin":
		// A goroutine that never blocks: with no preemption in WebAssembly
		// it freezes the whole Go side, for the test that Stop still
		// stops (by terminating the worker).
		go func() {
			for {
			}
		}()
		return "spinning", nil
	}
	return nil, fmt.Errorf("%w: selfTest wants \"ok\", \"panic\", \"panicAsync\" or \"spin\", not %s", errArgs, shown)
}
