package cache

// Stats are a cache's counters since it was made. Each counter is exact,
// but a Stats taken while other goroutines use the cache is not an atomic
// snapshot of all of them together.
type Stats struct {
	Hits          uint64 // Gets (and GetOrLoad lookups) that found a live entry
	Misses        uint64 // Gets that found none, ExpiredMisses included
	ExpiredMisses uint64 // Gets that found an expired entry, not yet swept
	Sets          uint64 // entries stored: Set, SetWithTTL, Update, and loads stored by GetOrLoad
	Deletes       uint64 // entries removed by Delete
	Expired       uint64 // expired entries removed by sweeps
	Evictions     uint64 // least recently used entries evicted by WithMaxEntries
	Sweeps        uint64 // sweeps, by the janitor and by DeleteExpired
	Loads         uint64 // calls of a GetOrLoad load function
	LoadErrors    uint64 // loads that returned an error (or panicked)
	LoadsShared   uint64 // GetOrLoad callers that waited for a load another caller started
	Entries       int    // entries stored now, expired ones not yet swept included
}

// Stats returns the cache's counters. It takes each shard's lock briefly
// and reports nothing to the lock hooks.
func (c *Cache[K, V]) Stats() Stats {
	co := c.c
	var st Stats
	var found, notFound uint64
	for i := range co.shards {
		s := &co.shards[i]
		co.locker(s, false).Lock()
		found += s.found
		notFound += s.notFound
		st.Sets += s.sets
		st.Deletes += s.deletes
		st.Expired += s.expired
		st.Evictions += s.evictions
		st.Loads += s.loads
		st.LoadErrors += s.loadFails
		st.Entries += len(s.items)
		co.locker(s, false).Unlock()
	}
	for i := range co.readStats {
		found += co.readStats[i].found.Load()
		notFound += co.readStats[i].notFound.Load()
	}
	st.ExpiredMisses = co.stats.expiredMisses.Load()
	st.Sweeps = co.stats.sweeps.Load()
	st.LoadsShared = co.stats.loadsShared.Load()
	// An expired entry is found by the lookup, then turned into a miss.
	st.Hits = found - min(found, st.ExpiredMisses)
	st.Misses = notFound + st.ExpiredMisses
	return st
}
