package engine

import (
	"testing"
	"testing/synctest"
	"time"
)

// These tests run a whole engine in a synctest bubble, where time is
// exact. They keep WorkMs at 0: a goroutine that sleeps while holding a
// sync.Mutex that others wait for hangs synctest (golang/go#77687), so work
// under the lock is tested on real time (engine_test.go).

// expiryScene has one task that sets key0 once, after a think of 5 to 15
// s, then thinks again; the entry lives 1 s and the janitor sweeps every
// 100 ms.
func expiryScene(speed float64) Scene {
	s := DefaultScene()
	s.Tasks, s.Keys = 1, 1
	s.Mix = Mix{Set: 1}
	s.ThinkMs, s.WorkMs = 10000, 0
	s.TTLMs, s.CleanupMs = 1000, 100
	s.Speed = speed
	return s
}

func firstOf(evs []Event, k Kind) (Event, bool) {
	for _, e := range evs {
		if e.Kind == k {
			return e, true
		}
	}
	return Event{}, false
}

// drainUntil drains e every 10 ms of (bubble) time into *evs until an
// event of kind k is among them, and returns the first.
func drainUntil(e *Engine, evs *[]Event, k Kind) Event {
	for {
		time.Sleep(10 * time.Millisecond)
		*evs = append(*evs, DecodeEvents(e.Drain(nil))...)
		if ev, ok := firstOf(*evs, k); ok {
			return ev
		}
	}
}

func TestSweepOnSceneTime(t *testing.T) {
	for _, speed := range []float64{1, 4, 0.5} {
		synctest.Test(t, func(t *testing.T) {
			e := mustStart(t, expiryScene(speed))
			defer e.Stop()
			// Wait for the end of the sweep that expired the entry: this
			// goroutine can wake at the very instant of a sweep and drain
			// between its expire event and its end.
			var evs []Event
			var exp, end Event
			start := time.Now()
			for end.Kind == KindNone {
				time.Sleep(50 * time.Millisecond)
				evs = append(evs, DecodeEvents(e.Drain(nil))...)
				var ok bool
				if exp, ok = firstOf(evs, KindCacheExpire); ok {
					for _, ev := range evs {
						if ev.Kind == KindSweepEnd && ev.T == exp.T {
							end = ev
						}
					}
				}
				if time.Since(start) > time.Hour {
					t.Fatalf("no sweep expired the entry within an hour: %d events", len(evs))
				}
			}
			set, _ := firstOf(evs, KindCacheSet)
			if set.Dur != 1000 {
				t.Errorf("set TTL %v ms, want 1000", set.Dur)
			}
			// Removed by the first sweep at or after its expiry; sweeps
			// run every 100 ms of scene time.
			if exp.T < set.T+1000 || exp.T > set.T+1100 {
				t.Errorf("speed %v: set at %.1f ms, swept at %.1f ms; want within 100 ms after %.1f", speed, set.T, exp.T, set.T+1000)
			}
			if end.Aux != 1 || end.Key != 0 || end.Task != TaskJanitor {
				t.Errorf("sweepEnd: %+v, want 1 removed, 0 remaining", end)
			}
		})
	}
}

func TestPausedSceneDoesNotExpire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := mustStart(t, expiryScene(1))
		defer e.Stop()
		var evs []Event
		set := drainUntil(e, &evs, KindCacheSet)
		time.Sleep(500 * time.Millisecond) // half the TTL
		e.Pause()
		time.Sleep(24 * time.Hour)
		evs = DecodeEvents(e.Drain(nil))
		if _, ok := firstOf(evs, KindCacheExpire); ok {
			t.Fatal("an entry expired while the scene was paused")
		}
		if sn := e.Snapshot(); sn.Entries != 1 || sn.SceneMs > set.T+600 {
			t.Fatalf("paused for a day: %+v", sn)
		}
		e.Resume()
		resumedAt := time.Now()
		exp := drainUntil(e, &evs, KindCacheExpire)
		if exp.T < set.T+1000 || exp.T > set.T+1100 {
			t.Errorf("set at %.1f, swept at %.1f scene ms", set.T, exp.T)
		}
		if real := time.Since(resumedAt); real > 700*time.Millisecond {
			t.Errorf("expiry came %v after resume; the TTL had about 500 ms left", real)
		}
	})
}

func TestSpeedChangeMidScene(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := expiryScene(1)
		s.Keys = 100000 // the task does not set the same key again (it would refresh it)
		s.TTLMs = 60000 // a minute of scene time
		s.CleanupMs = 1000
		e := mustStart(t, s)
		defer e.Stop()
		for {
			time.Sleep(10 * time.Millisecond)
			if e.Snapshot().Sets == 1 {
				break
			}
		}
		if err := e.SetSpeed(10); err != nil {
			t.Fatal(err)
		}
		// The first entry's minute of scene time, and the sweep after it,
		// take 6 to 6.1 s of real time at 10x.
		time.Sleep(5900 * time.Millisecond)
		if sn := e.Snapshot(); sn.Swept != 0 {
			t.Errorf("after 5.9 s at 10x: %+v", sn)
		}
		time.Sleep(201 * time.Millisecond)
		if sn := e.Snapshot(); sn.Swept != 1 {
			t.Errorf("after 6.1 s at 10x: %+v", sn)
		}
	})
}

// TestPauseFreezesTheScene pauses a busy scene (every operation, the
// janitor, the pool with timeouts): once every goroutine of the bubble is
// blocked (the tasks at their next step or on the frozen clock), nothing
// happens for any time at all, and Resume lets it run on. In the bubble
// "nothing more happens" is exact, where real time could only guess it.
func TestPauseFreezesTheScene(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := fastScene(LockingMutex)
		s.WorkMs = 0 // see the top of this file
		e := mustStart(t, s)
		defer e.Stop()
		time.Sleep(100 * time.Millisecond)
		e.Pause()
		if e.State() != StatePaused {
			t.Fatalf("state %q", e.State())
		}
		synctest.Wait()
		if before := DecodeEvents(e.Drain(nil)); !containsKind(before, KindScenePause) || !containsKind(before, KindOpEnd) {
			t.Fatal("no scenePause event, or no operation before it")
		}
		ms := e.Snapshot().SceneMs
		time.Sleep(time.Hour) // TTLs, sweeps, think times and acquire timeouts many times over
		synctest.Wait()
		if evs := DecodeEvents(e.Drain(nil)); len(evs) != 0 {
			t.Errorf("%d events while paused, first %+v", len(evs), evs[0])
		}
		if got := e.Snapshot().SceneMs; got != ms {
			t.Errorf("scene time moved while paused: %v -> %v", ms, got)
		}
		e.Resume()
		time.Sleep(100 * time.Millisecond)
		after := DecodeEvents(e.Drain(nil))
		if !containsKind(after, KindSceneResume) || !containsKind(after, KindOpEnd) || !containsKind(after, KindSweepEnd) {
			t.Error("the scene did not resume")
		}
		if e.State() != StateRunning {
			t.Errorf("state %q", e.State())
		}
	})
}
