package cache

import (
	"runtime"
	"sync"
	"time"
	"weak"
)

// This file is the sweep, which removes the expired entries, and the
// janitor, the goroutine that runs it every cleanup interval.

// janitor is the background sweeper. It holds the cache only through a weak
// pointer, so that an unreachable cache is collected and its janitor ends.
type janitor struct {
	once sync.Once
	stop chan struct{}
	done chan struct{}
}

func (j *janitor) close() {
	j.once.Do(func() { close(j.stop) })
	<-j.done
}

func startJanitor[K comparable, V any](co *core[K, V], interval time.Duration) *janitor {
	j := &janitor{stop: make(chan struct{}), done: make(chan struct{})}
	// The schedule starts now, not when the goroutine first runs.
	clock := co.clock
	t := clock.NewTimer(interval)
	next := clock.Now().Add(interval)
	go runJanitor(weak.Make(co), j, clock, t, next, interval)
	return j
}

func runJanitor[K comparable, V any](wp weak.Pointer[core[K, V]], j *janitor, clock Clock, t Timer, next time.Time, interval time.Duration) {
	defer close(j.done)
	defer t.Stop()
	for {
		select {
		case <-j.stop:
			return
		case <-t.C():
		}
		if !sweepWeak(wp) {
			return // the cache was collected
		}
		// Keep to the schedule: one sweep per interval, whatever a sweep
		// takes, so an entry is removed within one interval of expiring.
		now := clock.Now()
		next = next.Add(interval)
		if d := next.Sub(now); d > 0 {
			t.Reset(d)
		} else {
			next = now.Add(interval)
			t.Reset(interval)
		}
	}
}

// sweepWeak sweeps the cache wp points to, if it still exists. It keeps the
// strong pointer only for the duration of the sweep.
//
//go:noinline
func sweepWeak[K comparable, V any](wp weak.Pointer[core[K, V]]) bool {
	co := wp.Value()
	if co == nil {
		return false
	}
	(&Cache[K, V]{c: co, hooks: co.hooks}).sweep()
	runtime.KeepAlive(co)
	return true
}

// sweep removes every expired entry, reporting to the handle's hooks.
func (c *Cache[K, V]) sweep() int {
	co := c.c
	h := c.hooks
	var start time.Time
	if h != nil && h.SweepStart != nil {
		h.SweepStart(co.count())
	}
	if h != nil && h.SweepEnd != nil {
		start = co.clock.Now()
	}
	now := co.now()
	removed := 0
	var keys []K
	collect := h != nil && h.Expire != nil
	for i := range co.shards {
		var n int
		n, keys = c.sweepShard(i, now, collect, keys[:0])
		removed += n
		if collect {
			for _, k := range keys {
				h.Expire(k)
			}
		}
	}
	co.stats.sweeps.Add(1)
	if h != nil && h.SweepEnd != nil {
		h.SweepEnd(removed, co.count(), co.clock.Now().Sub(start))
	}
	return removed
}

func (c *Cache[K, V]) sweepShard(i int, now int64, collect bool, keys []K) (int, []K) {
	s := &c.c.shards[i]
	l := c.lock(s, i, OpSweep, false)
	defer c.unlock(s, &l)
	return s.sweep(now, collect, keys)
}

// count returns the number of entries, for the sweep hooks. It takes each
// shard's lock in turn but reports nothing to the lock hooks.
func (co *core[K, V]) count() int {
	n := 0
	for i := range co.shards {
		s := &co.shards[i]
		co.locker(s, true).Lock()
		n += len(s.items)
		co.locker(s, true).Unlock()
	}
	return n
}
