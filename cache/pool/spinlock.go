package pool

import (
	"runtime"
	"sync/atomic"
)

// spinMutex is a lock for critical sections that are a few dozen
// instructions long and never block: the pool's own bookkeeping. Unlike
// sync.Mutex, which parks a contending goroutine as soon as the processor
// has other goroutines to run (and so, under heavy oversubscription, turns
// every contended lock into a park, a wake-up and a convoy), it spins
// while the holder runs on another processor, and yields with
// runtime.Gosched only if the holder does not let go soon (it was
// descheduled). No code of the user (hooks, Constructor, Destructor,
// HealthCheck, Clock) ever runs while it is held.
type spinMutex struct {
	v     atomic.Int32
	spins int // how long to spin before yielding; 0: yield at once
}

// newSpinMutex returns a spinMutex tuned for the current GOMAXPROCS: with
// one processor the holder cannot be running while another goroutine
// waits, so spinning is useless.
func newSpinMutex() spinMutex {
	if runtime.GOMAXPROCS(0) > 1 {
		return spinMutex{spins: 2000}
	}
	return spinMutex{}
}

func (m *spinMutex) Lock() {
	if !m.v.CompareAndSwap(0, 1) {
		m.lockSlow()
	}
}

func (m *spinMutex) lockSlow() {
	limit := m.spins
	for spins := 0; ; spins++ {
		if m.v.Load() == 0 && m.v.CompareAndSwap(0, 1) {
			return
		}
		if spins >= limit {
			runtime.Gosched()
			spins = 0
		}
	}
}

func (m *spinMutex) Unlock() { m.v.Store(0) }
