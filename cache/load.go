package cache

import (
	"context"
	"errors"
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
// (with the panic's stack), and the key is free for the next load. A caller
// whose ctx ends returns ctx.Err() at once, without cancelling the load for
// the others; the load's context (which keeps ctx's values) is cancelled
// only when every caller has given up, and its result is then not stored.
// If the key is Set or Deleted while the load runs, the waiting callers
// still get the loaded value but it is not stored over the newer state.
//
// A load may call GetOrLoad for other keys. If it calls it, with the
// context it was given (or one made from it), for its own key or for a key
// whose load is waiting for it, that call returns an error wrapping
// ErrLoadCycle at once instead of waiting for itself. Called with an
// unrelated context, such a call cannot be told apart from any other
// caller: it waits until that context ends.
//
// A key not equal to itself (a NaN, see the package doc) is never stored:
// each such call runs load and returns its result, shared with no one.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, key K, load func(context.Context, K) (V, error)) (V, error) {
	if v, ok, _ := c.get(key, OpGet); ok {
		return v, nil
	}
	var zero V
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	idx := c.c.shardIndex(key)
	s := &c.c.shards[idx]
	v, cl, err := c.joinLoad(ctx, s, idx, key, load)
	if cl == nil {
		return v, err
	}
	select {
	case <-cl.done:
		return cl.val, cl.err
	case <-ctx.Done():
	}
	c.leaveLoad(s, idx, key, cl)
	return zero, ctx.Err()
}

// ErrLoadCycle is wrapped by the error GetOrLoad returns when a load calls
// GetOrLoad for a key whose load waits for it, its own key above all.
var ErrLoadCycle = errors.New("cache: a load called GetOrLoad for a key whose load waits for it")

// loadFrame is the context value that marks a load's context with the call
// it serves, and the frames of the loads that started it (up).
type loadFrame struct {
	call any // a *call[V]
	up   *loadFrame
}

type loadFrameKey struct{}

// joinLoad, under the key's lock, returns the value if another caller
// stored it since the first look, or else joins the key's load in flight
// or starts one, and returns its call.
func (c *Cache[K, V]) joinLoad(ctx context.Context, s *shard[K, V], idx int, key K, load func(context.Context, K) (V, error)) (V, *call[V], error) {
	co := c.c
	l := c.lock(s, idx, OpGet, false)
	defer c.unlock(s, &l)
	if e, ok := s.items[key]; ok && (e.exp == 0 || co.now() < e.expires()) {
		if s.lru != nil {
			s.lru.touch(key)
		}
		return e.value, nil, nil
	}
	up, _ := ctx.Value(loadFrameKey{}).(*loadFrame)
	if cl := s.calls[key]; cl != nil {
		for f := up; f != nil; f = f.up {
			if f.call == any(cl) {
				var zero V
				return zero, nil, fmt.Errorf("%w (key %v)", ErrLoadCycle, key)
			}
		}
		cl.waiters++
		co.stats.loadsShared.Add(1)
		var zero V
		return zero, cl, nil
	}
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	cl := &call[V]{done: make(chan struct{}), cancel: cancel, waiters: 1}
	lctx = context.WithValue(lctx, loadFrameKey{}, &loadFrame{call: cl, up: up})
	if key == key {
		if s.calls == nil {
			s.calls = make(map[K]*call[V])
		}
		s.calls[key] = cl
	} else {
		cl.stale = true // NaN: nobody can share it, and it is not stored
	}
	s.loads++
	c.unlock(s, &l)
	go c.runLoad(lctx, s, idx, key, cl, load)
	var zero V
	return zero, cl, nil
}

// leaveLoad takes a caller whose context ended off the call cl. The last
// one to leave cancels the load and frees the key for a fresh load.
func (c *Cache[K, V]) leaveLoad(s *shard[K, V], idx int, key K, cl *call[V]) {
	l := c.lock(s, idx, OpGet, false)
	defer c.unlock(s, &l)
	cl.waiters--
	if cl.waiters == 0 {
		select {
		case <-cl.done:
		default:
			cl.stale = true
			cl.cancel()
			if s.calls[key] == cl {
				delete(s.calls, key)
			}
		}
	}
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
//
// The hooks it calls run on the load's goroutine, where nobody could
// recover their panic: a hook that panics (or calls runtime.Goexit) there
// makes the callers' error a *LoadError, as a panicking load does, and the
// key is freed all the same. (If the Set or Evict hook panicked, the value
// is stored.)
func (c *Cache[K, V]) finishLoad(s *shard[K, V], idx int, key K, cl *call[V], v V, err error) {
	defer cl.cancel()
	defer close(cl.done) // after the hooks, so that a caller sees the events of its call
	finished := false
	defer func() {
		if finished {
			return
		}
		le := &LoadError{Key: key, Goexit: true}
		if r := recover(); r != nil {
			le = &LoadError{Key: key, Value: r, Stack: debug.Stack()}
		}
		// The lock was released on the panic's way here (see lock).
		c.c.locker(s, false).Lock()
		if s.calls[key] == cl {
			delete(s.calls, key)
		}
		var zero V
		cl.val, cl.err = zero, le
		c.c.locker(s, false).Unlock()
	}()
	co := c.c
	exp := co.expiry(co.ttl)
	l := c.lock(s, idx, OpSet, false)
	defer c.unlock(s, &l)
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
	c.unlock(s, &l)
	if h := c.hooks; h != nil && stored {
		if h.Set != nil {
			h.Set(key, co.ttl)
		}
		if evicted && h.Evict != nil {
			h.Evict(ev)
		}
	}
	finished = true
}

// LoadError is the error GetOrLoad returns to every caller of a load that
// did not return: it panicked (Value and Stack are set) or it called
// runtime.Goexit (Goexit is true); so did a hook called on the load's
// goroutine. Nothing is stored, and the key is free
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
