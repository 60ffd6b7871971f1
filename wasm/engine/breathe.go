package engine

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// breather makes every task of a scene pause together, briefly, when the
// JavaScript event loop of the thread Go runs on has not had a turn for a
// while, so that the worker can read its messages even when the tasks are
// busy.
//
// Under GOOS=js there is one thread and no preemption, and Go hands the
// thread back to the event loop only when no goroutine can run. With
// hundreds of busy tasks, some timer is always due and some goroutine
// always runnable (measured: 500 goroutines looping on 1 ms sleeps are
// janky, 1,000 freeze; and under Node, 1,000 tasks with no think time gave
// the event loop one turn in a second). So when neither a breath nor a call
// of Drain or Snapshot (which the worker makes from JavaScript, so they
// prove the event loop turned) has happened for every (defaultBreatheEvery) of real time,
// the next task to start a step closes a gate that every task waits at, at
// its next step, until the worker calls Drain or Snapshot (the event loop
// turned) or breatheMax has passed. Once all of them wait (or sleep), Go is
// idle and the event loop runs. A scene whose tasks think is idle most of the time anyway: the
// worker drains it every frame and it never breathes. The durations in
// events are measured, so a breath shows as it is: a little more think
// time.
//
// Natively, goroutines are preempted and run in parallel, so breathing is
// off by default there (defaultBreatheEvery is 0 unless GOOS is js).
type breather struct {
	every, pause, max time.Duration

	mu          sync.Mutex
	last        time.Time     // when the last breath ended, or the last heartbeat
	gate        chan struct{} // non-nil during a breath; closed at its end
	timer       *time.Timer   // checks whether the breath can end
	began       time.Time     // when the breath in progress began
	beats       uint64        // heartbeats so far
	beatsBefore uint64        // heartbeats when the breath in progress began
	n           uint64        // breaths taken
	total       time.Duration // the real time spent in breaths
}

// The breathing rule in the browser: when the event loop has not turned for
// 20 ms (a frame and a bit), breathe, until the worker drains (the event
// loop turned) or 50 ms have passed; whether it can end is checked every
// 1 ms (4 ms as browsers clamp timers).
const (
	breathePause = time.Millisecond
	breatheMax   = 50 * time.Millisecond
	jsBreathe    = 20 * time.Millisecond
)

var defaultBreatheEvery = func() time.Duration {
	if runtime.GOOS == "js" {
		return jsBreathe
	}
	return 0
}()

func (b *breather) init(every time.Duration) {
	b.every, b.pause, b.max = every, breathePause, breatheMax
	b.last = time.Now()
}

// wait waits out a breath, starting one if it is due. It reports false if
// ctx ended meanwhile.
func (b *breather) wait(ctx context.Context) bool {
	if b.every <= 0 {
		return true
	}
	b.mu.Lock()
	g := b.gate
	if g == nil && time.Since(b.last) >= b.every {
		g = make(chan struct{})
		b.gate = g
		b.n++
		b.began = time.Now()
		b.beatsBefore = b.beats
		b.timer = time.AfterFunc(b.pause, func() { b.check(g) })
	}
	b.mu.Unlock()
	if g == nil {
		return true
	}
	select {
	case <-g:
		return true
	case <-ctx.Done():
		return false
	}
}

// check ends the breath of gate g if the event loop has turned since it
// began, or it has lasted b.max; else it checks again after b.pause.
//
// Why not end it after a fixed pause: while Go is in a garbage collection's
// mark phase, its idle time goes to marking, not to the event loop (under
// Node, breaths of a fixed 1 ms after the last task arrived gave no turn
// of the event loop for the first second of a busy scene).
func (b *breather) check(g chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gate != g || g == nil {
		return
	}
	if b.beats == b.beatsBefore && time.Since(b.began) < b.max {
		b.timer.Reset(b.pause)
		return
	}
	b.endLocked()
}

func (b *breather) endLocked() {
	close(b.gate)
	b.gate = nil
	b.timer.Stop()
	b.timer = nil
	b.last = time.Now()
	b.total += b.last.Sub(b.began)
}

// heartbeat notes that the event loop has just had a turn.
func (b *breather) heartbeat() {
	if b.every <= 0 {
		return
	}
	b.mu.Lock()
	b.beats++
	if b.gate == nil {
		b.last = time.Now()
	}
	b.mu.Unlock()
}

// end ends the breath in progress, if any.
func (b *breather) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gate != nil {
		b.endLocked()
	}
}

// breaths returns how many breaths were taken, and the real time they took.
func (b *breather) breaths() (uint64, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n, b.total
}
