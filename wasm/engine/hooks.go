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
		e.emit(Event{Kind: kind, Task: id, Key: k})
	}
	h := &cache.Hooks{
		Set: func(key any, ttl time.Duration) {
			k := keyIndex(key)
			st.mu.Lock()
			st.sets++
			st.setPresent(int(k), true)
			st.mu.Unlock()
			e.meas.stored(int(k), e.clock.Elapsed(), ttl)
			e.emit(Event{Kind: KindCacheSet, Task: id, Key: k, Dur: durMs(ttl)})
		},
		Hit: func(key any) {
			st.mu.Lock()
			st.hits++
			st.mu.Unlock()
			e.emit(Event{Kind: KindCacheHit, Task: id, Key: keyIndex(key)})
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
			e.emit(Event{Kind: KindCacheMiss, Task: id, Key: keyIndex(key), Flags: f})
		},
		Delete: func(key any) { removed(key, &st.deletes, KindCacheDelete) },
		Evict:  func(key any) { removed(key, &st.evic, KindCacheEvict) },
		Expire: func(key any) { removed(key, &st.swept, KindCacheExpire) },
		SweepStart: func(entries int) {
			e.expiredNow() // before the sweep removes them: the most there were
			e.emit(Event{Kind: KindSweepStart, Task: id, Key: -1, Aux: int32(entries)})
		},
		SweepEnd: func(removed, remaining int, took time.Duration) {
			st.mu.Lock()
			st.sweeps++
			st.mu.Unlock()
			e.emit(Event{Kind: KindSweepEnd, Task: id, Key: int32(remaining), Aux: int32(removed), Dur: durMs(took)})
		},
		LockWait: func(info cache.LockInfo) {
			e.emit(Event{Kind: KindLockWait, Task: id, Key: cur(), Aux: int32(info.Shard), Flags: lockFlags(info)})
		},
		LockAcquired: func(info cache.LockInfo, waited time.Duration) {
			st.mu.Lock()
			st.lockWait.add(waited)
			st.mu.Unlock()
			e.emit(Event{Kind: KindLockAcquired, Task: id, Key: cur(), Aux: int32(info.Shard), Flags: lockFlags(info), Dur: durMs(waited)})
			if t != nil && e.work > 0 {
				// The simulated work, under the lock: it blocks on the
				// scene clock, or computes (Extras.Spin).
				if e.x.Spin {
					e.spin(e.work)
				} else {
					_ = e.clock.sleep(t.ctx, nil, e.work)
				}
			}
		},
		LockReleased: func(info cache.LockInfo, held time.Duration) {
			st.mu.Lock()
			st.lockHold.add(held)
			st.mu.Unlock()
			if info.Op == cache.OpSweep {
				e.meas.sweepHeld(held)
			}
			e.emit(Event{Kind: KindLockReleased, Task: id, Key: cur(), Aux: int32(info.Shard), Flags: lockFlags(info), Dur: durMs(held)})
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
			e.emit(Event{Kind: KindPoolAcquireStart, Task: taskOf(ctx), Key: -1})
		},
		Waiting: func(ctx context.Context, position int) {
			e.meas.poolWaiting(taskOf(ctx), position, e.clock.Elapsed())
			e.emit(Event{Kind: KindPoolWaiting, Task: taskOf(ctx), Key: -1, Aux: int32(position)})
		},
		Constructing: func(ctx context.Context, rid uint64) {
			// A waiter granted a free slot leaves the line here: it opens
			// its connection, and is acquired only once that is done.
			e.meas.poolLeft(taskOf(ctx), true)
			e.meas.poolConstructing()
			e.emit(Event{Kind: KindPoolConstructing, Task: taskOf(ctx), Key: -1, Aux: int32(rid)})
		},
		Acquired: func(ctx context.Context, rid uint64, waited time.Duration, created bool) {
			id := taskOf(ctx)
			e.owners.Store(rid, id)
			e.meas.poolLeft(id, true)
			st.mu.Lock()
			st.poolWait.add(waited)
			st.mu.Unlock()
			var f uint16
			if created {
				f = FlagCreated
			}
			e.emit(Event{Kind: KindPoolAcquired, Task: id, Key: -1, Aux: int32(rid), Flags: f, Dur: durMs(waited)})
		},
		AcquireFailed: func(ctx context.Context, err error, waited time.Duration) {
			id := taskOf(ctx)
			e.meas.poolLeft(id, false)
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
			e.emit(Event{Kind: KindPoolAcquireFailed, Task: id, Key: -1, Flags: f, Dur: durMs(waited)})
		},
		Released: func(rid uint64, held time.Duration) {
			id := int32(TaskScene)
			if v, ok := e.owners.LoadAndDelete(rid); ok {
				id = v.(int32)
			}
			e.emit(Event{Kind: KindPoolReleased, Task: id, Key: -1, Aux: int32(rid), Dur: durMs(held)})
		},
		Destroyed: func(rid uint64, reason pool.DestroyReason) {
			e.meas.poolDestroyed(reason)
			e.emit(Event{Kind: KindPoolDestroyed, Task: TaskScene, Key: -1, Aux: int32(rid), Flags: uint16(reason)})
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
