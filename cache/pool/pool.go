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
// # Panics
//
// A panic in Constructor, Destructor, HealthCheck or a hook goes on to the
// caller of the Pool or Resource method that ran it (Acquire, Release,
// Destroy, Close), and a call of runtime.Goexit there (as t.FailNow makes)
// ends the caller's goroutine, as they always do; but first the pool gives
// back the slot and the resource involved, in deferred calls: every
// resource constructed is still destroyed exactly once, every slot comes
// back, and the pool goes on working. In detail:
//
//   - Constructor, Hooks.Constructing: the slot is freed (the first
//     caller in line, if any, gets it).
//   - HealthCheck: the resource is destroyed (reason Unhealthy: a check
//     that cannot say it is healthy condemns it), and its slot freed.
//   - Hooks.Acquired: the resource goes back to the pool, as after a
//     Release; the Acquire is not counted in Stats.AcquireCount, and no
//     Released hook follows for it (the loan never began).
//   - Hooks.Released: the resource still goes back (Release) or is
//     destroyed (Destroy).
//   - Hooks.Waiting: the caller leaves the line as if its context had
//     ended; whatever was granted to it goes to the next in line.
//   - Destructor, Hooks.Destroyed: the resource counts as destroyed all
//     the same (the pool never hands it out again; the Destroyed hook runs
//     after a Destructor that panicked), and its slot is freed. Where one
//     call destroys several resources (Close, the idle ones; an Acquire,
//     the expired idle ones it finds), it destroys every one of them
//     before the panic goes on (if more than one panics, the caller gets
//     the last).
//   - Hooks.AcquireStart, Hooks.AcquireFailed: the call holds nothing
//     then.
//
// The background goroutine (see Time in the package documentation) has no
// caller: a panic in the code
// it runs, the Constructor and Constructing hook while it fills MinIdle,
// the Destructor and Destroyed hook for the idle resources it expires (and
// for all of them when it closes an abandoned Pool), ends the program, as
// any unrecovered panic in a goroutine does. Only Config.Clock is trusted
// not to panic: the pool reads it while holding resources, and would need
// it to give them back.
type Config[T any] struct {
	// Constructor makes one resource. It gets the context of the Acquire
	// that needs the resource (for the MinIdle filler, a context cancelled
	// by Close). Its error is returned by that Acquire, and the slot is
	// freed.
	Constructor func(ctx context.Context) (T, error)
	// Destructor closes one resource. It may be nil. It is called exactly
	// once for every resource Constructor made (see Panics for one that
	// panics).
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
	// the pool measures. nil: cache.SystemClock(). Its methods must not
	// panic.
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
// How waiters line up, and why no grant is ever lost, is told in line.go.
type pool[T any] struct {
	mu           spinMutex
	idle         []*conn[T]  // a stack: the most recently released last
	total        int         // slots taken: resources constructed and not yet destroyed, or being constructed
	closed       atomic.Bool // set once, by shutdown with mu held; atomic so that it can be read without mu
	acquiredIdle int64       // Acquire calls served by the fast path
	nextWake     time.Time   // when the janitor will next look; zero: not planned
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
	constructing atomic.Int64
	acquired     atomic.Int64 // Acquire calls served otherwise
	waitNanos    atomic.Int64
	canceled     atomic.Int64
	ctorErrors   atomic.Int64
	created      atomic.Int64
	destroyedBy  [numReasons]atomic.Int64

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

// now returns the time on the pool's clock, or the zero time if nothing
// the pool does at Acquire and Release reads it (no IdleTimeout,
// MaxLifetime or HealthCheckAfter): reading a clock costs, and the zero
// time then stands for any time.
func (p *pool[T]) now() time.Time {
	if p.needNow {
		return p.clock.Now()
	}
	return time.Time{}
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

// Close closes the pool: every waiting and later Acquire returns ErrClosed,
// idle resources are destroyed now, and resources in use will be destroyed
// when given back. It stops the background goroutine and waits for it and
// for the idle resources' Destructors. It is idempotent.
func (p *Pool[T]) Close() {
	p.p.close()
}

// close is Close. It stops the janitor in a deferred call, so that a
// Destructor that panics during shutdown (the panic goes on to the caller
// of Close) does not leave the janitor running.
func (p *pool[T]) close() {
	if p.stop != nil {
		defer p.stopJanitor()
	}
	p.closeOnce.Do(p.shutdown)
}

// stopJanitor tells the janitor to return, and waits until it has.
func (p *pool[T]) stopJanitor() {
	p.stopOnce.Do(func() { close(p.stop) })
	<-p.done
}

// shutdown marks the pool closed, turns the waiters away and destroys the
// idle resources.
func (p *pool[T]) shutdown() {
	p.cleanup.Stop()
	p.bgCancel()
	p.mu.Lock()
	p.closed.Store(true)
	dead := p.idle
	p.idle = nil
	n := p.nwait.Swap(0)
	p.mu.Unlock()
	// One item for each registered waiter: grants already sent or on their
	// way, and these. A waiter given a resource after Close destroys it.
	for range n {
		p.handoff <- p.closing
	}
	p.destroyAll(closedConns(dead), false)
}

// closedConns returns the idle resources cs as resources to destroy
// because the pool is closed.
func closedConns[T any](cs []*conn[T]) []deadConn[T] {
	dead := make([]deadConn[T], len(cs))
	for i, c := range cs {
		dead[i] = deadConn[T]{c, Closed}
	}
	return dead
}
