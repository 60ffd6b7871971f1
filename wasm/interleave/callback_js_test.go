//go:build js && wasm

package interleave

import (
	"syscall/js"
	"testing"
)

// The package doc says Step and Undo may be called from inside a
// JavaScript callback: they wait only for the run's own goroutines. (A
// callback that waited for a Promise would never return: the Promise's
// callback cannot run until it does.) This callback is called
// synchronously from JavaScript (Reflect.apply) and must return.
func TestStepInsideACallback(t *testing.T) {
	s := load(t, Unlocked, 2)
	var got []StepResult
	fn := js.FuncOf(func(js.Value, []js.Value) any {
		for _, task := range []int{0, 1, 0, 1, 0, 1} {
			got = append(got, s.Step(task))
		}
		got = append(got, s.Undo())
		return nil
	})
	defer fn.Release()
	js.Global().Get("Reflect").Call("apply", fn, js.Null(), js.Global().Get("Array").New())
	if len(got) != 7 || !got[5].OK || !got[5].Done || got[5].Count != 1 || !got[6].OK {
		t.Errorf("steps inside a callback: %+v", got)
	}
}
