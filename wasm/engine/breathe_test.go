package engine

import (
	"runtime"
	"testing"
	"time"

	"github.com/gosharedstate/playground/wasm/internal/goroutines"
)

func busyScene(tasks int) Scene {
	s := DefaultScene()
	s.Tasks = tasks
	s.Keys = 10000
	s.ThinkMs, s.WorkMs, s.LoadMs = 0, 0, 0
	s.Mix = Mix{Get: 60, Set: 20, Delete: 5, GetOrLoad: 10, Pool: 5}
	s.PoolSize = 20
	s.Speed = 10
	return s
}

// TestBreathing turns breathing on natively: tasks still make progress,
// breaths happen, and Stop in the middle of one leaves nothing behind.
func TestBreathing(t *testing.T) {
	before := goroutines.Running()
	e, err := New(busyScene(50))
	if err != nil {
		t.Fatal(err)
	}
	e.breath.init(2 * time.Millisecond)
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	// Nobody drains, so the tasks breathe every 2 ms: wait until they have
	// done both (however slow the machine), then stop in the middle.
	start := time.Now()
	for wd := watchdog(t); ; time.Sleep(time.Millisecond) {
		if sn := e.Snapshot(); sn.Breaths > 0 && sn.Ops > 0 {
			break
		}
		if time.Now().After(wd) {
			t.Fatalf("no breath and op: %+v", e.Snapshot())
		}
	}
	time.Sleep(20 * time.Millisecond)
	stopAndWait(t, e)
	noneLeft(t, before)
	sn := e.Snapshot()
	t.Logf("%d ops, %d breaths in %v", sn.Ops, sn.Breaths, time.Since(start).Round(time.Millisecond))
}

func TestBreathingIsOffNatively(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("on under js")
	}
	if defaultBreatheEvery != 0 {
		t.Errorf("defaultBreatheEvery = %v natively", defaultBreatheEvery)
	}
}
