package pool

import "time"

// Stats returns a snapshot of the pool's state and counters.
func (p *Pool[T]) Stats() Stats {
	return p.p.stats()
}

// Stats describes a pool at one moment.
type Stats struct {
	MaxSize      int // Config.MaxSize
	Total        int // resources that exist: constructed and not yet destroyed, or being constructed
	Idle         int // resources in the pool, ready
	InUse        int // resources lent out (or being health-checked or destroyed)
	Constructing int // resources whose Constructor is running
	Waiting      int // Acquire calls waiting in line now

	AcquireCount      int64         // successful Acquire calls
	WaitCount         int64         // Acquire calls that had to wait in line
	WaitDuration      time.Duration // the total time they waited, on the pool's Clock
	CanceledWaitCount int64         // waits that ended because the caller's context ended
	ConstructorErrors int64         // Constructor calls that returned an error
	Created           int64         // resources constructed
	Destroyed         int64         // resources destroyed, for any reason

	DestroyedBroken     int64 // by Resource.Destroy
	DestroyedIdle       int64 // after IdleTimeout
	DestroyedLifetime   int64 // after MaxLifetime
	DestroyedUnhealthy  int64 // by a failed HealthCheck
	DestroyedWhenClosed int64 // because the pool was closed
}

func (p *pool[T]) stats() Stats {
	p.mu.Lock()
	s := Stats{
		MaxSize:      p.max,
		Total:        p.total,
		Idle:         len(p.idle),
		AcquireCount: p.acquiredIdle,
	}
	p.mu.Unlock()
	// The counters below are read without the lock, one by one: each is
	// exact, but an Acquire or a Release may run between two reads (hence
	// the max in InUse).
	s.Waiting = int(p.nwait.Load())
	s.WaitCount = p.waitCount.Load()
	s.Constructing = int(p.constructing.Load())
	s.InUse = max(s.Total-s.Idle-s.Constructing, 0)
	s.AcquireCount += p.acquired.Load()
	s.WaitDuration = time.Duration(p.waitNanos.Load())
	s.CanceledWaitCount = p.canceled.Load()
	s.ConstructorErrors = p.ctorErrors.Load()
	s.Created = p.created.Load()
	s.DestroyedBroken = p.destroyedBy[Broken].Load()
	s.DestroyedIdle = p.destroyedBy[IdleTimeout].Load()
	s.DestroyedLifetime = p.destroyedBy[MaxLifetime].Load()
	s.DestroyedUnhealthy = p.destroyedBy[Unhealthy].Load()
	s.DestroyedWhenClosed = p.destroyedBy[Closed].Load()
	s.Destroyed = s.DestroyedBroken + s.DestroyedIdle + s.DestroyedLifetime + s.DestroyedUnhealthy + s.DestroyedWhenClosed
	return s
}
