package engine

import (
	"testing"
	"time"
)

func TestZZ(t *testing.T) {
	s := DefaultScene()
	s.Tasks, s.Keys, s.TTLMs, s.CleanupMs, s.WorkMs, s.Speed = 1, 1, 2000, 0, 20, 10
	x := Extras{Script: [][]Step{{{Op: OpSet, Key: 0}, {Think: 50 * time.Millisecond, Op: OpGet, Key: 0}}}}
	e, _ := NewWith(s, x)
	e.Start()
	<-e.TasksDone()
	e.Stop()
	for _, ev := range DecodeEvents(e.Drain(nil)) {
		t.Logf("%8.2f %v task %d key %d aux %d flags %d dur %.2f", ev.T, ev.Kind, ev.Task, ev.Key, ev.Aux, ev.Flags, ev.Dur)
	}
}
