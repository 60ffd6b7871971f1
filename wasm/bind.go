//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"unicode/utf8"

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
		return clip(err.Error(), maxMessage)
	}
	v, gerr := ctor.New(clip(err.Error(), maxMessage))
	if gerr != nil {
		return clip(err.Error(), maxMessage)
	}
	if stack != nil {
		_ = v.Set("goStack", string(stack))
	}
	return v
}

// errArgs is wrapped by the argument helpers' errors.
var errArgs = errors.New("bad arguments")

// typeOf is v.Type() that cannot panic. syscall/js knows seven of
// JavaScript's eight types: a BigInt (which postMessage carries like any
// number) makes Type panic with "bad type flag", so a page that sends one
// would get "internal error" instead of a message about its argument. ok is
// false for a BigInt, the only value whose type syscall/js cannot name.
func typeOf(v safejs.Value) (t safejs.Type, ok bool) {
	defer func() {
		if recover() != nil {
			t, ok = safejs.TypeUndefined, false
		}
	}()
	return v.Type(), true
}

// maxEcho is how much of a value an error message repeats: enough to
// recognise it, never the 20 MB a page may send.
const maxEcho = 48

// maxFieldMessage and maxMessage bound a scene field's message and a whole
// error message; ours are far shorter, and only an echo of the input makes
// one longer.
const (
	maxFieldMessage = 200
	maxMessage      = 1000
)

// clip returns s, or its first max bytes followed by how long s is:
// "aaaa… (20000000 bytes)".
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return prefix(s, max) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// prefix is s cut to at most max bytes, at a character boundary.
func prefix(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

// quoted is s as a Go string literal, or its prefix as one with the length
// after it: "aaaa…" (20000000 bytes).
func quoted(s string) string {
	if len(s) <= maxEcho {
		return strconv.Quote(s)
	}
	return strconv.Quote(prefix(s, maxEcho)+"…") + " (" + strconv.Itoa(len(s)) + " bytes)"
}

// describe names a JavaScript value for an error message: its type and,
// for a primitive, the value itself, clipped ("NaN", "the number 2.5",
// "the string \"fast\"", "the BigInt 5n", "an array"). Nothing about it can
// fail or panic.
func describe(v safejs.Value) string {
	t, ok := typeOf(v)
	if !ok {
		text := "?"
		if str, err := safejs.Global().Get("String"); err == nil {
			if s, err := str.Invoke(v); err == nil {
				text, _ = s.String()
			}
		}
		if len(text) > maxEcho {
			return "the BigInt " + prefix(text, maxEcho) + "…n (" + strconv.Itoa(len(text)) + " digits)"
		}
		return "the BigInt " + text + "n"
	}
	switch t {
	case safejs.TypeUndefined:
		return "undefined"
	case safejs.TypeNull:
		return "null"
	case safejs.TypeBoolean:
		b, _ := v.Bool()
		return "the boolean " + strconv.FormatBool(b)
	case safejs.TypeNumber:
		f, _ := v.Float()
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		}
		return "the number " + strconv.FormatFloat(f, 'g', -1, 64)
	case safejs.TypeString:
		s, _ := v.String()
		return "the string " + quoted(s)
	case safejs.TypeSymbol:
		return "a symbol"
	case safejs.TypeFunction:
		return "a function"
	}
	if isArray(v) {
		return "an array"
	}
	return "an object"
}

func isArray(v safejs.Value) bool {
	arr, err := safejs.Global().Get("Array")
	if err != nil {
		return false
	}
	r, err := arr.Call("isArray", v)
	if err != nil {
		return false
	}
	b, _ := r.Bool()
	return b
}

// argObject returns args[i] if it is an object (not an array), or undefined
// if it is missing, undefined or null; anything else is an error naming
// what and the value.
func argObject(args []safejs.Value, i int, what string) (safejs.Value, error) {
	if i >= len(args) || args[i].IsUndefined() || args[i].IsNull() {
		return safejs.Undefined(), nil
	}
	if t, ok := typeOf(args[i]); !ok || t != safejs.TypeObject || isArray(args[i]) {
		return safejs.Undefined(), fmt.Errorf("%w: %s must be an object, not %s", errArgs, what, describe(args[i]))
	}
	return args[i], nil
}

// argFunc returns args[i] if it is a function.
func argFunc(args []safejs.Value, i int, what string) (safejs.Value, error) {
	if i >= len(args) {
		return safejs.Undefined(), fmt.Errorf("%w: %s must be a function, not nothing", errArgs, what)
	}
	if t, ok := typeOf(args[i]); !ok || t != safejs.TypeFunction {
		return safejs.Undefined(), fmt.Errorf("%w: %s must be a function, not %s", errArgs, what, describe(args[i]))
	}
	return args[i], nil
}

// argString returns args[i] if it is a string.
func argString(args []safejs.Value, i int, what string) (string, error) {
	if i >= len(args) {
		return "", fmt.Errorf("%w: %s must be a string, not nothing", errArgs, what)
	}
	if t, ok := typeOf(args[i]); !ok || t != safejs.TypeString {
		return "", fmt.Errorf("%w: %s must be a string, not %s", errArgs, what, describe(args[i]))
	}
	return args[i].String()
}

// argNumber returns args[i] if it is a finite number.
func argNumber(args []safejs.Value, i int, what string) (float64, error) {
	if i >= len(args) {
		return 0, fmt.Errorf("%w: %s must be a number, not nothing", errArgs, what)
	}
	return number(args[i], what)
}

// number returns v if it is a finite number: NaN and the infinities are
// numbers to JavaScript, and named as what they are.
func number(v safejs.Value, what string) (float64, error) {
	if t, ok := typeOf(v); !ok || t != safejs.TypeNumber {
		return 0, fmt.Errorf("%w: %s must be a number, not %s", errArgs, what, describe(v))
	}
	f, err := v.Float()
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%w: %s must be a finite number, not %s", errArgs, what, describe(v))
	}
	return f, nil
}
