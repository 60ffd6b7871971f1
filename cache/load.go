package cache

import (
	"context"
	"fmt"
	"runtime/debug"
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
// An error from load goes to every waiting caller and is not stored. So does
// a load that panics or calls runtime.Goexit: its callers get a *LoadError
// (with the panic's stack), and the key is free for the next load. A caller whose ctx ends returns
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

// runLoad runs load for the call cl and finishes the call whatever load
// does: returns, panics or calls runtime.Goexit (as t.FailNow does). As in
// golang.org/x/sync/singleflight, two defers tell those apart: the inner one
// sees a panic (and recovers it, with its stack), the outer one runs in
// every case, and when neither the return nor the inner defer was reached
// the goroutine is exiting through runtime.Goexit. The outer defer stores
// the result, frees the key and wakes the callers, so no caller waits on a
// call that ended and the next GetOrLoad of the key starts a fresh load.
func (c *Cache[K, V]) runLoad(ctx context.Context, s *shard[K, V], idx int, key K, cl *call[V], load func(context.Context, K) (V, error)) {
	var v V
	var err error
	returned, recovered := false, false
	defer func() {
		if !returned && !recovered {
			err = &LoadError{Key: key, Goexit: true}
		}
		c.finishLoad(s, idx, key, cl, v, err)
	}()
	func() {
		defer func() {
			if !returned {
				if r := recover(); r != nil {
					err = &LoadError{Key: key, Value: r, Stack: debug.Stack()}
				}
			}
		}()
		v, err = load(ctx, key)
		returned = true
	}()
	// Reached after a return, or after a panic the inner defer recovered.
	recovered = !returned
}

// finishLoad ends the call cl with v, err: it frees the key, stores the
// value if it still may, reports it to the hooks and wakes the callers.
func (c *Cache[K, V]) finishLoad(s *shard[K, V], idx int, key K, cl *call[V], v V, err error) {
	defer cl.cancel()
	// Closed last, but also if a hook panics, so that no caller waits for ever.
	defer close(cl.done)
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
	// close(cl.done) runs now, after the hooks, so that a caller sees the
	// events of its call.
}

// LoadError is the error GetOrLoad returns to every caller of a load that
// did not return: it panicked (Value and Stack are set) or it called
// runtime.Goexit (Goexit is true). Nothing is stored, and the key is free
// for the next load.
type LoadError struct {
	Key    any    // the key being loaded
	Value  any    // what the load panicked with
	Stack  []byte // the stack of the panicking load, from runtime/debug.Stack
	Goexit bool   // the load called runtime.Goexit
}

func (e *LoadError) Error() string {
	if e.Goexit {
		return fmt.Sprintf("cache: load of %v called runtime.Goexit", e.Key)
	}
	return fmt.Sprintf("cache: load of %v panicked: %v\n\n%s", e.Key, e.Value, e.Stack)
}

// Unwrap returns the value the load panicked with, if it is an error, so
// that errors.Is and errors.As see it.
func (e *LoadError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// invalidate marks the load in flight for key, if any, as stale: its result
// will not be stored. Under the exclusive lock.
func (s *shard[K, V]) invalidate(key K) {
	if cl, ok := s.calls[key]; ok {
		cl.stale = true
	}
}
