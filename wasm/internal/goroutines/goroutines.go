// Package goroutines lets a test watch the goroutines the code under test
// started, and only those: a leak check that counts
// runtime.NumGoroutine sees the whole process (the runtime's own
// goroutines, the testing package's, those of tests that ran before) and
// fails when one of them comes or goes at the wrong moment.
//
// A test takes Running before it starts the code, and after it asks
// Started: the goroutines that were not there before and run, or were
// started by, code of this module. Goroutine ids are never reused, so an id
// in both lists is the same goroutine.
package goroutines

import (
	"runtime"
	"strconv"
	"strings"
)

// module is the prefix of every function of this module in a stack.
const module = "github.com/gosharedstate/playground/"

// Running returns the stack of every goroutine now, by goroutine id.
func Running() map[int]string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := make(map[int]string)
	for _, st := range strings.Split(string(buf), "\n\n") {
		// "goroutine 12 [chan receive]:\n..."
		rest, ok := strings.CutPrefix(st, "goroutine ")
		if !ok {
			continue
		}
		idText, _, _ := strings.Cut(rest, " ")
		if id, err := strconv.Atoi(idText); err == nil {
			out[id] = st
		}
	}
	return out
}

// Started returns the stacks of the goroutines running now that are not in
// before and whose stack names this module (a function of it, or the
// function of it that started the goroutine), in no particular order.
func Started(before map[int]string) []string {
	var left []string
	for id, st := range Running() {
		if _, old := before[id]; !old && strings.Contains(st, module) {
			left = append(left, st)
		}
	}
	return left
}
