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
// evicted again. Such a key is never stored: Set, SetWithTTL and Update do
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
	"time"
)

// NoExpiration, given as a TTL, means the entry never expires.
const NoExpiration time.Duration = -1

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
	locking Locking // the one fact of how shards are locked (see lock.go)
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
		co.shards[i].init(perShard)
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
		if co.locking == RWMutex {
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
