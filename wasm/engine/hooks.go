package engine

import (
	"context"
	"errors"
	"time"

	"github.com/gosharedstate/playground/cache"
	"github.com/gosharedstate/playground/cache/pool"
)

// keyIndex returns the key index of a cache key (the engine's keys are
// ints), or -1.
func keyIndex(k any) int32 {
	if i, ok := k.(int); ok {
		return int32(i)
	}
	return -1
}

func lockFlags(info cache.LockInfo) uint16 {
	f := uint16(info.Op) << LockOpShift
	if info.Shared {
		f |= FlagShared
	}
	return f
}

// locking maps a scene's locking name to the cache's strategy.
func locking(name string) cache.Locking {
	switch name {
	case LockingRWMutex:
		return cache.RWMutex
	case LockingSharded:
		return cache.Sharded
	default:
		return cache.Mutex
	}
}

// newCache makes the scene's cache, on the scene clock, with the janitor's
// hooks (task TaskJanitor) as its base hooks.
func (e *Engine) newCache() *cache.Cache[int, string] {
	s := e.scene
	opts := []cache.Option{
		cache.WithClock(e.clock),
		cache.WithHooks(e.cacheHooks(TaskJanitor, nil, false)),
		cache.WithLocking(locking(s.Locking)),
	}
	if s.TTLMs > 0 {
		opts = append(opts, cache.WithTTL(msDur(s.TTLMs)))
	}
	if s.CleanupMs > 0 {
		opts = append(opts, cache.WithCleanupInterval(msDur(s.CleanupMs)))
	}
	if s.MaxEntries > 0 {
		opts = append(opts, cache.WithMaxEntries(s.MaxEntries))
	}
	return cache.New[int, string](opts...)
}

// cacheHooks returns the hooks that report as task id; t is nil for the
// janitor, which does no simulated work under the lock. loader marks the
// hooks of a task's GetOrLoad handle.
func (e *Engine) cacheHooks(id int32, t *task, loader bool) *cache.Hooks {
	cur := func() int32 {
		if t == nil {
			return -1
		}
		return t.curKey.Load()
	}
	st := &e.st
	// removed counts an entry gone from the cache (deleted, evicted or
	// swept) and records it.
	removed := func(key any, counter *uint64, kind Kind) {
		k := keyIndex(key)
		st.mu.Lock()
		*counter++
		st.setPresent(int(k), false)
		st.mu.Unlock()
		e.emit(kind, id, k, 0, 0, 0)
	}
	h := &cache.Hooks{
		Set: func(key any, ttl time.Duration) {
			k := keyIndex(key)
			st.mu.Lock()
			st.sets++
			st.setPresent(int(k), true)
			st.mu.Unlock()
			e.emit(KindCacheSet, id, k, 0, 0, durMs(ttl))
		},
		Hit: func(key any) {
			st.mu.Lock()
			st.hits++
			st.mu.Unlock()
			e.emit(KindCacheHit, id, keyIndex(key), 0, 0, 0)
		},
		Miss: func(key any, expired bool) {
			var f uint16
			st.mu.Lock()
			st.misses++
			if expired {
				st.expiredMisses++
				f = FlagExpired
			}
			st.mu.Unlock()
			e.emit(KindCacheMiss, id, keyIndex(key), 0, f, 0)
		},
		Delete: func(key any) { removed(key, &st.deletes, KindCacheDelete) },
		Evict:  func(key any) { removed(key, &st.evic, KindCacheEvict) },
		Expire: func(key any) { removed(key, &st.swept, KindCacheExpire) },
		SweepStart: func(entries int) {
			e.emit(KindSweepStart, id, -1, int32(entries), 0, 0)
		},
		SweepEnd: func(removed, remaining int, took time.Duration) {
			st.mu.Lock()
			st.sweeps++
			st.mu.Unlock()
			e.emit(KindSweepEnd, id, int32(remaining), int32(removed), 0, durMs(took))
		},
		LockWait: func(info cache.LockInfo) {
			e.emit(KindLockWait, id, cur(), int32(info.Shard), lockFlags(info), 0)
		},
		LockAcquired: func(info cache.LockInfo, waited time.Duration) {
			st.mu.Lock()
			st.lockWait.add(waited)
			st.mu.Unlock()
			e.emit(KindLockAcquired, id, cur(), int32(info.Shard), lockFlags(info), durMs(waited))
			if t != nil && e.work > 0 {
				// The simulated work, under the lock, on the scene clock.
				_ = e.clock.sleep(t.ctx, nil, e.work)
			}
		},
		LockReleased: func(info cache.LockInfo, held time.Duration) {
			st.mu.Lock()
			st.lockHold.add(held)
			st.mu.Unlock()
			e.emit(KindLockReleased, id, cur(), int32(info.Shard), lockFlags(info), durMs(held))
			if loader && info.Op == cache.OpSet {
				e.loadsStored.Add(1)
				select {
				case e.loadSignal <- struct{}{}:
				default:
				}
			}
		},
	}
	return h
}

// conn is the pool's resource: a pretend connection to a backend.
type conn struct{}

var errAcquireTimeout = errors.New("engine: acquire timeout")

// newPool makes the scene's pool, on the scene clock. Opening a connection
// takes LoadMs of scene time.
func (e *Engine) newPool() (*pool.Pool[*conn], error) {
	st := &e.st
	hooks := &pool.Hooks{
		AcquireStart: func(ctx context.Context) {
			e.emit(KindPoolAcquireStart, taskOf(ctx), -1, 0, 0, 0)
		},
		Waiting: func(ctx context.Context, position int) {
			e.emit(KindPoolWaiting, taskOf(ctx), -1, int32(position), 0, 0)
		},
		Constructing: func(ctx context.Context, rid uint64) {
			e.emit(KindPoolConstructing, taskOf(ctx), -1, int32(rid), 0, 0)
		},
		Acquired: func(ctx context.Context, rid uint64, waited time.Duration, created bool) {
			id := taskOf(ctx)
			e.owners.Store(rid, id)
			st.mu.Lock()
			st.poolWait.add(waited)
			st.mu.Unlock()
			var f uint16
			if created {
				f = FlagCreated
			}
			e.emit(KindPoolAcquired, id, -1, int32(rid), f, durMs(waited))
		},
		AcquireFailed: func(ctx context.Context, err error, waited time.Duration) {
			id := taskOf(ctx)
			var f uint16
			switch {
			case errors.Is(context.Cause(ctx), errAcquireTimeout):
				f = FailTimeout
			case errors.Is(err, pool.ErrClosed):
				f = FailClosed
			case ctx.Err() != nil:
				f = FailCanceled
			default:
				f = FailConstructor
			}
			if f == FailTimeout {
				st.mu.Lock()
				st.poolTimeouts++
				st.mu.Unlock()
			}
			e.emit(KindPoolAcquireFailed, id, -1, 0, f, durMs(waited))
		},
		Released: func(rid uint64, held time.Duration) {
			id := int32(TaskScene)
			if v, ok := e.owners.LoadAndDelete(rid); ok {
				id = v.(int32)
			}
			e.emit(KindPoolReleased, id, -1, int32(rid), 0, durMs(held))
		},
		Destroyed: func(rid uint64, reason pool.DestroyReason) {
			e.emit(KindPoolDestroyed, TaskScene, -1, int32(rid), uint16(reason), 0)
		},
	}
	return pool.New(pool.Config[*conn]{
		Constructor: func(ctx context.Context) (*conn, error) {
			if err := e.clock.Sleep(ctx, e.load); err != nil {
				return nil, err
			}
			return &conn{}, nil
		},
		MaxSize: e.scene.PoolSize,
		Clock:   e.clock,
		Hooks:   hooks,
	})
}

// usePool acquires a connection (giving up after the acquire timeout of
// scene time), uses it for WorkMs of scene time and releases it. It
// reports whether it got one.
func (t *task) usePool() bool {
	e := t.e
	ctx := t.ctx
	var cancel context.CancelCauseFunc
	var timer cache.Timer
	if e.acquireTimeout > 0 {
		ctx, cancel = context.WithCancelCause(t.ctx)
		timer = e.clock.AfterFunc(e.acquireTimeout, func() { cancel(errAcquireTimeout) })
	}
	r, err := e.pool.Acquire(ctx)
	if timer != nil {
		timer.Stop()
		cancel(nil)
	}
	if err != nil {
		return false
	}
	_ = e.clock.Sleep(t.ctx, e.work)
	r.Release()
	return true
}
