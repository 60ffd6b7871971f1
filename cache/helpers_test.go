package cache

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var lockings = []Locking{Mutex, RWMutex, Sharded}

// inEachLocking runs f as a subtest in a synctest bubble for each locking.
func inEachLocking(t *testing.T, f func(t *testing.T, l Locking)) {
	for _, l := range lockings {
		t.Run(l.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { f(t, l) })
		})
	}
}

// tracedCache returns a cache made with opts whose tracingHooks record
// every event into r.
func tracedCache(t *testing.T, r *recorder, opts ...Option) *Cache[string, int] {
	var c *Cache[string, int]
	c = New[string, int](append(opts, WithHooks(tracingHooks(r, &c, t)))...)
	return c
}

// manualClock is a Clock that moves only when told to. The fuzz test and the
// examples use it; the other tests use testing/synctest and the real clock.
type manualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (m *manualClock) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

func (m *manualClock) Advance(d time.Duration) {
	m.mu.Lock()
	m.now = m.now.Add(d)
	var fire []*manualTimer
	for _, t := range m.timers {
		if t.armed && !t.at.After(m.now) {
			t.armed = false
			fire = append(fire, t)
		}
	}
	now := m.now
	m.mu.Unlock()
	for _, t := range fire {
		select {
		case t.c <- now:
		default:
		}
	}
}

func (m *manualClock) NewTimer(d time.Duration) Timer {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := &manualTimer{m: m, c: make(chan time.Time, 1), at: m.now.Add(d), armed: true}
	m.timers = append(m.timers, t)
	return t
}

type manualTimer struct {
	m     *manualClock
	c     chan time.Time
	at    time.Time
	armed bool
}

func (t *manualTimer) C() <-chan time.Time { return t.c }

func (t *manualTimer) Stop() bool {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	was := t.armed
	t.armed = false
	return was
}

func (t *manualTimer) Reset(d time.Duration) bool {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	was := t.armed
	t.armed, t.at = true, t.m.now.Add(d)
	return was
}

// recorder records hook events as strings, in order.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events
	r.events = nil
	return e
}
