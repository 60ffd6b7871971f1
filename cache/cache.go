// Package cache is a concurrent, generic in-memory cache whose entries can
// expire after a time to live, swept away by a background janitor goroutine.
//
// It is the Go counterpart of a lesson written for Rust and tokio: a map
// shared behind a lock, a background cleanup task, and entries with a TTL.
// The zero configuration is the lesson's: one sync.Mutex around one map.
package cache

import (
	"sync"
	"time"
)

// NoExpiration, given as a TTL, means the entry never expires.
const NoExpiration time.Duration = -1

// Option configures a Cache made by New.
type Option func(*config)

type config struct {
	ttl      time.Duration
	interval time.Duration
	clock    Clock
	hooks    *Hooks
}

// WithTTL sets the TTL Set gives to entries. 0 or NoExpiration: they never
// expire (the default).
func WithTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }

// WithCleanupInterval sets how often the janitor goroutine sweeps expired
// entries away. 0 (the default): there is no janitor.
func WithCleanupInterval(d time.Duration) Option { return func(c *config) { c.interval = d } }

// WithClock sets the time source for TTLs and the janitor. The default is
// SystemClock.
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithHooks sets the hooks the cache calls as things happen.
func WithHooks(h *Hooks) Option { return func(c *config) { c.hooks = h } }

// Cache is a map from K to V, safe for concurrent use, whose entries may
// expire. Make one with New.
type Cache[K comparable, V any] struct {
	mu      sync.Mutex
	items   map[K]entry[V]
	cfg     config
	stop    chan struct{}
	done    chan struct{}
	closeMu sync.Once
}

type entry[V any] struct {
	value   V
	expires time.Time // zero: never
}

// New returns an empty cache configured by opts. If a cleanup interval is
// set, it starts the janitor goroutine; Close stops it.
func New[K comparable, V any](opts ...Option) *Cache[K, V] {
	c := &Cache[K, V]{items: make(map[K]entry[V]), cfg: config{clock: SystemClock()}}
	for _, o := range opts {
		o(&c.cfg)
	}
	if c.cfg.interval > 0 {
		c.stop = make(chan struct{})
		c.done = make(chan struct{})
		go c.janitor()
	}
	return c
}

func (c *Cache[K, V]) janitor() {
	defer close(c.done)
	t := c.cfg.clock.NewTimer(c.cfg.interval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C():
			c.DeleteExpired()
			t.Reset(c.cfg.interval)
		}
	}
}

// Set stores value under key with the cache's default TTL.
func (c *Cache[K, V]) Set(key K, value V) {
	var exp time.Time
	if c.cfg.ttl > 0 {
		exp = c.cfg.clock.Now().Add(c.cfg.ttl)
	}
	c.mu.Lock()
	c.items[key] = entry[V]{value, exp}
	c.mu.Unlock()
	if h := c.cfg.hooks; h != nil && h.Set != nil {
		h.Set(key, max(c.cfg.ttl, 0))
	}
}

// Get returns the value stored under key, unless there is none or it has
// expired.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	e, ok := c.items[key]
	c.mu.Unlock()
	expired := ok && !e.expires.IsZero() && !c.cfg.clock.Now().Before(e.expires)
	if h := c.cfg.hooks; h != nil {
		if ok && !expired {
			if h.Hit != nil {
				h.Hit(key)
			}
		} else if h.Miss != nil {
			h.Miss(key, expired)
		}
	}
	if !ok || expired {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Len returns the number of entries stored, expired ones not yet swept
// included.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// DeleteExpired removes every expired entry now and returns how many it
// removed.
func (c *Cache[K, V]) DeleteExpired() int {
	h := c.cfg.hooks
	now := c.cfg.clock.Now()
	c.mu.Lock()
	if h != nil && h.SweepStart != nil {
		h.SweepStart(len(c.items))
	}
	var removed []K
	for k, e := range c.items {
		if !e.expires.IsZero() && !now.Before(e.expires) {
			delete(c.items, k)
			removed = append(removed, k)
		}
	}
	remaining := len(c.items)
	c.mu.Unlock()
	if h != nil {
		if h.Expire != nil {
			for _, k := range removed {
				h.Expire(k)
			}
		}
		if h.SweepEnd != nil {
			h.SweepEnd(len(removed), remaining, c.cfg.clock.Now().Sub(now))
		}
	}
	return len(removed)
}

// Close stops the janitor goroutine and waits for it to end. It is
// idempotent, and the cache stays usable.
func (c *Cache[K, V]) Close() error {
	c.closeMu.Do(func() {
		if c.stop != nil {
			close(c.stop)
			<-c.done
		}
	})
	return nil
}
