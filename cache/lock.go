package cache

import (
	"sync"
	"time"
)

// lockState is what unlock needs to know about a lock taken by lock.
type lockState struct {
	shared bool
	held   bool // not released yet
	traced bool
	info   LockInfo
	at     time.Time // when the lock was acquired, if traced
}

// locker returns the lock that guards s, for a shared or an exclusive
// hold: its RWMutex under RWMutex locking (RLocker for a shared hold), else
// its Mutex. Lock and Unlock on it report nothing to the hooks; lock and
// unlock below do.
func (co *core[K, V]) locker(s *shard[K, V], shared bool) sync.Locker {
	switch {
	case co.locking != RWMutex:
		return &s.mu
	case shared:
		return s.rw.RLocker()
	default:
		return &s.rw
	}
}

// lock takes shard idx's lock for op, shared if asked and the locking is
// RWMutex, and reports to the handle's lock hooks.
//
// Every operation defers unlock right after lock and also calls it where
// the lock must end (before the hooks that run unlocked): unlock releases
// the lock once, so the deferred call does nothing on the normal path, and
// a panic under the lock (an unhashable key in a map of interface keys, a
// panicking hook or Update function) releases it on its way to the caller,
// as a sync.Mutex user's deferred Unlock would. The cache then keeps
// working, with true counts: such a panic comes before the operation has
// changed anything (an unhashable key panics at the first map access; the
// LockAcquired hook and Update's function run before any change).
func (c *Cache[K, V]) lock(s *shard[K, V], idx int, op Op, shared bool) lockState {
	shared = shared && c.c.locking == RWMutex
	h := c.hooks
	if h == nil || (h.LockWait == nil && h.LockAcquired == nil && h.LockReleased == nil) {
		c.c.locker(s, shared).Lock()
		return lockState{shared: shared, held: true}
	}
	return c.lockTraced(s, idx, op, shared)
}

func (c *Cache[K, V]) lockTraced(s *shard[K, V], idx int, op Op, shared bool) (l lockState) {
	h := c.hooks
	l = lockState{shared: shared, traced: true, info: LockInfo{Op: op, Shared: shared}}
	if c.c.locking == Sharded {
		l.info.Shard = idx
	}
	if h.LockWait != nil {
		h.LockWait(l.info)
	}
	clk := c.c.clock
	t0 := clk.Now()
	c.c.locker(s, shared).Lock()
	l.held = true
	l.at = clk.Now()
	if h.LockAcquired != nil {
		// The caller has not deferred its unlock yet: if the hook panics
		// or calls runtime.Goexit, release the lock here.
		ok := false
		defer func() {
			if !ok {
				c.unlock(s, &l)
			}
		}()
		h.LockAcquired(l.info, l.at.Sub(t0))
		ok = true
	}
	return l
}

// unlock releases a lock taken by lock, if it is still held, and reports
// it to the lock hooks.
func (c *Cache[K, V]) unlock(s *shard[K, V], l *lockState) {
	if !l.held {
		return
	}
	l.held = false
	c.c.locker(s, l.shared).Unlock()
	if l.traced {
		if h := c.hooks; h.LockReleased != nil {
			h.LockReleased(l.info, c.c.clock.Now().Sub(l.at))
		}
	}
}
