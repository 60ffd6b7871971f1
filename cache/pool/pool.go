// Package pool is a generic, bounded, context-aware pool of resources, such
// as database connections: the connection pool of the lesson's second
// self-review prompt, built to be used by a service.
//
// A Pool makes resources lazily with Config.Constructor, up to
// Config.MaxSize of them, and lends them out with Acquire. The holder gives a
// resource back with Resource.Release, or, when it is broken, closes it and
// frees its slot with Resource.Destroy. An idle resource is always handed
// out before a new one is made; the most recently used one first, so that
// the others can time out.
//
// # Waiting
//
// When every slot is taken, Acquire waits, first come first served (in the
// order callers join the line), until
// a resource or a slot is handed to it, its context ends, or the pool is
// closed. A resource given back while callers wait goes directly to the
// first of them; a freed slot (Destroy, a failed Constructor, an expired
// resource) lets the first of them make a new resource. A caller whose
// context ends while it waits leaves the queue; if a resource or a slot was
// handed to it at that very moment, it passes it on to the next in line, so
// nothing is ever lost. Never more than MaxSize resources exist: a slot is
// taken before the Constructor runs and freed only after the Destructor has
// returned.
//
// # Time
//
// Config.IdleTimeout and Config.MaxLifetime are enforced twice: lazily, as
// Acquire never hands out an expired resource and Release destroys one
// that outlived MaxLifetime, and by a background goroutine that destroys
// expired idle resources at their deadline, and keeps Config.MinIdle idle
// resources ready. That goroutine runs only if one of these three is set;
// Close stops it, and it also stops (closing the pool) within a second, on
// the pool's Clock, of the Pool becoming unreachable and collected. All of
// this reads time from Config.Clock (see
// cache.Clock), so a program that slows down or pauses its clock slows
// down or pauses the pool's timeouts too.
//
// # Closing
//
// After Close, every waiting and every later Acquire returns ErrClosed,
// idle resources are destroyed at once, and a resource in use is destroyed
// when it is given back. Every constructed resource is destroyed exactly
// once, by the Destructor.
//
// Releasing or destroying a resource twice, or using it after, is a
// programming error and panics, as unlocking an unlocked sync.Mutex does.
// To tell a late second Release from the Release of the next holder,
// every Acquire returns a new Resource (a loan) for the same underlying
// resource; Resource.ID names the resource itself.
//
// # Cost
//
// An Acquire that finds an idle resource takes one short lock and makes
// one small allocation, the Resource. Once callers wait in line, giving a
// resource back and joining the line take no lock: an atomic counter and
// one channel, on which the runtime parks the waiters in order. Stats
// counts wait time with two readings of the clock per wait; with no Hooks,
// nothing more is measured. See the benchmarks in cache/pool/bench.
package pool

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosharedstate/playground/cache"
)

// ErrClosed is returned by Acquire on a closed pool.
var ErrClosed = errors.New("pool: closed")

// Config configures a Pool. Constructor and MaxSize are required; every
// other field has a useful zero value.
//
// A panic in Constructor, Destructor, HealthCheck or a hook reaches the
// caller that made the call, and the pool frees the slot involved; in the
// background goroutine (MinIdle, timeouts) it ends the program, as any
// unrecovered panic does.
type Config[T any] struct {
	// Constructor makes one resource. It gets the context of the Acquire
	// that needs the resource (for the MinIdle filler, a context cancelled
	// by Close). Its error is returned by that Acquire, and the slot is
	// freed.
	Constructor func(ctx context.Context) (T, error)
	// Destructor closes one resource. It may be nil. It is called exactly
	// once for every resource Constructor made, and should not panic.
	Destructor func(T)
	// MaxSize is the largest number of resources that exist at once,
	// counting those being constructed and destroyed. It must be > 0.
	MaxSize int

	// MinIdle is the number of idle resources the background goroutine
	// tries to keep ready (within MaxSize, and only while nobody waits). 0:
	// none; resources are then only made by Acquire. If the Constructor
	// fails, the goroutine tries again after one second on the Clock, or
	// at the next Acquire or freed slot.
	MinIdle int
	// IdleTimeout destroys a resource that has stayed idle in the pool for
	// this long. 0: never.
	IdleTimeout time.Duration
	// MaxLifetime destroys a resource that has existed for this long (since
	// its Constructor returned): when idle, at that time; when in use, when
	// it is given back. 0: never.
	MaxLifetime time.Duration

	// HealthCheck, if set, is called by Acquire before it hands out a
	// resource taken from the idle set, with the Acquire's context. If it
	// returns an error, the resource is destroyed (reason Unhealthy) and
	// Acquire carries on with another idle resource or a new one, unless
	// the context has ended, in which case the resource goes back to the
	// pool and Acquire returns ctx.Err(). A resource passed directly from
	// a Release to a waiting Acquire is not checked.
	HealthCheck func(ctx context.Context, v T) error
	// HealthCheckAfter limits HealthCheck to resources that have been idle
	// for at least this long. 0: every resource taken from the idle set is
	// checked.
	HealthCheckAfter time.Duration

	// Clock is the time source for timeouts, lifetimes and every duration
	// the pool measures. nil: cache.SystemClock().
	Clock cache.Clock
	// Hooks are called as things happen. nil: none.
	Hooks *Hooks
}

// Pool is a pool of resources of type T, safe for concurrent use. Make one
// with New; Close it when done.
type Pool[T any] struct {
	p *pool[T]
}

// conn is one constructed resource, lent out many times.
type conn[T any] struct {
	p          *pool[T]
	value      T
	id         uint64
	created    time.Time
	idleSince  time.Time     // set when it goes idle, if anything reads it
	acquiredAt time.Duration // a stamp, set when lent out if a Released hook needs it
}

// pool is the state shared by a Pool, its Resources and its background
// goroutine. It never points back to the Pool, so that the Pool can become
// unreachable while the others are still around.
//
// Waiting works with an atomic counter and one channel, without the lock
// once the line has formed. A caller that must wait registers (nwait++),
// then receives from handoff. It registers under the lock after finding
// no idle resource and no free slot, or, while nwait > 0, with a CAS
// alone: nwait > 0 implies that nothing is idle and every slot is taken,
// because a resource or slot given back while nwait > 0 goes to the
// waiters, and the idle set only grows under the lock, with nwait == 0,
// which only the lock's holder can make positive. Whoever gives a resource
// or a slot to the waiters decrements nwait with a CAS, then sends on
// handoff (a *conn, or nil for a slot): the send never blocks, as handoff
// has room for MaxSize grants and there are never more. So nwait plus the
// grants sent or on their way is the number of registered waiters yet to
// receive, and a waiter whose context ends either unregisters (a CAS on
// nwait > 0), or, if every waiter left already has a grant on its way,
// receives one and passes it on. The runtime serves the receivers blocked
// on handoff in order, which makes the line first come, first served.
// Close sets nwait to 0 under the lock and then, without it, sends the
// closing sentinel once for every waiter that was registered. Sentinels
// can fill handoff, so a grant sent without the lock just before Close
// may wait for a waiter to take a sentinel; a grant sent with the lock
// held never waits: it comes before Close's locked section, when
// handoff holds grants only, or there is none after it (nwait is 0).
type pool[T any] struct {
	mu           spinMutex
	idle         []*conn[T] // a stack: the most recently released last
	total        int        // slots taken: resources constructed and not yet destroyed, or being constructed
	closed       bool
	acquiredIdle int64     // Acquire calls served by the fast path
	nextWake     time.Time // when the janitor will next look; zero: not planned
	handoff      chan *conn[T]
	closing      *conn[T] // sent to the waiters by Close

	// read-only after New
	ctor        func(context.Context) (T, error)
	dtor        func(T)
	max         int
	minIdle     int
	idleTimeout time.Duration
	maxLifetime time.Duration
	hc          func(context.Context, T) error
	hcAfter     time.Duration
	clock       cache.Clock
	sysClock    bool      // clock is cache.SystemClock(): durations can use the monotonic clock alone
	base        time.Time // a fixed time on clock, for stamp
	hooks       *Hooks
	needNow     bool // something reads the time at Acquire and Release
	checkIdle   bool // an idle resource may be unusable: expiry or health check

	nwait        atomic.Int64 // registered waiters not yet granted anything
	waitCount    atomic.Int64 // Acquire calls that registered to wait
	nextID       atomic.Uint64
	closedFlag   atomic.Bool
	constructing atomic.Int64
	acquired     atomic.Int64 // Acquire calls served otherwise
	waitNanos    atomic.Int64
	canceled     atomic.Int64
	ctorErrors   atomic.Int64
	created      atomic.Int64
	destroyed    [numReasons]atomic.Int64

	// the janitor, if any
	wake      chan struct{}   // cap 1: look again now
	stop      chan struct{}   // closed by Close
	abandoned atomic.Bool     // set when the Pool became unreachable
	cleanup   runtime.Cleanup // sets abandoned; stopped by shutdown
	done      chan struct{}   // closed when the janitor has returned
	bgCtx     context.Context
	bgCancel  context.CancelFunc
	closeOnce sync.Once
	stopOnce  sync.Once
}

// stamp returns the time on the pool's clock as a duration since a fixed
// time, for measuring durations. On the system clock it reads only the
// monotonic clock, which is cheaper than time.Now.
func (p *pool[T]) stamp() time.Duration {
	if p.sysClock {
		return time.Since(p.base)
	}
	return p.clock.Now().Sub(p.base)
}

// New returns a pool configured by cfg, or an error if cfg is invalid. It
// makes no resource itself; if MinIdle, IdleTimeout or MaxLifetime is set,
// it starts the background goroutine, which makes the MinIdle ones.
func New[T any](cfg Config[T]) (*Pool[T], error) {
	switch {
	case cfg.Constructor == nil:
		return nil, errors.New("pool: Config.Constructor is nil")
	case cfg.MaxSize <= 0:
		return nil, fmt.Errorf("pool: Config.MaxSize is %d, must be > 0", cfg.MaxSize)
	case cfg.MinIdle < 0 || cfg.MinIdle > cfg.MaxSize:
		return nil, fmt.Errorf("pool: Config.MinIdle is %d, must be between 0 and MaxSize (%d)", cfg.MinIdle, cfg.MaxSize)
	case cfg.IdleTimeout < 0:
		return nil, fmt.Errorf("pool: Config.IdleTimeout is negative (%v)", cfg.IdleTimeout)
	case cfg.MaxLifetime < 0:
		return nil, fmt.Errorf("pool: Config.MaxLifetime is negative (%v)", cfg.MaxLifetime)
	case cfg.HealthCheckAfter < 0:
		return nil, fmt.Errorf("pool: Config.HealthCheckAfter is negative (%v)", cfg.HealthCheckAfter)
	case cfg.HealthCheckAfter > 0 && cfg.HealthCheck == nil:
		return nil, errors.New("pool: Config.HealthCheckAfter is set but Config.HealthCheck is nil")
	}
	p := &pool[T]{
		mu:          newSpinMutex(),
		ctor:        cfg.Constructor,
		dtor:        cfg.Destructor,
		max:         cfg.MaxSize,
		minIdle:     cfg.MinIdle,
		idleTimeout: cfg.IdleTimeout,
		maxLifetime: cfg.MaxLifetime,
		hc:          cfg.HealthCheck,
		hcAfter:     cfg.HealthCheckAfter,
		clock:       cfg.Clock,
		hooks:       cfg.Hooks,
	}
	if p.clock == nil {
		p.clock = cache.SystemClock()
	}
	p.needNow = p.idleTimeout > 0 || p.maxLifetime > 0 || p.hcAfter > 0
	p.checkIdle = p.needNow || p.hc != nil
	p.sysClock = p.clock == cache.SystemClock()
	p.base = p.clock.Now()
	p.handoff = make(chan *conn[T], p.max)
	p.closing = new(conn[T])
	p.bgCtx, p.bgCancel = context.WithCancel(context.Background())
	pub := &Pool[T]{p: p}
	if p.minIdle > 0 || p.idleTimeout > 0 || p.maxLifetime > 0 {
		p.wake = make(chan struct{}, 1)
		p.stop = make(chan struct{})
		p.done = make(chan struct{})
		// The cleanup gets p, never pub: the janitor keeps p alive, not pub.
		// It only sets a flag, which the janitor reads at least every
		// abandonCheck: a cleanup runs on a runtime goroutine, and it must
		// touch none of the pool's channels, which may belong to a
		// testing/synctest bubble (an operation on them from outside the
		// bubble is a fatal error).
		p.cleanup = runtime.AddCleanup(pub, func(p *pool[T]) { p.abandoned.Store(true) }, p)
		go p.janitor()
	}
	return pub, nil
}

// Acquire returns an idle resource, or a new one if none is idle and the
// pool has a free slot, or else waits in line for one. It returns ctx.Err()
// if ctx ends first (it relies only on ctx.Done(), never on its deadline),
// ErrClosed if the pool is closed, or the Constructor's error. The caller
// must give the resource back with Release or Destroy.
func (p *Pool[T]) Acquire(ctx context.Context) (*Resource[T], error) {
	r, err := p.p.acquire(ctx)
	// While an Acquire waits, its Pool is in use: it must not be found
	// unreachable, and closed, under it.
	runtime.KeepAlive(p)
	return r, err
}

// Close closes the pool: every waiting and later Acquire returns ErrClosed,
// idle resources are destroyed now, and resources in use will be destroyed
// when given back. It stops the background goroutine and waits for it and
// for the idle resources' Destructors. It is idempotent.
func (p *Pool[T]) Close() {
	p.p.close()
}

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
	s.Waiting = int(p.nwait.Load())
	s.WaitCount = p.waitCount.Load()
	s.Constructing = int(p.constructing.Load())
	s.InUse = max(s.Total-s.Idle-s.Constructing, 0)
	s.AcquireCount += p.acquired.Load()
	s.WaitDuration = time.Duration(p.waitNanos.Load())
	s.CanceledWaitCount = p.canceled.Load()
	s.ConstructorErrors = p.ctorErrors.Load()
	s.Created = p.created.Load()
	s.DestroyedBroken = p.destroyed[Broken].Load()
	s.DestroyedIdle = p.destroyed[IdleTimeout].Load()
	s.DestroyedLifetime = p.destroyed[MaxLifetime].Load()
	s.DestroyedUnhealthy = p.destroyed[Unhealthy].Load()
	s.DestroyedWhenClosed = p.destroyed[Closed].Load()
	s.Destroyed = s.DestroyedBroken + s.DestroyedIdle + s.DestroyedLifetime + s.DestroyedUnhealthy + s.DestroyedWhenClosed
	return s
}

// acquire is Acquire. Its fast path takes the most recently released idle
// resource when nothing about it needs checking.
func (p *pool[T]) acquire(ctx context.Context) (*Resource[T], error) {
	if h := p.hooks; h != nil && h.AcquireStart != nil {
		h.AcquireStart(ctx)
	}
	if err := ctx.Err(); err != nil {
		return nil, p.fail(ctx, err, 0)
	}
	// The Resource is allocated before anything is taken from the pool:
	// an allocation can make the goroutine assist the garbage collector,
	// even park, and it must not do so while holding a resource that
	// others wait for (under load, that alone turns the pool into a
	// convoy of waiters).
	r := new(Resource[T])
	if w := p.nwait.Load(); w > 0 && p.nwait.CompareAndSwap(w, w+1) {
		// In line behind others: nothing is idle, no slot is free.
		p.waitCount.Add(1)
		g, waited, err := p.wait(ctx, int(w+1))
		if res, slot, err := p.afterWait(ctx, r, g, waited, err); !slot {
			return res, err
		}
		var now time.Time
		if p.needNow {
			now = p.clock.Now()
		}
		p.mu.Lock()
		return p.acquireSlow(ctx, r, now, true, waited)
	}
	var now time.Time
	if p.needNow {
		now = p.clock.Now()
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 && !p.closed {
		c := p.idle[n-1]
		if !p.checkIdle || p.fresh(c, now) {
			p.idle[n-1] = nil
			p.idle = p.idle[:n-1]
			p.acquiredIdle++
			if n-1 < p.minIdle {
				p.pokeLocked()
			}
			p.mu.Unlock()
			return p.handle(ctx, r, c, 0, false), nil
		}
	}
	return p.acquireSlow(ctx, r, now, false, 0)
}

// fresh reports whether idle resource c can be handed out as it is: not
// expired, and no health check due.
func (p *pool[T]) fresh(c *conn[T], now time.Time) bool {
	return p.expired(c, now) == 0 && !p.checkDue(c, now)
}

// expired returns why c must be destroyed now, or 0.
func (p *pool[T]) expired(c *conn[T], now time.Time) DestroyReason {
	if p.maxLifetime > 0 && now.Sub(c.created) >= p.maxLifetime {
		return MaxLifetime
	}
	if p.idleTimeout > 0 && now.Sub(c.idleSince) >= p.idleTimeout {
		return IdleTimeout
	}
	return 0
}

// checkDue reports whether idle resource c must be health-checked before it
// is handed out.
func (p *pool[T]) checkDue(c *conn[T], now time.Time) bool {
	return p.hc != nil && (p.hcAfter == 0 || now.Sub(c.idleSince) >= p.hcAfter)
}

type deadConn[T any] struct {
	c      *conn[T]
	reason DestroyReason
}

// acquireSlow is everything but the fast path. It is called with p.mu held.
//
// The caller may hold a slot (haveSlot): a free slot it took, the slot of
// an expired or unhealthy resource it destroyed, or a slot granted to it
// while it waited. It gives the slot back if it finds an idle resource
// after all, and the deferred call gives it back if a Constructor,
// Destructor, HealthCheck or hook panics. waited is the time the caller
// has already waited in line.
func (p *pool[T]) acquireSlow(ctx context.Context, r *Resource[T], now time.Time, haveSlot bool, waited time.Duration) (*Resource[T], error) {
	defer func() {
		if haveSlot {
			p.freeSlot()
		}
	}()
	for {
		// p.mu is held here.
		var position int
		if p.closed {
			p.mu.Unlock()
			return nil, p.fail(ctx, ErrClosed, waited)
		}
		var dead []deadConn[T]
		var c *conn[T]
		for n := len(p.idle); n > 0; n = len(p.idle) {
			c = p.idle[n-1]
			p.idle[n-1] = nil
			p.idle = p.idle[:n-1]
			if reason := p.expired(c, now); reason != 0 {
				dead = append(dead, deadConn[T]{c, reason})
				c = nil
				continue
			}
			break
		}
		keepDeadSlot := false // this caller takes over the slot of dead[0]
		switch {
		case c != nil:
			if haveSlot {
				haveSlot = false
				p.freeSlotLocked()
			}
		case haveSlot:
		case len(dead) > 0:
			keepDeadSlot, haveSlot = true, true
		case p.total < p.max:
			p.total++
			haveSlot = true
		default:
			position = int(p.nwait.Add(1))
			p.waitCount.Add(1)
		}
		if len(p.idle) < p.minIdle {
			p.pokeLocked()
		}
		p.mu.Unlock()
		for i, d := range dead {
			p.destroy(d.c, d.reason, !(keepDeadSlot && i == 0))
		}

		if c != nil {
			if p.checkDue(c, now) {
				if err := p.hc(ctx, c.value); err != nil {
					if ctx.Err() != nil {
						// Not the resource's fault: put it back as it was.
						if p.needNow {
							now = p.clock.Now()
						}
						p.put(c, now, c.idleSince)
						return nil, p.fail(ctx, ctx.Err(), waited)
					}
					haveSlot = true
					p.destroy(c, Unhealthy, false)
					if p.needNow {
						now = p.clock.Now()
					}
					p.mu.Lock()
					continue
				}
			}
			p.acquired.Add(1)
			return p.handle(ctx, r, c, waited, false), nil
		}

		if haveSlot {
			c, err := p.construct(ctx)
			if err != nil {
				haveSlot = false
				p.freeSlot()
				return nil, p.fail(ctx, err, waited)
			}
			haveSlot = false // c has it now
			if p.closedFlag.Load() {
				p.destroy(c, Closed, true)
				return nil, p.fail(ctx, ErrClosed, waited)
			}
			p.acquired.Add(1)
			return p.handle(ctx, r, c, waited, true), nil
		}

		// Registered: wait in line for a grant.
		g, w, err := p.wait(ctx, position)
		waited += w
		res, slot, err := p.afterWait(ctx, r, g, waited, err)
		if !slot {
			return res, err
		}
		haveSlot = true // granted a slot: look again, then construct
		if p.needNow {
			now = p.clock.Now()
		}
		p.mu.Lock()
	}
}

// wait waits in line, the caller having registered at position, and
// returns what it was granted: a resource, or nil for a slot, or an error
// (ctx.Err() or ErrClosed); and how long it waited. It is small, with its
// caller acquire, so that a waiter parks on a short stack: with thousands
// of waiters, waking one costs less.
func (p *pool[T]) wait(ctx context.Context, position int) (*conn[T], time.Duration, error) {
	start := p.stamp()
	if h := p.hooks; h != nil && h.Waiting != nil {
		h.Waiting(ctx, position)
	}
	var g *conn[T]
	if done := ctx.Done(); done == nil {
		g = <-p.handoff
	} else {
		select {
		case g = <-p.handoff:
		case <-done:
			if !p.unregister() {
				// Every waiter still in line, this one included, has a
				// grant on its way: take one and pass it on.
				p.passOn(<-p.handoff)
			}
			waited := p.stamp() - start
			p.waitNanos.Add(int64(waited))
			p.canceled.Add(1)
			return nil, waited, ctx.Err()
		}
	}
	waited := p.stamp() - start
	p.waitNanos.Add(int64(waited))
	if g == p.closing {
		return nil, waited, ErrClosed
	}
	return g, waited, nil
}

// afterWait finishes an Acquire after a wait that returned g or err: it
// returns the Acquire's result, or slot true if the caller was granted a
// slot and must carry on.
func (p *pool[T]) afterWait(ctx context.Context, r *Resource[T], g *conn[T], waited time.Duration, err error) (*Resource[T], bool, error) {
	switch {
	case err != nil:
		return nil, false, p.fail(ctx, err, waited)
	case g == nil:
		return nil, true, nil
	case p.closedFlag.Load():
		p.destroy(g, Closed, true)
		return nil, false, p.fail(ctx, ErrClosed, waited)
	}
	p.acquired.Add(1)
	return p.handle(ctx, r, g, waited, false), false, nil
}

// unregister takes a waiter out of line, unless every waiter still in line
// has a grant on its way. It reports whether it did.
func (p *pool[T]) unregister() bool {
	for w := p.nwait.Load(); w > 0; w = p.nwait.Load() {
		if p.nwait.CompareAndSwap(w, w-1) {
			return true
		}
	}
	return false
}

// grant gives c, or a slot if c is nil, to a waiter, if any is registered
// without a grant. It reports whether it did. It needs no lock.
func (p *pool[T]) grant(c *conn[T]) bool {
	for w := p.nwait.Load(); w > 0; w = p.nwait.Load() {
		if p.nwait.CompareAndSwap(w, w-1) {
			p.handoff <- c // does not block, but after Close: see pool
			return true
		}
	}
	return false
}

// passOn gives back a grant received by a waiter that gave up: a resource
// (g), a slot (g == nil), or nothing (the closing sentinel).
func (p *pool[T]) passOn(g *conn[T]) {
	switch g {
	case p.closing:
	case nil:
		p.freeSlot()
	default:
		var now time.Time
		if p.needNow {
			now = p.clock.Now()
		}
		p.put(g, now, now)
	}
}

// construct runs the Constructor for a caller that holds a slot.
func (p *pool[T]) construct(ctx context.Context) (*conn[T], error) {
	id := p.nextID.Add(1)
	if h := p.hooks; h != nil && h.Constructing != nil {
		h.Constructing(ctx, id)
	}
	p.constructing.Add(1)
	defer p.constructing.Add(-1)
	v, err := p.ctor(ctx)
	if err != nil {
		p.ctorErrors.Add(1)
		return nil, err
	}
	p.created.Add(1)
	return &conn[T]{p: p, value: v, id: id, created: p.clock.Now()}, nil
}

// handle makes r the Resource of c for its new holder.
func (p *pool[T]) handle(ctx context.Context, r *Resource[T], c *conn[T], waited time.Duration, created bool) *Resource[T] {
	r.c = c
	if h := p.hooks; h != nil {
		if h.Released != nil {
			c.acquiredAt = p.stamp()
		}
		if h.Acquired != nil {
			h.Acquired(ctx, c.id, waited, created)
		}
	}
	return r
}

// fail reports a failed Acquire to the hooks and returns err.
func (p *pool[T]) fail(ctx context.Context, err error, waited time.Duration) error {
	if h := p.hooks; h != nil && h.AcquireFailed != nil {
		h.AcquireFailed(ctx, err, waited)
	}
	return err
}

// put gives c back to the pool at time now (zero if the pool does not read
// the time): to the waiters, or to the idle set, where it has been idle
// since idleSince. On a closed pool, or past its MaxLifetime, it destroys
// c.
func (p *pool[T]) put(c *conn[T], now, idleSince time.Time) {
	if p.maxLifetime > 0 && now.Sub(c.created) >= p.maxLifetime {
		p.destroy(c, MaxLifetime, true)
		return
	}
	if p.grant(c) {
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.destroy(c, Closed, true)
		return
	}
	if p.grant(c) { // a waiter came in the meantime
		p.mu.Unlock()
		return
	}
	c.idleSince = idleSince
	p.idle = append(p.idle, c)
	if p.wake != nil && (p.idleTimeout > 0 || p.maxLifetime > 0) {
		d := p.deadline(c)
		if p.nextWake.IsZero() || d.Before(p.nextWake) {
			p.nextWake = d
			p.pokeLocked()
		}
	}
	p.mu.Unlock()
}

// deadline returns when idle resource c expires. IdleTimeout or MaxLifetime
// must be set.
func (p *pool[T]) deadline(c *conn[T]) time.Time {
	var d time.Time
	if p.idleTimeout > 0 {
		d = c.idleSince.Add(p.idleTimeout)
	}
	if p.maxLifetime > 0 {
		if l := c.created.Add(p.maxLifetime); d.IsZero() || l.Before(d) {
			d = l
		}
	}
	return d
}

// freeSlot gives a slot back: to the waiters, the first of whom will
// construct a resource, or to the pool.
func (p *pool[T]) freeSlot() {
	if p.grant(nil) {
		return
	}
	p.mu.Lock()
	p.freeSlotLocked()
	p.mu.Unlock()
}

// freeSlotLocked is freeSlot with p.mu held.
func (p *pool[T]) freeSlotLocked() {
	if p.grant(nil) {
		return
	}
	p.total--
	if p.minIdle > 0 && !p.closed {
		p.pokeLocked()
	}
}

// destroy closes c, reports it, and if free, frees its slot afterwards,
// even if the Destructor or the hook panics.
func (p *pool[T]) destroy(c *conn[T], reason DestroyReason, free bool) {
	if free {
		defer p.freeSlot()
	}
	if p.dtor != nil {
		p.dtor(c.value)
	}
	p.destroyed[reason].Add(1)
	if h := p.hooks; h != nil && h.Destroyed != nil {
		h.Destroyed(c.id, reason)
	}
}

// pokeLocked tells the janitor, if any, to look again. p.mu is held.
func (p *pool[T]) pokeLocked() {
	if p.wake != nil {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// close is Close.
func (p *pool[T]) close() {
	p.closeOnce.Do(p.shutdown)
	if p.stop != nil {
		p.stopOnce.Do(func() { close(p.stop) })
		<-p.done
	}
}

// shutdown marks the pool closed, turns the waiters away and destroys the
// idle resources.
func (p *pool[T]) shutdown() {
	p.cleanup.Stop()
	p.bgCancel()
	p.mu.Lock()
	p.closed = true
	p.closedFlag.Store(true)
	dead := p.idle
	p.idle = nil
	n := p.nwait.Swap(0)
	p.mu.Unlock()
	// One item for each registered waiter: grants already sent or on their
	// way, and these. A waiter given a resource after Close destroys it.
	for range n {
		p.handoff <- p.closing
	}
	for _, c := range dead {
		p.destroy(c, Closed, true)
	}
}
