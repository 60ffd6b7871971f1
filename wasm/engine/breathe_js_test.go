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
// until stop is closed and returns the number of turns and of events.
func workerLoop(e *Engine, stop <-chan struct{}) (turns, events int64) {
	var done atomic.Bool
	finished := make(chan struct{})
	buf := make([]byte, 0, (DefaultEventBuffer+64)*EventSize)
	var cb js.Func
	cb = js.FuncOf(func(js.Value, []js.Value) any {
		turns++
		buf = e.Drain(buf[:0])
		events += int64(len(buf) / EventSize)
		if done.Load() {
			close(finished)
			return nil
		}
		js.Global().Call("setTimeout", cb, 0)
		return nil
	})
	js.Global().Call("setTimeout", cb, 0)
	<-stop
	done.Store(true)
	select {
	case <-finished:
		cb.Release()
	case <-time.After(2 * time.Second):
		// The event loop did not turn again: leave cb to a leak.
	}
	return turns, events
}

// TestEventLoopTurnsUnderLoad runs 1,000 busy tasks (no think, no work)
// under js/wasm and checks that the event loop still turns, so that the
// worker can drain events and answer the page.
func TestEventLoopTurnsUnderLoad(t *testing.T) {
	measure := func(every time.Duration) (turns int64) {
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
			time.Sleep(time.Second)
			close(stop)
		}()
		start := time.Now()
		turns, events := workerLoop(e, stop)
		el := time.Since(start).Seconds()
		e.Stop()
		sn := e.Snapshot()
		t.Logf("breathing after %v: %d event-loop turns in %.2f s; %.0f ops/s, %.0f events/s drained, %d aggregated; %d breaths (%.0f ms)",
			every, turns, el, float64(sn.Ops)/el, float64(events)/el, sn.EventsAggregated, sn.Breaths, sn.BreathMs)
		return turns
	}
	// Without breathing the event loop does not turn at all (see the log);
	// the number of turns with it depends on the machine.
	if on := measure(defaultBreatheEvery); on < 3 {
		t.Errorf("only %d event-loop turns in about a second of a busy scene", on)
	}
	measure(0)
}

// TestCalmSceneDoesNotBreathe: a scene whose tasks think is drained every
// turn and never needs a breath.
func TestCalmSceneDoesNotBreathe(t *testing.T) {
	s := DefaultScene()
	s.Tasks = 100
	s.Speed = 10
	e := mustStart(t, s)
	stop := make(chan struct{})
	go func() {
		time.Sleep(500 * time.Millisecond)
		close(stop)
	}()
	turns, events := workerLoop(e, stop)
	e.Stop()
	sn := e.Snapshot()
	t.Logf("%d turns, %d events, %d breaths", turns, events, sn.Breaths)
	if sn.Breaths*10 > uint64(turns) {
		t.Errorf("a calm scene took %d breaths in %d turns of the event loop", sn.Breaths, turns)
	}
}
