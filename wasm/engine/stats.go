package engine

import (
	"slices"
	"sync"
	"time"
)

// Snapshot is the scene's numbers at one moment, for the page's counters
// and live charts. Times are scene milliseconds. Means are over the whole
// run; p99s are over the most recent samples (the last 2048).
//
// Every number comes from the hooks: Snapshot never waits for the cache's
// lock or the pool, so it is safe to call from a JavaScript callback.
type Snapshot struct {
	State   string  `json:"state"`   // "idle", "running", "paused" or "stopped"
	SceneMs float64 `json:"sceneMs"` // scene time since Start
	Speed   float64 `json:"speed"`   // the current time scale

	Ops       uint64  `json:"ops"`           // operations finished by the tasks
	OpsPerSec float64 `json:"opsPerSec"`     // per scene second, over the whole run
	Hits      uint64  `json:"hits"`          // cache hits (get, and get-or-load found)
	Misses    uint64  `json:"misses"`        // cache misses, expired ones included
	Expired   uint64  `json:"expiredMisses"` // misses that found an expired entry not yet swept
	HitRatio  float64 `json:"hitRatio"`      // hits / (hits + misses), 0 before any
	Sets      uint64  `json:"sets"`          // entries stored (set, and loads stored by get-or-load)
	Deletes   uint64  `json:"deletes"`       // entries removed by delete
	Evictions uint64  `json:"evictions"`     // entries evicted by the maxEntries bound
	Swept     uint64  `json:"expiredSwept"`  // expired entries removed by sweeps
	Sweeps    uint64  `json:"sweeps"`
	Loads     uint64  `json:"loads"` // get-or-load loads started

	LockWaitMeanMs float64 `json:"lockWaitMeanMs"`
	LockWaitP99Ms  float64 `json:"lockWaitP99Ms"`
	LockHoldMeanMs float64 `json:"lockHoldMeanMs"`
	LockAcquires   uint64  `json:"lockAcquires"` // lock acquisitions, the janitor's included

	PoolWaitMeanMs float64 `json:"poolWaitMeanMs"` // over successful acquires
	PoolWaitP99Ms  float64 `json:"poolWaitP99Ms"`
	PoolAcquires   uint64  `json:"poolAcquires"` // successful acquires
	PoolTimeouts   uint64  `json:"poolTimeouts"` // acquires that gave up after the acquire timeout

	// Entries is the number of entries stored (expired ones not yet swept
	// included), counted from the hooks: it can differ from Len by the few
	// operations in flight.
	Entries int `json:"entries"`

	PoolTotal   int `json:"poolTotal"`   // connections open or opening (pool.Stats)
	PoolIdle    int `json:"poolIdle"`    // open and not in use
	PoolInUse   int `json:"poolInUse"`   // held by a task
	PoolOpening int `json:"poolOpening"` // being opened (the constructor runs)
	PoolWaiting int `json:"poolWaiting"` // tasks waiting in line for a connection

	EventsEmitted    uint64 `json:"eventsEmitted"`    // records written to the buffer
	EventsAggregated uint64 `json:"eventsAggregated"` // events folded into aggregated counts

	// Breaths counts the pauses every task took together so that the
	// browser's event loop gets a turn (only under GOOS=js; see the package
	// documentation).
	Breaths uint64 `json:"breaths"`
	// BreathMs is the real time the breaths took, in all.
	BreathMs float64 `json:"breathMs"`
}

// series keeps the count and sum of a duration, and its recent samples for
// a percentile.
type series struct {
	n    uint64
	sum  time.Duration
	ring []time.Duration
	pos  int
}

const seriesWindow = 2048

func (s *series) init() { s.ring = make([]time.Duration, 0, seriesWindow) }

func (s *series) add(d time.Duration) {
	s.n++
	s.sum += d
	if len(s.ring) < cap(s.ring) {
		s.ring = append(s.ring, d)
	} else {
		s.ring[s.pos] = d
		s.pos = (s.pos + 1) % len(s.ring)
	}
}

func (s *series) meanMs() float64 {
	if s.n == 0 {
		return 0
	}
	return durMs(s.sum) / float64(s.n)
}

// p99Ms returns the 99th percentile of the recent samples (nearest rank).
func (s *series) p99Ms(scratch []time.Duration) float64 {
	if len(s.ring) == 0 {
		return 0
	}
	scratch = append(scratch[:0], s.ring...)
	slices.Sort(scratch)
	i := (len(scratch)*99+99)/100 - 1
	return durMs(scratch[min(i, len(scratch)-1)])
}

// stats are the counters behind Snapshot, fed by the hooks.
type stats struct {
	mu                                               sync.Mutex
	ops                                              uint64
	hits, misses, expiredMisses, sets, deletes, evic uint64
	swept, sweeps, loads                             uint64
	lockWait, poolWait                               series
	lockHold                                         series
	poolTimeouts                                     uint64
	present                                          []bool
	entries                                          int
	scratch                                          []time.Duration
}

func (s *stats) op() {
	s.mu.Lock()
	s.ops++
	s.mu.Unlock()
}

func (s *stats) setPresent(key int, on bool) {
	if key < 0 || key >= len(s.present) || s.present[key] == on {
		return
	}
	s.present[key] = on
	if on {
		s.entries++
	} else {
		s.entries--
	}
}

// Snapshot returns the scene's numbers now.
func (e *Engine) Snapshot() Snapshot {
	e.breath.heartbeat()
	e.mu.Lock()
	state, speed := e.state, e.scene.Speed
	e.mu.Unlock()
	var sn Snapshot
	sn.State, sn.Speed = state, speed
	if state != StateIdle {
		sn.SceneMs = e.now()
	}
	s := &e.st
	s.mu.Lock()
	sn.Ops = s.ops
	if sn.SceneMs > 0 {
		sn.OpsPerSec = float64(s.ops) / (sn.SceneMs / 1000)
	}
	sn.Hits, sn.Misses, sn.Expired = s.hits, s.misses, s.expiredMisses
	if s.hits+s.misses > 0 {
		sn.HitRatio = float64(s.hits) / float64(s.hits+s.misses)
	}
	sn.Sets, sn.Deletes, sn.Evictions = s.sets, s.deletes, s.evic
	sn.Swept, sn.Sweeps, sn.Loads = s.swept, s.sweeps, s.loads
	sn.LockWaitMeanMs = s.lockWait.meanMs()
	sn.LockWaitP99Ms = s.lockWait.p99Ms(s.scratch)
	sn.LockHoldMeanMs = s.lockHold.meanMs()
	sn.LockAcquires = s.lockWait.n
	sn.PoolWaitMeanMs = s.poolWait.meanMs()
	sn.PoolWaitP99Ms = s.poolWait.p99Ms(s.scratch)
	sn.PoolAcquires = s.poolWait.n
	sn.PoolTimeouts = s.poolTimeouts
	sn.Entries = s.entries
	if s.scratch == nil {
		s.scratch = make([]time.Duration, 0, seriesWindow)
	}
	s.mu.Unlock()
	if e.pool != nil && state != StateIdle {
		ps := e.pool.Stats()
		sn.PoolTotal, sn.PoolIdle, sn.PoolInUse = ps.Total, ps.Idle, ps.InUse
		sn.PoolOpening, sn.PoolWaiting = ps.Constructing, ps.Waiting
	}
	sn.EventsEmitted, sn.EventsAggregated = e.log.counts()
	n, took := e.breath.breaths()
	sn.Breaths, sn.BreathMs = n, durMs(took)
	return sn
}
