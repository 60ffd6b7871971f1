package lesson

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/gosharedstate/playground/cache"
	"github.com/gosharedstate/playground/wasm/internal/goroutines"
)

// The forgot-close lesson's program: real caches with real janitors, and
// the janitor goroutines counted from the runtime's list of goroutines
// (runtime.Stack), the count a leak check would make. No cache hook
// reports a janitor's end, and none is needed: a goroutine is there or it
// is not.

// janitorFunc is in every janitor goroutine's stack: its "created by"
// line names it (cache.runJanitor is there only once the goroutine has
// first run; before, the stack shows a wrapper of the go statement).
const janitorFunc = "cache.startJanitor"

// Janitors counts the janitor goroutines running now that are not in
// before (goroutines.Running): those a lesson started, or, with an empty
// before, every one (the running scene's included).
func Janitors(before map[int]string) int {
	n := 0
	for _, st := range goroutines.Started(before) {
		if strings.Contains(st, janitorFunc) {
			n++
		}
	}
	return n
}

// Collect runs the garbage collector twice (a weakly held cache is
// unreachable after one cycle; the second sweeps what the first freed) and
// returns the janitors running now, before any has had its next tick.
func Collect(before map[int]string) int {
	runtime.GC()
	runtime.GC()
	return Janitors(before)
}

// janitorProgram makes n caches with a janitor every interval, uses each,
// and closes them or not; then it counts the janitors, collects garbage,
// and counts them again once every janitor has had time for two ticks.
func janitorProgram(closeThem bool, n int, interval time.Duration) program {
	return func(ctx context.Context, say func(string)) (map[string]float64, error) {
		before := goroutines.Running()
		made := makeCaches(n, interval)
		started := Janitors(before)
		say(fmt.Sprintf("Made %d caches, each with a janitor every %v: %d janitor goroutines running.", n, interval, started))
		if closeThem {
			for _, c := range made {
				c.Close()
			}
			say("Called Close on each: Close stops the janitor and waits for it to end.")
		} else {
			say("Done with the caches, and no Close: nothing stops the janitors.")
		}
		made = nil // the program keeps no cache: each is unreachable now
		if err := sleep(ctx, 2*interval); err != nil {
			return nil, err
		}
		afterRun := Janitors(before)
		say(fmt.Sprintf("Two cleanup intervals later: %d janitor goroutines still running.", afterRun))
		atCollect := Collect(before)
		say(fmt.Sprintf("runtime.GC(): the caches are unreachable, so their weak pointers are cleared (%d janitors still running until their next tick).", atCollect))
		afterCollect := atCollect
		for i := 0; i < 10 && afterCollect > 0; i++ {
			if err := sleep(ctx, interval); err != nil {
				return nil, err
			}
			afterCollect = Janitors(before)
		}
		say(fmt.Sprintf("After their next tick: %d janitor goroutines running.", afterCollect))
		return map[string]float64{
			"janitorsStarted":             float64(started),
			"janitorsRunningAfterRun":     float64(afterRun),
			"janitorsRunningAfterCollect": float64(afterCollect),
		}, nil
	}
}

// makeCaches makes and uses n caches; the caller holds them only through
// the slice. They are Cache[string, int], the shape the step mode's
// caches have (wasm/interleave), so that they share its code: each distinct
// instantiation of the generic cache adds about 60 KB to the WebAssembly.
func makeCaches(n int, interval time.Duration) []*cache.Cache[string, int] {
	made := make([]*cache.Cache[string, int], n)
	for i := range made {
		c := cache.New[string, int](cache.WithTTL(time.Minute), cache.WithCleanupInterval(interval))
		c.Set("visits", i)
		c.Get("visits")
		made[i] = c
	}
	return made
}
