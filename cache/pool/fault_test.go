package pool_test

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gosharedstate/playground/cache/pool"
)

var errFault = errors.New("user code failed on purpose")

// faultCase is one piece of user code that fails once, while op runs.
type faultCase struct {
	name string
	max  int // MaxSize; 0: 1
	// set makes one callback of cfg call fault.
	set func(cfg *pool.Config[*item], tr *tracker, fault func())
	// prep readies the pool before the fault is armed, returning the
	// resources it holds; op runs the call in which the fault happens;
	// finish gives back what prep still holds.
	prep   func(t *testing.T, p *pool.Pool[*item], clk *manualClock) []*pool.Resource[*item]
	op     func(p *pool.Pool[*item], held []*pool.Resource[*item])
	finish func(held []*pool.Resource[*item])
	closes bool                    // op closes the pool
	want   func(s pool.Stats) bool // what the Stats must say after the fault
}

func holdN(n int) func(*testing.T, *pool.Pool[*item], *manualClock) []*pool.Resource[*item] {
	return func(t *testing.T, p *pool.Pool[*item], _ *manualClock) []*pool.Resource[*item] {
		var held []*pool.Resource[*item]
		for range n {
			held = append(held, mustAcquire(t, p))
		}
		return held
	}
}

// idleN makes n idle resources.
func idleN(n int) func(*testing.T, *pool.Pool[*item], *manualClock) []*pool.Resource[*item] {
	return func(t *testing.T, p *pool.Pool[*item], clk *manualClock) []*pool.Resource[*item] {
		for _, r := range holdN(n)(t, p, clk) {
			r.Release()
		}
		return nil
	}
}

func acquireOp(p *pool.Pool[*item], _ []*pool.Resource[*item])    { p.Acquire(context.Background()) }
func releaseOp(_ *pool.Pool[*item], held []*pool.Resource[*item]) { held[0].Release() }
func destroyOp(_ *pool.Pool[*item], held []*pool.Resource[*item]) { held[0].Destroy() }
func releaseAll(held []*pool.Resource[*item]) {
	for _, r := range held {
		r.Release()
	}
}

var faultCases = []faultCase{
	{
		name: "HealthCheck",
		set: func(cfg *pool.Config[*item], _ *tracker, fault func()) {
			cfg.HealthCheck = func(context.Context, *item) error { fault(); return nil }
		},
		prep: idleN(1),
		op:   acquireOp,
		// A check that cannot say the resource is healthy condemns it.
		want: func(s pool.Stats) bool { return s.DestroyedUnhealthy == 1 && s.Total == 0 },
	},
	{
		name: "Acquired",
		set:  func(cfg *pool.Config[*item], _ *tracker, fault func()) { cfg.Hooks.Acquired = hook4(fault) },
		op:   acquireOp,
		// The resource goes back; the Acquire did not succeed.
		want: func(s pool.Stats) bool { return s.Idle == 1 && s.AcquireCount == 0 },
	},
	{
		name: "Released by Release",
		set:  func(cfg *pool.Config[*item], _ *tracker, fault func()) { cfg.Hooks.Released = hook2(fault) },
		prep: holdN(1),
		op:   releaseOp,
		want: func(s pool.Stats) bool { return s.Idle == 1 },
	},
	{
		name: "Released by Destroy",
		set:  func(cfg *pool.Config[*item], _ *tracker, fault func()) { cfg.Hooks.Released = hook2(fault) },
		prep: holdN(1),
		op:   destroyOp,
		want: func(s pool.Stats) bool { return s.DestroyedBroken == 1 && s.Total == 0 },
	},
	{
		name: "Waiting",
		set: func(cfg *pool.Config[*item], _ *tracker, fault func()) {
			cfg.Hooks.Waiting = func(context.Context, int) { fault() }
		},
		prep:   holdN(1),
		op:     acquireOp,
		finish: releaseAll,
		want:   func(s pool.Stats) bool { return s.Idle == 1 },
	},
	{
		name: "AcquireFailed after a wait",
		set: func(cfg *pool.Config[*item], _ *tracker, fault func()) {
			cfg.Hooks.AcquireFailed = func(context.Context, error, time.Duration) { fault() }
		},
		prep: holdN(1),
		op: func(p *pool.Pool[*item], _ []*pool.Resource[*item]) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			p.Acquire(ctx)
		},
		finish: releaseAll,
		want:   func(s pool.Stats) bool { return s.Idle == 1 && s.CanceledWaitCount == 1 },
	},
	{
		name: "AcquireStart",
		set: func(cfg *pool.Config[*item], _ *tracker, fault func()) {
			cfg.Hooks.AcquireStart = func(context.Context) { fault() }
		},
		op:   acquireOp,
		want: func(s pool.Stats) bool { return s.Total == 0 },
	},
	{
		name: "Constructing",
		set: func(cfg *pool.Config[*item], _ *tracker, fault func()) {
			cfg.Hooks.Constructing = func(context.Context, uint64) { fault() }
		},
		op:   acquireOp,
		want: func(s pool.Stats) bool { return s.Total == 0 },
	},
	{
		name: "Constructor",
		set: func(cfg *pool.Config[*item], tr *tracker, fault func()) {
			cfg.Constructor = func(ctx context.Context) (*item, error) { fault(); return tr.ctor(ctx) }
		},
		op:   acquireOp,
		want: func(s pool.Stats) bool { return s.Total == 0 },
	},
	{
		name: "Destructor by Destroy",
		set:  func(cfg *pool.Config[*item], tr *tracker, fault func()) { cfg.Destructor = faultyDtor(tr, fault) },
		prep: holdN(1),
		op:   destroyOp,
		// Destroyed all the same: the pool never hands it out again.
		want: func(s pool.Stats) bool { return s.DestroyedBroken == 1 && s.Total == 0 },
	},
	{
		name: "Destroyed by Destroy",
		set: func(cfg *pool.Config[*item], _ *tracker, fault func()) {
			cfg.Hooks.Destroyed = func(uint64, pool.DestroyReason) { fault() }
		},
		prep: holdN(1),
		op:   destroyOp,
		want: func(s pool.Stats) bool { return s.DestroyedBroken == 1 && s.Total == 0 },
	},
	{
		name:   "Destructor in Close",
		max:    3,
		set:    func(cfg *pool.Config[*item], tr *tracker, fault func()) { cfg.Destructor = faultyDtor(tr, fault) },
		prep:   idleN(3),
		op:     func(p *pool.Pool[*item], _ []*pool.Resource[*item]) { p.Close() },
		closes: true,
		want:   func(s pool.Stats) bool { return s.DestroyedWhenClosed == 3 && s.Total == 0 },
	},
	{
		// Acquire finds three expired idle resources and destroys them all,
		// though the first Destructor fails.
		name: "Destructor of expired idle resources",
		max:  3,
		set:  func(cfg *pool.Config[*item], tr *tracker, fault func()) { cfg.Destructor = faultyDtor(tr, fault) },
		prep: func(t *testing.T, p *pool.Pool[*item], clk *manualClock) []*pool.Resource[*item] {
			idleN(3)(t, p, clk)
			synctest.Wait() // the background goroutine rests
			clk.Advance(2 * time.Minute)
			return nil
		},
		op:   acquireOp,
		want: func(s pool.Stats) bool { return s.DestroyedIdle == 3 && s.Total == 0 },
	},
}

func hook2(fault func()) func(uint64, time.Duration) {
	return func(uint64, time.Duration) { fault() }
}

func hook4(fault func()) func(context.Context, uint64, time.Duration, bool) {
	return func(context.Context, uint64, time.Duration, bool) { fault() }
}

// faultyDtor is the tracker's Destructor, then the fault: the resource
// counts as destroyed, and its Destructor fails.
func faultyDtor(tr *tracker, fault func()) func(*item) {
	return func(it *item) {
		tr.dtor(it)
		fault()
	}
}

// TestUserCodeFaults: whatever user code panics or calls runtime.Goexit
// (as t.FailNow does), the panic reaches the caller, every resource made
// is destroyed exactly once, and every slot comes back: as many Acquire
// calls as MaxSize succeed at once afterwards (a lost slot or resource
// would make them wait until their context ends).
func TestUserCodeFaults(t *testing.T) {
	for _, goexit := range []bool{false, true} {
		for _, fc := range faultCases {
			name := fc.name + "/panic"
			if goexit {
				name = fc.name + "/Goexit"
			}
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) { runFault(t, fc, goexit) })
			})
		}
	}
}

func runFault(t *testing.T, fc faultCase, goexit bool) {
	if fc.max == 0 {
		fc.max = 1
	}
	tr := newTracker(t, fc.max)
	var armed atomic.Bool
	fault := func() {
		if armed.CompareAndSwap(true, false) {
			if goexit {
				runtime.Goexit()
			}
			panic(errFault)
		}
	}
	clk := newManualClock()
	cfg := tr.config(fc.max)
	cfg.Clock = clk
	cfg.IdleTimeout = time.Minute
	cfg.Hooks = &pool.Hooks{}
	fc.set(&cfg, tr, fault)
	p := mustNew(t, cfg)
	defer p.Close()
	var held []*pool.Resource[*item]
	if fc.prep != nil {
		held = fc.prep(t, p, clk)
	}

	armed.Store(true)
	var returned bool
	var recovered any
	done := make(chan struct{})
	go func() { // a goroutine of its own, which a Goexit ends
		defer close(done)
		defer func() { recovered = recover() }()
		fc.op(p, held)
		returned = true
	}()
	<-done
	switch {
	case armed.Load():
		t.Fatal("the fault did not happen")
	case goexit && (returned || recovered != nil):
		t.Errorf("the call went on after runtime.Goexit (returned %v, recovered %v)", returned, recovered)
	case !goexit && recovered != errFault:
		t.Errorf("the call's caller recovered %v, want the fault's panic", recovered)
	}
	if fc.finish != nil {
		fc.finish(held)
	}
	synctest.Wait()
	s := p.Stats()
	if s.InUse != 0 || s.Waiting != 0 || s.Constructing != 0 || !fc.want(s) {
		t.Errorf("after the fault: Stats %+v", s)
	}
	if !fc.closes {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var rs []*pool.Resource[*item]
		for i := range fc.max {
			r, err := p.Acquire(ctx)
			if err != nil {
				t.Fatalf("Acquire %d of %d after the fault: %v (Stats %+v)", i+1, fc.max, err, p.Stats())
			}
			rs = append(rs, r)
		}
		releaseAll(rs)
		p.Close()
	}
	tr.check()
	if s := p.Stats(); s.Total != 0 || s.Destroyed != s.Created {
		t.Errorf("after Close: Stats %+v", s)
	}
}
