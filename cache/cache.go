// Package cache is a concurrent, generic, in-memory cache whose entries can
// expire after a time to live (TTL), swept away by a background janitor
// goroutine that cannot outlive the cache.
//
// It is the Go counterpart of a lesson written for Rust and tokio: a map
// shared behind a lock, a background cleanup task, and entries with a TTL.
// The default configuration is the lesson's: one sync.Mutex around one map.
// WithLocking switches to a sync.RWMutex (readers share the lock) or to
// independently locked shards, with the same semantics.
//
// # Expiry
//
// Get never returns an expired entry. It does not remove it either: an entry
// whose TTL has run out stays stored (and counted by Len) until a sweep
// removes it, either the janitor's (WithCleanupInterval) or DeleteExpired.
// This keeps Get a pure read, so under RWMutex it only needs the read lock.
// A sweep costs time proportional to the number of entries that expired, not
// to the size of the cache: entries with a TTL are queued by expiry time.
//
// TTLs hold on the whole range of time.Duration: the cache's clock may run
// up to about 292 years past the time New read. (A clock set back before
// that time makes entries stored then expire no earlier than it.)
//
// # Keys
//
// A key that is not equal to itself, such as a float64 NaN (or a struct or
// interface holding one), could be stored but never found, deleted or
// evicted again. Such a key is never stored: Set and SetWithTTL do
// not store it (and report no event), Get and Delete find nothing,
// GetOrLoad runs its load and returns the result without sharing or
// storing it. Every bound and counter thus stays true.
//
// With an interface type in K (K any, say), a key whose dynamic type is not
// comparable makes the call panic, as a Go map does; the panic reaches the
// caller, the lock is released and the cache keeps working.
//
// # Lifetime
//
// The janitor goroutine holds only a weak pointer to the cache. Close stops
// it at once; a cache that becomes unreachable without Close is collected,
// and its janitor exits at its next tick.
//
// # Observability
//
// Stats returns counters. Hooks (WithHooks, Traced) report every event as it
// happens, including lock waits and hold times; with no hooks set, the cache
// does not read the clock for them and pays nothing for them.
package cache

import (
	"hash/maphash"
	"reflect"
	"runtime"
	"sync"
	"time"
	"weak"
)

// NoExpiration, given as a TTL, means the entry never expires.
const NoExpiration time.Duration = -1

// Locking selects how a Cache guards its entries.
type Locking int

const (
	// Mutex guards all entries with one sync.Mutex, as in the lesson. It is
	// the default.
	Mutex Locking = iota
	// RWMutex guards all entries with one sync.RWMutex: Get, Len and the
	// lookup of GetOrLoad take the read lock and run in parallel (unless
	// WithMaxEntries is set: then Get updates the recency order and takes
	// the write lock).
	RWMutex
	// Sharded splits the keys over several shards (WithShards), each
	// guarded by its own sync.Mutex.
	Sharded
)

var lockingNames = [...]string{"Mutex", "RWMutex", "Sharded"}

// String returns the name of the constant, as "RWMutex".
func (l Locking) String() string {
	if l >= 0 && int(l) < len(lockingNames) {
		return lockingNames[l]
	}
	return "Locking(" + itoa(int(l)) + ")"
}

// Option configures a Cache made by New.
type Option func(*config)

type config struct {
	ttl        time.Duration
	interval   time.Duration
	locking    Locking
	shards     int
	maxEntries int
	clock      Clock
	hooks      *Hooks
}

// WithTTL sets the TTL Set gives to entries. 0 or NoExpiration (the
// default): they never expire.
func WithTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }

// WithCleanupInterval sets how often the janitor goroutine sweeps expired
// entries away. 0 (the default) or less: there is no janitor goroutine, and
// expired entries stay stored until DeleteExpired or an overwrite.
func WithCleanupInterval(d time.Duration) Option { return func(c *config) { c.interval = d } }

// WithLocking selects the locking strategy: Mutex (the default), RWMutex or
// Sharded. An unknown value means Mutex.
func WithLocking(l Locking) Option { return func(c *config) { c.locking = l } }

// WithShards sets the number of shards used with Sharded locking, rounded up
// to a power of two (at most 1024). The default is 32. It has no effect with
// the other lockings.
func WithShards(n int) Option { return func(c *config) { c.shards = n } }

// WithMaxEntries bounds the number of entries: storing a new key in a full
// cache evicts the least recently used entry (Get and Set count as uses).
// With Sharded locking the bound is split over the shards, n in all (their
// number is reduced if needed so that each holds at least one entry), and
// the recency order is kept per shard, so the evicted entry is the least
// recently used of its shard. 0 or less (the default): no bound.
func WithMaxEntries(n int) Option { return func(c *config) { c.maxEntries = n } }

// WithClock sets the time source for TTLs and the janitor's timer. The
// default is SystemClock. A nil Clock means the default.
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithHooks sets the hooks the cache calls as things happen (see Hooks). The
// janitor's sweeps always report to these hooks; Traced gives other callers
// hooks of their own. A nil *Hooks means none.
func WithHooks(h *Hooks) Option { return func(c *config) { c.hooks = h } }

// Cache is a map from K to V, safe for concurrent use, whose entries may
// expire. Make one with New. A *Cache is a handle: Traced returns other
// handles on the same entries.
type Cache[K comparable, V any] struct {
	c     *core[K, V]
	hooks *Hooks
	root  *Cache[K, V] // the handle New returned; a Traced handle keeps it reachable
}

// core is the state shared by every handle of one cache.
type core[K comparable, V any] struct {
	shards  []shard[K, V]
	mask    uint64
	seed    maphash.Seed
	locking Locking
	rw      bool // locking == RWMutex
	ttl     time.Duration
	clock   Clock
	sys     bool // clock is the system clock
	panicky bool // K holds interfaces: hashing a key may panic (see lock)
	epoch   time.Time
	hooks   *Hooks // from WithHooks: the janitor reports to these
	jan     *janitor

	readStats [readStripes]readCounters // Get counters under the read lock
	stats     globalCounters
}

// New returns an empty cache configured by opts. If a cleanup interval is
// set, it starts the janitor goroutine; Close stops it.
func New[K comparable, V any](opts ...Option) *Cache[K, V] {
	cfg := config{}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.clock == nil {
		cfg.clock = SystemClock()
	}
	if cfg.locking < Mutex || cfg.locking > Sharded {
		cfg.locking = Mutex
	}
	co := &core[K, V]{
		seed:    maphash.MakeSeed(),
		locking: cfg.locking,
		rw:      cfg.locking == RWMutex,
		ttl:     max(cfg.ttl, 0),
		clock:   cfg.clock,
		hooks:   cfg.hooks,
	}
	_, co.sys = cfg.clock.(systemClock)
	co.panicky = mayPanicOnHash(reflect.TypeFor[K]())
	co.epoch = co.clock.Now()

	n := 1
	if cfg.locking == Sharded {
		want := cfg.shards
		if want <= 0 {
			want = 32
		}
		want = min(want, 1024)
		for n < want {
			n <<= 1
		}
		if cfg.maxEntries > 0 {
			for n > 1 && n > cfg.maxEntries {
				n >>= 1
			}
		}
	}
	co.shards = make([]shard[K, V], n)
	co.mask = uint64(n - 1)
	for i := range co.shards {
		// n/shards each, and one more for the first n%shards: n in all.
		perShard := 0
		if cfg.maxEntries > 0 {
			perShard = cfg.maxEntries / n
			if i < cfg.maxEntries%n {
				perShard++
			}
		}
		co.shards[i].init(co.rw, perShard)
	}

	c := &Cache[K, V]{c: co, hooks: cfg.hooks}
	c.root = c
	if cfg.interval > 0 {
		co.jan = startJanitor(co, cfg.interval)
	}
	return c
}

// Traced returns a handle on the same cache, with the same entries, lock,
// janitor and counters, whose calls report to h instead of the hooks given
// with WithHooks (h may be nil: no hooks). The janitor's sweeps keep
// reporting to the hooks given with WithHooks, and a sweep made by calling
// DeleteExpired on the returned handle reports to h. Close on any handle
// closes the cache. A live handle keeps the cache reachable.
func (c *Cache[K, V]) Traced(h *Hooks) *Cache[K, V] {
	return &Cache[K, V]{c: c.c, hooks: h, root: c.root}
}

// Close stops the janitor goroutine, if any, and waits for it to end. It is
// idempotent and always returns nil; the cache stays usable (expired entries
// are then removed only by DeleteExpired). Do not call it from a hook called
// by the janitor's sweep.
func (c *Cache[K, V]) Close() error {
	if j := c.c.jan; j != nil {
		j.close()
	}
	return nil
}

// Set stores value under key with the cache's default TTL (WithTTL).
func (c *Cache[K, V]) Set(key K, value V) { c.set(key, value, c.c.ttl) }

// SetWithTTL stores value under key with the given TTL: if ttl > 0, that
// TTL; if 0, the cache's default TTL; if negative (NoExpiration), the entry
// never expires.
func (c *Cache[K, V]) SetWithTTL(key K, value V, ttl time.Duration) {
	if ttl == 0 {
		ttl = c.c.ttl
	}
	c.set(key, value, ttl)
}

// Get returns the value stored under key and true, or the zero value and
// false if there is none or it has expired. It leaves an expired entry in
// place for the next sweep.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	v, ok, _ := c.get(key, OpGet)
	return v, ok
}

// Delete removes the entry stored under key, if any.
func (c *Cache[K, V]) Delete(key K) {
	co := c.c
	idx := co.shardIndex(key)
	s := &co.shards[idx]
	l := c.lock(s, idx, OpDelete, false)
	defer c.unlock(s, &l)
	_, ok := s.items[key]
	if ok {
		s.remove(key)
		s.deletes++
	}
	if len(s.calls) != 0 {
		s.invalidate(key)
	}
	c.unlock(s, &l)
	if ok {
		if h := c.hooks; h != nil && h.Delete != nil {
			h.Delete(key)
		}
	}
}

// Len returns the number of entries stored, expired entries not yet swept
// included.
func (c *Cache[K, V]) Len() int {
	co := c.c
	n := 0
	for i := range co.shards {
		n += c.shardLen(i)
	}
	return n
}

func (c *Cache[K, V]) shardLen(i int) int {
	s := &c.c.shards[i]
	l := c.lock(s, i, OpLen, true)
	defer c.unlock(s, &l)
	return len(s.items)
}

// DeleteExpired removes every expired entry now, as the janitor does, and
// returns how many it removed.
func (c *Cache[K, V]) DeleteExpired() int { return c.sweep() }

// now returns the current time on the cache's clock, in nanoseconds since
// the cache was made.
func (co *core[K, V]) now() int64 {
	if co.sys {
		return int64(time.Since(co.epoch))
	}
	return int64(co.clock.Now().Sub(co.epoch))
}

// expiry returns the expiry time of an entry stored now with ttl; 0 means
// never.
func (co *core[K, V]) expiry(ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	now := co.now()
	exp := now + int64(ttl)
	if exp < now { // past the range: as good as never, but still has a TTL
		exp = maxExp
	}
	if exp <= 0 {
		exp = 1
	}
	return exp
}

// mayPanicOnHash reports whether hashing a value of type t may panic: t is
// or holds an interface, whose dynamic value may be unhashable.
func mayPanicOnHash(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Array:
		return mayPanicOnHash(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if mayPanicOnHash(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

func (co *core[K, V]) shardIndex(key K) int {
	if co.mask == 0 {
		return 0
	}
	return int(maphash.Comparable(co.seed, key) & co.mask)
}

func (c *Cache[K, V]) set(key K, value V, ttl time.Duration) {
	co := c.c
	if key != key {
		return // NaN: see the package doc
	}
	if ttl < 0 {
		ttl = 0
	}
	exp := co.expiry(ttl)
	idx := co.shardIndex(key)
	s := &co.shards[idx]
	l := c.lock(s, idx, OpSet, false)
	defer c.unlock(s, &l)
	if len(s.calls) != 0 {
		s.invalidate(key)
	}
	ev, evicted := s.store(key, value, exp, int64(ttl))
	c.unlock(s, &l)
	if h := c.hooks; h != nil {
		if h.Set != nil {
			h.Set(key, ttl)
		}
		if evicted && h.Evict != nil {
			h.Evict(ev)
		}
	}
}

// get is Get; it also reports whether a missing entry was an expired one.
func (c *Cache[K, V]) get(key K, op Op) (v V, ok, expired bool) {
	co := c.c
	idx := co.shardIndex(key)
	s := &co.shards[idx]
	var e entry[V]
	if c.hooks == nil && s.lru == nil && !co.panicky {
		// The fast path: no hooks, no recency order, no key that can
		// panic under the lock (so no need to defer the unlock).
		if co.rw {
			s.rw.RLock()
			e, ok = s.items[key]
			s.rw.RUnlock()
			co.countRead(ok)
		} else {
			s.mu.Lock()
			e, ok = s.items[key]
			if ok {
				s.found++
			} else {
				s.notFound++
			}
			s.mu.Unlock()
		}
		if ok && e.exp != 0 && co.now() >= e.expires() {
			co.stats.expiredMisses.Add(1)
			return v, false, true
		}
		return e.value, ok, false
	}

	shared := s.lru == nil
	l := c.lock(s, idx, op, shared)
	defer c.unlock(s, &l)
	e, ok = s.items[key]
	if ok && e.exp != 0 && co.now() >= e.expires() {
		ok, expired = false, true
	}
	if ok && s.lru != nil {
		s.lru.touch(key)
	}
	if l.shared {
		co.countRead(ok || expired)
	} else if ok || expired {
		s.found++
	} else {
		s.notFound++
	}
	c.unlock(s, &l)
	if expired {
		co.stats.expiredMisses.Add(1)
	}
	if h := c.hooks; h != nil {
		if ok {
			if h.Hit != nil {
				h.Hit(key)
			}
		} else if h.Miss != nil {
			h.Miss(key, expired)
		}
	}
	if !ok {
		return v, false, expired
	}
	return e.value, true, false
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
		s.rawLock(true)
		n += len(s.items)
		s.rawUnlock(true)
	}
	return n
}

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
