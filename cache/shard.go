package cache

import (
	"math"
	"sync"
	"sync/atomic"
	"unsafe"
)

// entry is a stored value and its expiry time in nanoseconds since the
// cache's epoch (0: never), possibly marked deferred.
type entry[V any] struct {
	value V
	exp   int64
}

// deferred marks the expiry time of an entry that was overwritten with a
// later expiry time without queueing a new expiry item: the item queued for
// its earlier expiry time is still there, and when a sweep pops it, it
// queues the entry again at its real expiry time. Overwriting a key (the
// common case: refreshing it) thus costs no queue push. The mark is the
// sign bit, which expiry times (never negative) leave free, so that they
// span all of int64 and a TTL holds on the whole range of time.Duration.
const deferred = math.MinInt64

// maxExp is the latest expiry time an entry can have.
const maxExp = math.MaxInt64

// expires returns the entry's expiry time, 0 for never.
func (e *entry[V]) expires() int64 { return e.exp &^ deferred }

// shard is a map with its own lock. A cache with Mutex or RWMutex locking
// has one shard.
type shard[K comparable, V any] struct {
	mu    sync.Mutex   // Mutex and Sharded locking
	rw    sync.RWMutex // RWMutex locking
	items map[K]entry[V]
	exp   expiryIndex[K]
	lru   *lruList[K]    // nil without WithMaxEntries
	max   int            // the bound of this shard, with lru
	calls map[K]*call[V] // loads in flight (GetOrLoad)

	// Counters, guarded by the lock.
	found, notFound             uint64 // Gets under the exclusive lock
	sets, deletes, expired      uint64
	evictions, loads, loadFails uint64

	_ [64]byte // keep shards off each other's cache lines
}

func (s *shard[K, V]) init(max int) {
	s.items = make(map[K]entry[V])
	if max > 0 {
		s.max = max
		s.lru = newLRU[K]()
	}
}

// store sets key under the exclusive lock. If that evicts an entry, it
// returns its key and true.
func (s *shard[K, V]) store(key K, value V, exp, ttl int64) (evicted K, ok bool) {
	if exp == 0 {
		s.items[key] = entry[V]{value, 0}
	} else if old, had := s.items[key]; had && old.exp != 0 && exp >= old.expires() {
		// An item at or before the old expiry time is queued for this
		// key: defer the new one to it.
		s.items[key] = entry[V]{value, exp | deferred}
	} else {
		s.items[key] = entry[V]{value, exp}
		s.exp.push(key, exp, ttl)
		if x := &s.exp; x.n > 2*len(s.items)+1024 && x.n > 2*x.compacted {
			x.compact(s.live)
		}
	}
	s.sets++ // after the first map access: an unhashable key panics there
	if s.lru != nil {
		s.lru.touch(key)
		if len(s.items) > s.max {
			evicted = s.lru.oldest()
			s.remove(evicted)
			s.evictions++
			ok = true
		}
	}
	return evicted, ok
}

// remove deletes key under the exclusive lock. Its expiry queue item, if
// any, stays queued until a sweep or a compaction drops it.
func (s *shard[K, V]) remove(key K) {
	delete(s.items, key)
	if s.lru != nil {
		s.lru.remove(key)
	}
}

// live reports whether the expiry queue item (key, exp) is needed: it is
// the item of a stored entry, or one its deferred expiry time relies on.
func (s *shard[K, V]) live(key K, exp int64) bool {
	e, ok := s.items[key]
	return ok && (e.exp == exp || e.exp&deferred != 0 && exp <= e.expires())
}

// sweep removes the entries expired at now, under the exclusive lock. If
// collect, it appends their keys to keys.
func (s *shard[K, V]) sweep(now int64, collect bool, keys []K) (int, []K) {
	n := 0
	s.exp.popExpired(now, func(key K, _ int64) (requeue int64) {
		e, ok := s.items[key]
		if !ok || e.exp == 0 {
			return 0 // stale: deleted, or overwritten without expiry
		}
		if exp := e.expires(); exp > now {
			if e.exp&deferred == 0 {
				return 0 // stale: the entry has its own later item
			}
			// The item a deferred expiry time relied on: queue the
			// entry at its real expiry time.
			s.items[key] = entry[V]{e.value, exp}
			return exp
		}
		delete(s.items, key)
		if s.lru != nil {
			s.lru.remove(key)
		}
		n++
		if collect {
			keys = append(keys, key)
		}
		return 0
	})
	if n > 0 {
		s.expired += uint64(n)
	}
	return n, keys
}

// readCounters count Gets made under a shared lock, striped so that
// readers running in parallel rarely write the same cache line.
type readCounters struct {
	found, notFound atomic.Uint64
	_               [48]byte
}

const readStripes = 16

// countRead counts a Get made under the read lock. The stripe is picked
// from the address of the goroutine's stack, so that a goroutine keeps
// writing the same stripe and readers on other CPUs mostly write others.
func (co *core[K, V]) countRead(found bool) {
	var x byte
	rc := &co.readStats[(uintptr(unsafe.Pointer(&x))>>12)%readStripes]
	if found {
		rc.found.Add(1)
	} else {
		rc.notFound.Add(1)
	}
}

// globalCounters are the counters kept outside the shards' locks.
type globalCounters struct {
	expiredMisses atomic.Uint64 // Gets that found an expired entry
	sweeps        atomic.Uint64
	loadsShared   atomic.Uint64 // GetOrLoad callers that waited for another's load
}
