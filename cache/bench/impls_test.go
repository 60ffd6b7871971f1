package bench

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosharedstate/playground/cache"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/jellydator/ttlcache/v3"
	"github.com/maypok86/otter/v2"
	gocache "github.com/patrickmn/go-cache"
)

// longTTL is the TTL of every entry that must not expire during a run.
const longTTL = 100 * time.Hour

// kv is what every cache under test offers to the benchmarks. Entries set
// with Set live for longTTL; entries set with SetExpired are already expired
// by the time of the next Sweep.
type kv interface {
	Get(k string) (int, bool)
	Set(k string, v int)
	SetExpired(k string, v int)
	Sweep()   // remove every expired entry; no-op if the cache cannot
	Len() int // entries stored
	Close()
}

type impl struct {
	name     string
	new      func() kv
	canSweep bool
}

func impls() []impl {
	return []impl{
		{"bare-mutex-map", newBare, true},
		{"bare-rwmutex-map", newBareRW, false},
		{"this-Mutex", func() kv { return newOurs(cache.Mutex) }, true},
		{"this-RWMutex", func() kv { return newOurs(cache.RWMutex) }, true},
		{"this-Sharded", func() kv { return newOurs(cache.Sharded) }, true},
		{"go-cache", newGoCache, true},
		{"ttlcache", newTTLCache, true},
		{"golang-lru-expirable", newLRU, false},
		{"otter", newOtter, true},
	}
}

// bare is the lesson's cache and the baseline: a map behind a sync.Mutex,
// with an expiry time per entry, checked by Get, and a full-scan sweep.
type bare struct {
	mu sync.Mutex
	m  map[string]bareEntry
}

type bareEntry struct {
	v   int
	exp int64
}

func newBare() kv { return &bare{m: make(map[string]bareEntry)} }

func (b *bare) Get(k string) (int, bool) {
	b.mu.Lock()
	e, ok := b.m[k]
	b.mu.Unlock()
	if !ok || e.exp <= time.Now().UnixNano() {
		return 0, false
	}
	return e.v, true
}

func (b *bare) set(k string, v int, ttl time.Duration) {
	exp := time.Now().UnixNano() + int64(ttl)
	b.mu.Lock()
	b.m[k] = bareEntry{v, exp}
	b.mu.Unlock()
}

func (b *bare) Set(k string, v int)        { b.set(k, v, longTTL) }
func (b *bare) SetExpired(k string, v int) { b.set(k, v, time.Nanosecond) }
func (b *bare) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}
func (b *bare) Close() {}
func (b *bare) Sweep() {
	now := time.Now().UnixNano()
	b.mu.Lock()
	for k, e := range b.m {
		if e.exp <= now {
			delete(b.m, k)
		}
	}
	b.mu.Unlock()
}

// bareRW is bare with a sync.RWMutex, whose Get takes the read lock: the
// floor of any cache built on one sync.RWMutex.
type bareRW struct {
	mu sync.RWMutex
	m  map[string]bareEntry
}

func newBareRW() kv { return &bareRW{m: make(map[string]bareEntry)} }

func (b *bareRW) Get(k string) (int, bool) {
	b.mu.RLock()
	e, ok := b.m[k]
	b.mu.RUnlock()
	if !ok || e.exp <= time.Now().UnixNano() {
		return 0, false
	}
	return e.v, true
}

func (b *bareRW) Set(k string, v int) {
	exp := time.Now().UnixNano() + int64(longTTL)
	b.mu.Lock()
	b.m[k] = bareEntry{v, exp}
	b.mu.Unlock()
}

func (b *bareRW) SetExpired(k string, v int) {}
func (b *bareRW) Sweep()                     {}
func (b *bareRW) Close()                     {}
func (b *bareRW) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.m)
}

type ours struct{ c *cache.Cache[string, int] }

func newOurs(l cache.Locking) kv {
	return ours{cache.New[string, int](cache.WithLocking(l), cache.WithTTL(longTTL))}
}
func (o ours) Get(k string) (int, bool)   { return o.c.Get(k) }
func (o ours) Set(k string, v int)        { o.c.Set(k, v) }
func (o ours) SetExpired(k string, v int) { o.c.SetWithTTL(k, v, time.Nanosecond) }
func (o ours) Sweep()                     { o.c.DeleteExpired() }
func (o ours) Len() int                   { return o.c.Len() }
func (o ours) Close()                     { o.c.Close() }

type goCache struct{ c *gocache.Cache }

func newGoCache() kv { return goCache{gocache.New(longTTL, 0)} }
func (g goCache) Get(k string) (int, bool) {
	v, ok := g.c.Get(k)
	if !ok {
		return 0, false
	}
	return v.(int), true
}
func (g goCache) Set(k string, v int)        { g.c.Set(k, v, gocache.DefaultExpiration) }
func (g goCache) SetExpired(k string, v int) { g.c.Set(k, v, time.Nanosecond) }
func (g goCache) Sweep()                     { g.c.DeleteExpired() }
func (g goCache) Len() int                   { return g.c.ItemCount() }
func (g goCache) Close()                     {}

type ttlCache struct{ c *ttlcache.Cache[string, int] }

func newTTLCache() kv {
	return ttlCache{ttlcache.New[string, int](
		ttlcache.WithTTL[string, int](longTTL),
		ttlcache.WithDisableTouchOnHit[string, int]())}
}
func (t ttlCache) Get(k string) (int, bool) {
	it := t.c.Get(k)
	if it == nil {
		return 0, false
	}
	return it.Value(), true
}
func (t ttlCache) Set(k string, v int)        { t.c.Set(k, v, ttlcache.DefaultTTL) }
func (t ttlCache) SetExpired(k string, v int) { t.c.Set(k, v, time.Nanosecond) }
func (t ttlCache) Sweep()                     { t.c.DeleteExpired() }
func (t ttlCache) Len() int                   { return t.c.Len() }
func (t ttlCache) Close()                     {}

type lru struct {
	c *expirable.LRU[string, int]
}

func newLRU() kv                         { return lru{expirable.NewLRU[string, int](0, nil, longTTL)} }
func (l lru) Get(k string) (int, bool)   { return l.c.Get(k) }
func (l lru) Set(k string, v int)        { l.c.Add(k, v) }
func (l lru) SetExpired(k string, v int) { l.c.Add(k, v) } // no per-entry TTL
func (l lru) Sweep()                     {}
func (l lru) Len() int                   { return l.c.Len() }
func (l lru) Close()                     {}

// otter's expiry runs on a timer wheel whose finest buckets are about a
// second wide, so its sweep (CleanUp) sees entries as expired only once the
// wheel has turned past them: the benchmark gives it a clock that it moves
// forward two seconds before each sweep. Expired entries are marked by a
// negative value.
type otterKV struct {
	c   *otter.Cache[string, int]
	clk *otterClock
}

type otterClock struct{ offset atomic.Int64 }

func (c *otterClock) NowNano() int64                        { return time.Now().UnixNano() + c.offset.Load() }
func (c *otterClock) Tick(d time.Duration) <-chan time.Time { return nil }

func newOtter() kv {
	clk := &otterClock{}
	return otterKV{otter.Must(&otter.Options[string, int]{
		Clock: clk,
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, int]) time.Duration {
			if e.Value < 0 {
				return time.Nanosecond
			}
			return longTTL
		}),
	}), clk}
}
func (o otterKV) Get(k string) (int, bool)   { return o.c.GetIfPresent(k) }
func (o otterKV) Set(k string, v int)        { o.c.Set(k, v) }
func (o otterKV) SetExpired(k string, v int) { o.c.Set(k, -1-v) }
func (o otterKV) Sweep() {
	o.clk.offset.Add(int64(2 * time.Second))
	o.c.CleanUp()
}
func (o otterKV) Len() int { return o.c.EstimatedSize() }
func (o otterKV) Close()   { o.c.StopAllGoroutines() }
