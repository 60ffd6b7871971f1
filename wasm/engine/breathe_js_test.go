//go:build js && wasm

package engine

import (
	"sync/atomic"
	"syscall/js"
	"testing"
	"time"
)

// workerLoop plays the worker: a chain of setTimeout(0) callbacks, each an
// event-loop turn, that drain e as the worker does once per frame. It runs
// until stop is closed, or the callbacks have run until(turns) returns true,
// and returns the number of turns and of events. If the event loop does
// not turn, it returns after the stop and a grace of 2 s.
func workerLoop(e *Engine, stop <-chan struct{}, until func(turns int64) bool) (turns, events int64) {
	var done atomic.Bool
	var count atomic.Int64
	enough := make(chan struct{})
	finished := make(chan struct{})
	buf := make([]byte, 0, (DefaultEventBuffer+64)*EventSize)
	var cb js.Func
	cb = js.FuncOf(func(js.Value, []js.Value) any {
		n := count.Add(1)
		buf = e.Drain(buf[:0])
		events += int64(len(buf) / EventSize)
		if until(n) && !done.Load() {
			close(enough)
			done.Store(true)
		}
		if done.Load() {
			close(finished)
			return nil
		}
		js.Global().Call("setTimeout", cb, 0)
		return nil
	})
	js.Global().Call("setTimeout", cb, 0)
	select {
	case <-stop:
		done.Store(true)
	case <-enough:
	}
	select {
	case <-finished:
		cb.Release()
	case <-time.After(2 * time.Second):
		// The event loop did not turn again: leave cb to a leak.
	}
	return count.Load(), events
}

// TestEventLoopTurnsUnderLoad runs 1,000 busy tasks (no think, no work)
// under js/wasm and checks that the event loop still turns, so that the
// worker can drain events and answer the page: it waits for 3 turns (a few
// tens of milliseconds on an idle machine), up to the watchdog on a loaded
// one. Without breathing, it does not turn at all in a second (logged, for
// comparison).
func TestEventLoopTurnsUnderLoad(t *testing.T) {
	measure := func(every time.Duration, want int64, limit time.Duration) (turns int64) {
		e, err := New(busyScene(1000))
		if err != nil {
			t.Fatal(err)
		}
		e.breath.init(every)
		if err := e.Start(); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		go func() {
			time.Sleep(limit)
			close(stop)
		}()
		start := time.Now()
		turns, events := workerLoop(e, stop, func(n int64) bool { return n >= want })
		el := time.Since(start).Seconds()
		e.Stop()
		sn := e.Snapshot()
		t.Logf("breathing after %v: %d event-loop turns in %.2f s; %.0f ops/s, %.0f events/s drained, %d aggregated; %d breaths (%.0f ms)",
			every, turns, el, float64(sn.Ops)/el, float64(events)/el, sn.EventsAggregated, sn.Breaths, sn.BreathMs)
		return turns
	}
	if on := measure(defaultBreatheEvery, 3, time.Until(watchdog(t))); on < 3 {
		t.Errorf("only %d event-loop turns of a busy scene before the watchdog", on)
	}
	measure(0, 30, time.Second)
}

// TestCalmSceneBreaths logs how often a scene whose tasks think breathes:
// on an idle machine, hardly ever (the worker drains it every turn).
func TestCalmSceneBreaths(t *testing.T) {
	s := DefaultScene()
	s.Tasks = 100
	s.Speed = 10
	e := mustStart(t, s)
	stop := make(chan struct{})
	go func() {
		time.Sleep(500 * time.Millisecond)
		close(stop)
	}()
	turns, events := workerLoop(e, stop, func(int64) bool { return false })
	e.Stop()
	t.Logf("%d turns, %d events, %d breaths", turns, events, e.Snapshot().Breaths)
}
