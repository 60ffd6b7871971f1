package engine

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// received reports whether ch has a value now, without waiting.
func received(ch <-chan time.Time) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestClockScale(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewSceneClock(2)
		t0 := c.Now()
		time.Sleep(time.Second)
		if got := c.Now().Sub(t0); got != 2*time.Second {
			t.Errorf("after 1 s real at 2x: %v of scene time, want 2s", got)
		}
		tm := c.NewTimer(4 * time.Second) // 2 s real
		time.Sleep(1999 * time.Millisecond)
		synctest.Wait()
		if received(tm.C()) {
			t.Fatal("timer fired early")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if !received(tm.C()) {
			t.Fatal("timer did not fire at its scene deadline")
		}
		c.SetSpeed(0.5)
		t1 := c.Now()
		time.Sleep(time.Second)
		if got := c.Now().Sub(t1); got != 500*time.Millisecond {
			t.Errorf("after 1 s real at 0.5x: %v, want 500ms", got)
		}
	})
}

func TestClockRescalePending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewSceneClock(1)
		tm := c.NewTimer(10 * time.Second)
		time.Sleep(4 * time.Second) // 6 s of scene time left
		c.SetSpeed(3)               // 2 s real
		time.Sleep(1999 * time.Millisecond)
		synctest.Wait()
		if received(tm.C()) {
			t.Fatal("fired early after speed-up")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if !received(tm.C()) {
			t.Fatal("did not fire after speed-up")
		}
		// Slowing down postpones a pending timer.
		tm.Reset(time.Second)
		c.SetSpeed(0.1) // 10 s real
		time.Sleep(9 * time.Second)
		synctest.Wait()
		if received(tm.C()) {
			t.Fatal("fired early after slow-down")
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if !received(tm.C()) {
			t.Fatal("did not fire after slow-down")
		}
	})
}

func TestClockPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewSceneClock(1)
		tm := c.NewTimer(time.Second)
		time.Sleep(500 * time.Millisecond)
		c.Pause()
		if !c.Paused() {
			t.Fatal("not paused")
		}
		frozen := c.Now()
		time.Sleep(time.Hour)
		synctest.Wait()
		if received(tm.C()) {
			t.Fatal("a timer fired while paused")
		}
		if !c.Now().Equal(frozen) {
			t.Fatal("Now advanced while paused")
		}
		c.Pause() // idempotent
		c.SetSpeed(2)
		c.Resume()
		c.Resume() // idempotent
		time.Sleep(249 * time.Millisecond)
		synctest.Wait()
		if received(tm.C()) {
			t.Fatal("fired early after resume")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if !received(tm.C()) {
			t.Fatal("did not fire after resume")
		}
		if got := c.Now().Sub(frozen); got != 500*time.Millisecond {
			t.Errorf("scene time after resume: %v, want 500ms", got)
		}
	})
}

func TestClockStopResetAfterFunc(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewSceneClock(1)
		tm := c.NewTimer(time.Second)
		if !tm.Stop() {
			t.Error("Stop of a pending timer = false")
		}
		if tm.Stop() {
			t.Error("second Stop = true")
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if received(tm.C()) {
			t.Error("a stopped timer fired")
		}
		if tm.Reset(time.Second) {
			t.Error("Reset of a stopped timer = true")
		}
		time.Sleep(time.Second)
		synctest.Wait()
		// Fired, not yet received: Reset drops the stale value.
		tm.Reset(time.Second)
		if received(tm.C()) {
			t.Error("stale value after Reset")
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if !received(tm.C()) {
			t.Error("Reset timer did not fire")
		}

		fired := make(chan struct{})
		c.AfterFunc(time.Second, func() { close(fired) })
		stopped := c.AfterFunc(time.Second, func() { t.Error("stopped AfterFunc ran") })
		stopped.Stop()
		time.Sleep(time.Second)
		synctest.Wait()
		select {
		case <-fired:
		default:
			t.Error("AfterFunc did not run")
		}
		if n := c.Pending(); n != 0 {
			t.Errorf("%d timers pending", n)
		}
	})
}

func TestClockSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewSceneClock(4)
		start := time.Now()
		if err := c.Sleep(t.Context(), 8*time.Second); err != nil {
			t.Fatal(err)
		}
		if real := time.Since(start); real != 2*time.Second {
			t.Errorf("8 s of scene at 4x took %v real", real)
		}
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		c.Pause()
		if err := c.Sleep(ctx, time.Millisecond); err != context.Canceled {
			t.Errorf("Sleep on a paused clock, cancelled: %v", err)
		}
		if c.Pending() != 0 {
			t.Error("a cancelled Sleep left its timer")
		}
		if err := c.Sleep(ctx, 0); err != context.Canceled {
			t.Errorf("Sleep(0) with a done context: %v", err)
		}
	})
}
