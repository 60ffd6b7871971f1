package engine

import (
	"slices"
	"sync"
	"time"

	"github.com/gosharedstate/playground/cache/pool"
)

// Measures are the numbers the guided lessons' results are made of, beyond
// the Snapshot's: each is counted from the cache's and the pool's hooks, or
// by the lessons' operations, as the scene runs.
type Measures struct {
	// MaxExpiredStored is the most entries stored while already expired:
	// counted just before each sweep (when it is largest: lazy expiry on Get
	// refuses an expired entry but leaves it stored, only a sweep or a Set
	// removes it) and at the moment Measure is called.
	MaxExpiredStored int `json:"maxExpiredStored"`
	// SweepLockMs is the scene time the janitor's sweeps held the lock, in
	// all.
	SweepLockMs float64 `json:"sweepLockMs"`

	PoolMaxWaiting int `json:"poolMaxWaiting"` // the longest line of tasks waiting for a connection
	// PoolDestroyed counts the connections closed while the scene ran
	// (broken, idle, too old); the pool's closing at Stop is not counted.
	PoolDestroyed   int `json:"poolDestroyed"`
	PoolConstructed int `json:"poolConstructed"` // connections the pool started to open
	PoolBroken      int `json:"poolBroken"`      // connections the tasks destroyed as broken (Extras.BreakEvery)
	// OutOfOrderGrants counts the tasks that got a connection after
	// waiting while a task that had started waiting before them (by more
	// than arrivalSlack) still waited: 0 for a pool that grants in order
	// of arrival.
	OutOfOrderGrants    int `json:"outOfOrderGrants"`
	PoolGrantsAfterWait int `json:"poolGrantsAfterWait"` // connections granted to a task that had waited in line

	OriginRequests int    `json:"originRequests"` // requests the loader sent to the Origin
	OriginErrors   int    `json:"originErrors"`   // of them, those that failed
	OriginError    string `json:"originError,omitempty"`

	Increments int `json:"increments"` // additions the counter's tasks made (getThenSet, update)

	Sweeps uint64 `json:"sweeps"` // the janitor's sweeps so far (as in Snapshot)
}

// measures are the counters behind Measures.
type measures struct {
	mu       sync.Mutex
	m        Measures
	expires  []time.Duration // by key: when the stored entry expires (scene time), 0 none
	waiting  []waiter        // tasks waiting for a connection, in order of arrival
	poolUses int
}

func (ms *measures) init(keys int) { ms.expires = make([]time.Duration, keys) }

func (ms *measures) with(f func(m *Measures)) {
	ms.mu.Lock()
	f(&ms.m)
	ms.mu.Unlock()
}

func (ms *measures) increment()     { ms.with(func(m *Measures) { m.Increments++ }) }
func (ms *measures) originRequest() { ms.with(func(m *Measures) { m.OriginRequests++ }) }
func (ms *measures) originFailed(err error) {
	ms.with(func(m *Measures) {
		m.OriginErrors++
		if m.OriginError == "" {
			m.OriginError = err.Error()
		}
	})
}

// stored records when key's new entry expires (ttl 0: never).
func (ms *measures) stored(key int, now, ttl time.Duration) {
	if key < 0 || key >= len(ms.expires) {
		return
	}
	ms.mu.Lock()
	ms.expires[key] = 0
	if ttl > 0 {
		ms.expires[key] = now + ttl
	}
	ms.mu.Unlock()
}

// expiredNow counts the entries present (by the stats' bookkeeping) whose
// time is up, and keeps the most.
func (e *Engine) expiredNow() {
	now := e.clock.Elapsed()
	e.st.mu.Lock()
	present := slices.Clone(e.st.present)
	e.st.mu.Unlock()
	ms := &e.meas
	ms.mu.Lock()
	n := 0
	for k, on := range present {
		if on && k < len(ms.expires) && ms.expires[k] != 0 && ms.expires[k] <= now {
			n++
		}
	}
	ms.m.MaxExpiredStored = max(ms.m.MaxExpiredStored, n)
	ms.mu.Unlock()
}

func (ms *measures) sweepHeld(d time.Duration) {
	ms.with(func(m *Measures) { m.SweepLockMs += durMs(d) })
}

// waiter is a task in the pool's line, and when it joined.
type waiter struct {
	id int32
	at time.Duration
}

// arrivalSlack is how much earlier a waiter must have arrived to be
// passed over. The Waiting hook runs just before the waiter parks on the
// pool's channel, which is what orders the line: natively two goroutines
// arriving at the same moment can run the hook in one order and park in
// the other (in a synctest bubble, at the very same instant). In the
// browser's single thread nothing runs between the two, and arrivals are
// never that close.
const arrivalSlack = time.Millisecond

// poolWaiting records task id joining the line at position (1 first), at
// scene time now.
func (ms *measures) poolWaiting(id int32, position int, now time.Duration) {
	ms.mu.Lock()
	ms.waiting = append(ms.waiting, waiter{id, now})
	ms.m.PoolMaxWaiting = max(ms.m.PoolMaxWaiting, position, len(ms.waiting))
	ms.mu.Unlock()
}

// poolLeft takes task id out of the line: it got a connection (granted)
// or gave up. A grant to a task behind another still waiting is out of
// order.
func (ms *measures) poolLeft(id int32, granted bool) {
	ms.mu.Lock()
	if i := slices.IndexFunc(ms.waiting, func(w waiter) bool { return w.id == id }); i >= 0 {
		if granted {
			ms.m.PoolGrantsAfterWait++
			if i > 0 && ms.waiting[0].at < ms.waiting[i].at-arrivalSlack {
				ms.m.OutOfOrderGrants++
			}
		}
		ms.waiting = slices.Delete(ms.waiting, i, i+1)
	}
	ms.mu.Unlock()
}

func (ms *measures) poolDestroyed(reason pool.DestroyReason) {
	if reason == pool.Closed {
		return
	}
	ms.with(func(m *Measures) { m.PoolDestroyed++ })
}

func (ms *measures) poolConstructing() { ms.with(func(m *Measures) { m.PoolConstructed++ }) }

// poolUse counts a pool use and reports whether it is to break its
// connection (every's multiple).
func (ms *measures) poolUse(every int) bool {
	if every <= 0 {
		return false
	}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.poolUses++
	if ms.poolUses%every == 0 {
		ms.m.PoolBroken++
		return true
	}
	return false
}

// Measure returns the lessons' numbers now (see Measures).
func (e *Engine) Measure() Measures {
	if e.State() != StateIdle {
		e.expiredNow()
	}
	e.st.mu.Lock()
	sweeps := e.st.sweeps
	e.st.mu.Unlock()
	e.meas.mu.Lock()
	defer e.meas.mu.Unlock()
	m := e.meas.m
	m.Sweeps = sweeps
	return m
}
