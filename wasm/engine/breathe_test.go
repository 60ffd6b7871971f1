package engine

import (
	"runtime"
	"testing"
	"time"
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
	base := runtime.NumGoroutine()
	e, err := New(busyScene(50))
	if err != nil {
		t.Fatal(err)
	}
	e.breath.init(2 * time.Millisecond)
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	stopWithin(t, e, 5*time.Second)
	goroutinesBack(t, base)
	sn := e.Snapshot()
	if sn.Breaths == 0 || sn.Ops == 0 {
		t.Errorf("breaths %d, ops %d", sn.Breaths, sn.Ops)
	}
	t.Logf("%d ops, %d breaths in 200 ms", sn.Ops, sn.Breaths)
}

func TestBreathingIsOffNatively(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("on under js")
	}
	if defaultBreatheEvery != 0 {
		t.Errorf("defaultBreatheEvery = %v natively", defaultBreatheEvery)
	}
}
