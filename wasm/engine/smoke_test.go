package engine

import (
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	s := DefaultScene()
	s.Speed = 10
	e, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	e.Stop()
	evs := DecodeEvents(e.Drain(nil))
	counts := map[Kind]int{}
	for _, ev := range evs {
		counts[ev.Kind]++
	}
	for k := KindNone; k < numKinds; k++ {
		t.Log(k, counts[k])
	}
	t.Logf("%+v", e.Snapshot())
}
