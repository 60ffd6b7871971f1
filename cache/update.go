package cache

// Update replaces the value stored under key with fn(old, found) and
// returns it. found reports whether a live entry was there (an expired one
// counts as none: old is then the zero value). The result is stored with the
// cache's default TTL (WithTTL), counted as a Set in Stats, and reported to
// the hooks as a Set (see Hooks), with OpUpdate for its lock events.
//
// Update is the read-modify-write that Get then Set cannot be: fn runs
// under the key's lock (the shard's lock under Sharded locking, the write
// lock under RWMutex), so no other call on the key's lock runs between the
// read of old and the store of the result. N goroutines that each add one
// to a counter with Update end at exactly N; with Get and Set, two of them
// can read the same value and one addition is lost.
//
// fn must not call the cache. It runs with the lock held, and a call that
// needs the same lock (any call under Mutex or RWMutex locking; under
// Sharded, a call for a key of the same shard, or Len, DeleteExpired or
// Stats) waits for that lock for ever: the goroutine deadlocks, and so does
// every later caller of the lock. Keep fn short, too: every caller that
// needs the lock waits while it runs. If fn panics, nothing is stored, the
// lock is released and the panic goes on to the caller.
//
// As with Set, a GetOrLoad load in flight for the key is not stored over
// the updated value, and a key not equal to itself (NaN) is never stored:
// Update then returns fn(zero, false) and reports no event.
func (c *Cache[K, V]) Update(key K, fn func(old V, found bool) V) V {
	co := c.c
	if key != key {
		var zero V
		return fn(zero, false)
	}
	idx := co.shardIndex(key)
	s := &co.shards[idx]
	l := c.lock(s, idx, OpUpdate, false)
	defer c.unlock(s, &l)
	e, found := s.items[key]
	if found && e.exp != 0 && co.now() >= e.expires() {
		found, e.value = false, *new(V)
	}
	v := fn(e.value, found)
	if len(s.calls) != 0 {
		s.invalidate(key)
	}
	// The expiry time is read after fn, which may take a while: the TTL
	// counts from the store.
	ev, evicted := s.store(key, v, co.expiry(co.ttl), int64(co.ttl))
	c.unlock(s, &l)
	if h := c.hooks; h != nil {
		if h.Set != nil {
			h.Set(key, co.ttl)
		}
		if evicted && h.Evict != nil {
			h.Evict(ev)
		}
	}
	return v
}
