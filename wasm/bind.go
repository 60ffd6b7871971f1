//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/hack-pad/safejs"
)

// A binding is a Go function the page can call. It gets the JavaScript
// arguments and returns a value safejs can convert, or an error.
type binding func(args []safejs.Value) (any, error)

// export sets obj[name] to a JavaScript function that calls fn. Whatever fn
// does, the function returns: a value, or on an error or a panic a
// JavaScript Error object whose message starts with name (the worker glue
// throws it). A panic never reaches the Go runtime's top, where it would
// end the program and leave every later call failing with "Go program has
// already exited".
func export(obj safejs.Value, name string, fn binding) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		return call(name, fn, args)
	})
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	return obj.Set(name, f.Value())
}

// call runs fn and turns its outcome into a JavaScript value.
func call(name string, fn binding, args []safejs.Value) (result any) {
	defer func() {
		if r := recover(); r != nil {
			result = jsError(fmt.Errorf("%s: internal error (please report it): %v", name, r), debug.Stack())
		}
	}()
	v, err := fn(args)
	if err != nil {
		return jsError(fmt.Errorf("%s: %w", name, err), nil)
	}
	return v
}

// promise returns a JavaScript Promise settled by fn, which runs on its own
// goroutine: a binding must never block inside the callback from
// JavaScript, where waiting on a lock, a timer or the network deadlocks the
// runtime. A panic in fn rejects the promise.
func promise(name string, fn func() (any, error)) (any, error) {
	ctor, err := safejs.Global().Get("Promise")
	if err != nil {
		return nil, err
	}
	executor, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) < 2 {
			return nil
		}
		resolve, reject := args[0], args[1]
		go func() {
			defer func() {
				if r := recover(); r != nil {
					_, _ = reject.Invoke(jsError(fmt.Errorf("%s: internal error (please report it): %v", name, r), debug.Stack()))
				}
			}()
			v, err := fn()
			if err != nil {
				_, _ = reject.Invoke(jsError(fmt.Errorf("%s: %w", name, err), nil))
				return
			}
			_, _ = resolve.Invoke(v)
		}()
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The Promise constructor calls the executor before it returns, so the
	// function can be released right after.
	defer executor.Release()
	return ctor.New(executor.Value())
}

// jsError makes a JavaScript Error with err's message. A stack, if given,
// goes to the Error's goStack property for the console.
func jsError(err error, stack []byte) any {
	ctor, gerr := safejs.Global().Get("Error")
	if gerr != nil {
		return err.Error()
	}
	v, gerr := ctor.New(err.Error())
	if gerr != nil {
		return err.Error()
	}
	if stack != nil {
		_ = v.Set("goStack", string(stack))
	}
	return v
}

// errArgs is wrapped by the argument helpers' errors.
var errArgs = errors.New("bad arguments")

// argObject returns args[i] if it is an object, or undefined if it is
// missing or undefined; anything else is an error naming what.
func argObject(args []safejs.Value, i int, what string) (safejs.Value, error) {
	if i >= len(args) || args[i].IsUndefined() || args[i].IsNull() {
		return safejs.Undefined(), nil
	}
	if t := args[i].Type(); t != safejs.TypeObject {
		return safejs.Undefined(), fmt.Errorf("%w: %s must be an object, not a %s", errArgs, what, t)
	}
	return args[i], nil
}

// argFunc returns args[i] if it is a function.
func argFunc(args []safejs.Value, i int, what string) (safejs.Value, error) {
	if i >= len(args) || args[i].Type() != safejs.TypeFunction {
		got := "nothing"
		if i < len(args) {
			got = "a " + args[i].Type().String()
		}
		return safejs.Undefined(), fmt.Errorf("%w: %s must be a function, not %s", errArgs, what, got)
	}
	return args[i], nil
}

// optNumber reads obj[name] as a finite number, or returns def when it is
// undefined.
func optNumber(obj safejs.Value, name string, def float64) (float64, error) {
	if obj.IsUndefined() {
		return def, nil
	}
	v, err := obj.Get(name)
	if err != nil {
		return 0, err
	}
	if v.IsUndefined() {
		return def, nil
	}
	if v.Type() != safejs.TypeNumber || v.IsNaN() {
		return 0, fmt.Errorf("%w: %s must be a number, not a %s", errArgs, name, v.Type())
	}
	f, err := v.Float()
	if err != nil {
		return 0, err
	}
	if f-f != 0 {
		return 0, fmt.Errorf("%w: %s must be finite", errArgs, name)
	}
	return f, nil
}
