package cache

import (
	"strconv"
	"time"
)

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
	return "Locking(" + strconv.Itoa(int(l)) + ")"
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
