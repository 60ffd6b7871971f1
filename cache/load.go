package cache

import (
	"context"
	"fmt"
)

// call is one load in flight, shared by the GetOrLoad callers of one key.
type call[V any] struct {
	done    chan struct{} // closed when val and err are set
	val     V
	err     error
	waiters int  // callers still waiting, guarded by the shard's lock
	stale   bool // a Set or Delete of the key happened since the load began
	cancel  context.CancelFunc
}

// GetOrLoad returns the live value stored under key, or else loads it with
// load, stores it with the default TTL and returns it.
//
// Concurrent callers for one missing key share one call of load: the first
// starts it, in a goroutine of its own, and all of them wait for its result.
// An error from load goes to every waiting caller and is not stored; so is a
// panic in load, turned into an error. A caller whose ctx ends returns
// ctx.Err() at once, without cancelling the load for the others; the load's
// context (which keeps ctx's values) is cancelled only when every caller
// has given up, and its result is then not stored. If the key is Set or
// Deleted while the load runs, the waiting callers still get the loaded
// value but it is not stored over the newer state.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, key K, load func(context.Context, K) (V, error)) (V, error) {
	if v, ok, _ := c.get(key, OpGet); ok {
		return v, nil
	}
	var zero V
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	co := c.c
	idx := co.shardIndex(key)
	s := &co.shards[idx]
	l := c.lock(s, idx, OpGet, false)
	if e, ok := s.items[key]; ok && (e.exp == 0 || co.now() < e.expires()) {
		// Stored by another caller since our first look.
		if s.lru != nil {
			s.lru.touch(key)
		}
		c.unlock(s, l)
		return e.value, nil
	}
	cl := s.calls[key]
	leader := cl == nil
	if leader {
		lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		cl = &call[V]{done: make(chan struct{}), cancel: cancel}
		if s.calls == nil {
			s.calls = make(map[K]*call[V])
		}
		s.calls[key] = cl
		s.loads++
		cl.waiters++
		c.unlock(s, l)
		go c.runLoad(lctx, s, idx, key, cl, load)
	} else {
		cl.waiters++
		c.unlock(s, l)
		co.stats.loadsShared.Add(1)
	}

	select {
	case <-cl.done:
		return cl.val, cl.err
	case <-ctx.Done():
	}
	l = c.lock(s, idx, OpGet, false)
	cl.waiters--
	if cl.waiters == 0 {
		select {
		case <-cl.done:
		default:
			// Nobody wants the result any more: cancel the load and let
			// the next caller start a fresh one.
			cl.stale = true
			cl.cancel()
			if s.calls[key] == cl {
				delete(s.calls, key)
			}
		}
	}
	c.unlock(s, l)
	return zero, ctx.Err()
}

func (c *Cache[K, V]) runLoad(ctx context.Context, s *shard[K, V], idx int, key K, cl *call[V], load func(context.Context, K) (V, error)) {
	defer cl.cancel()
	v, err := safeLoad(ctx, key, load)
	co := c.c
	exp := co.expiry(co.ttl)
	l := c.lock(s, idx, OpSet, false)
	if s.calls[key] == cl {
		delete(s.calls, key)
	}
	cl.val, cl.err = v, err
	stored, evicted := false, false
	var ev K
	if err != nil {
		s.loadFails++
	} else if !cl.stale {
		ev, evicted = s.store(key, v, exp, int64(co.ttl))
		stored = true
	}
	c.unlock(s, l)
	if h := c.hooks; h != nil && stored {
		if h.Set != nil {
			h.Set(key, co.ttl)
		}
		if evicted && h.Evict != nil {
			h.Evict(ev)
		}
	}
	// After the hooks, so that a caller sees the events of its call.
	close(cl.done)
}

func safeLoad[K comparable, V any](ctx context.Context, key K, load func(context.Context, K) (V, error)) (v V, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cache: load of %v panicked: %v", key, r)
		}
	}()
	return load(ctx, key)
}

// invalidate marks the load in flight for key, if any, as stale: its result
// will not be stored. Under the exclusive lock.
func (s *shard[K, V]) invalidate(key K) {
	if cl, ok := s.calls[key]; ok {
		cl.stale = true
	}
}
