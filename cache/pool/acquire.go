package pool

import (
	"context"
	"runtime"
	"time"
)

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

// acquire is Acquire. Its fast path takes the most recently released idle
// resource when nothing about it needs checking; a caller that finds a
// line already formed joins it without the lock. Everything else is
// acquireSlow.
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
		// In line behind others: nothing is idle, no slot is free (see
		// line.go).
		p.waitCount.Add(1)
		g, waited, err := p.wait(ctx, int(w+1))
		if res, slot, err := p.afterWait(ctx, r, g, waited, err); !slot {
			return res, err
		}
		now := p.now()
		p.mu.Lock()
		return p.acquireSlow(ctx, r, now, true, waited)
	}
	now := p.now()
	p.mu.Lock()
	if n := len(p.idle); n > 0 && !p.closed.Load() {
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

// acquisition is one Acquire call past its fast path: what it has to hand
// out (r), how long it has waited, and what it holds: a slot, or a
// resource taken from the idle set and not yet handed out.
//
// What it holds is kept in two fields, given back by one deferred call
// (giveBack), so that every way out of the call gives it back: an error,
// or a panic (or runtime.Goexit) in any user code the call runs on the
// way (a HealthCheck, a Destructor of an expired resource, a Constructor,
// a hook). Each step sets the fields as it takes or passes on a slot or a
// resource, before it runs user code.
type acquisition[T any] struct {
	p      *pool[T]
	ctx    context.Context
	r      *Resource[T]
	now    time.Time     // when the idle set was last looked at (zero if the pool does not read the time)
	waited time.Duration // the time spent in line so far
	// slot: the call holds a slot that no resource uses yet: a free slot
	// it took, the slot of an expired or unhealthy resource it destroyed,
	// or a slot granted to it in line.
	slot bool
	// c: the call holds this idle resource, taken out of the idle set by
	// claimLocked, until handOut hands it out or gives it back; checking:
	// its HealthCheck is running.
	c        *conn[T]
	checking bool
}

// acquireSlow is everything but the fast path. It is called with p.mu held,
// at time now; the caller holds a slot if slot (one granted to it in line),
// and has waited in line for waited.
//
// Each turn of the loop looks at the pool under the lock and claims what
// it can (claimLocked), then, without the lock, uses it: an idle resource
// is health-checked and handed out (handOut), a slot gets a new resource
// (constructNew), a place in line is waited in (waitInLine). A resource
// that fails its health check, or a slot granted in line, sends the call
// round again: a resource given back in the meantime is better than a new
// one.
func (p *pool[T]) acquireSlow(ctx context.Context, r *Resource[T], now time.Time, slot bool, waited time.Duration) (*Resource[T], error) {
	a := acquisition[T]{p: p, ctx: ctx, r: r, now: now, waited: waited, slot: slot}
	defer a.giveBack()
	for {
		// p.mu is held here.
		if p.closed.Load() {
			p.mu.Unlock()
			return nil, a.fail(ErrClosed)
		}
		c, position := a.claimLocked()
		var res *Resource[T]
		var done bool
		var err error
		switch {
		case c != nil:
			res, done, err = a.handOut(c)
		case a.slot:
			return a.constructNew()
		default:
			res, done, err = a.waitInLine(position)
		}
		if done {
			return res, err
		}
		a.now = p.now()
		p.mu.Lock()
	}
}

// claimLocked takes, with p.mu held, what this call will use: the most
// recently released idle resource that has not expired (giving back the
// slot the call held, if any); or else a slot: the one it holds, the slot
// of an expired resource, or a free one; or else a place in line. It
// releases p.mu, then destroys the expired idle resources it took out of
// the idle set on the way. It returns the resource, if any, and the
// position in line if it took one (else 0).
func (a *acquisition[T]) claimLocked() (c *conn[T], position int) {
	p := a.p
	var dead []deadConn[T]
	for n := len(p.idle); n > 0; n = len(p.idle) {
		c = p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		if reason := p.expired(c, a.now); reason != 0 {
			dead = append(dead, deadConn[T]{c, reason})
			c = nil
			continue
		}
		break
	}
	keepDeadSlot := false // this call takes over the slot of dead[0]
	switch {
	case c != nil:
		if a.slot {
			a.slot = false
			p.freeSlotLocked()
		}
	case a.slot:
	case len(dead) > 0:
		keepDeadSlot, a.slot = true, true
	case p.total < p.max:
		p.total++
		a.slot = true
	default:
		position = int(p.nwait.Add(1))
		p.waitCount.Add(1)
	}
	if len(p.idle) < p.minIdle {
		p.pokeLocked()
	}
	a.c = c
	p.mu.Unlock()
	p.destroyAll(dead, keepDeadSlot)
	return c, position
}

// handOut hands out c, taken from the idle set, after a health check if
// one is due. If the check fails, c is destroyed and its slot is this
// call's: done is false, and the call looks again. If it fails because the
// caller's context ended, that is not the resource's fault: c goes back to
// the idle set as it was, and the Acquire fails.
func (a *acquisition[T]) handOut(c *conn[T]) (res *Resource[T], done bool, err error) {
	p := a.p
	if p.checkDue(c, a.now) {
		a.checking = true
		err := p.hc(a.ctx, c.value)
		a.checking = false
		if err != nil {
			a.c = nil
			if a.ctx.Err() != nil {
				p.put(c, p.now(), c.idleSince)
				return nil, true, a.fail(a.ctx.Err())
			}
			a.slot = true
			p.destroy(c, Unhealthy, false)
			return nil, false, nil
		}
	}
	a.c = nil // handle gives it back if the Acquired hook fails
	p.acquired.Add(1)
	return p.handle(a.ctx, a.r, c, a.waited, false), true, nil
}

// constructNew makes a resource in the slot the call holds and hands it
// out. A Constructor's error frees the slot before the AcquireFailed hook
// runs, so that the next in line does not wait for the hook.
func (a *acquisition[T]) constructNew() (*Resource[T], error) {
	p := a.p
	c, err := p.construct(a.ctx)
	a.slot = false // freed below, or c has it now
	if err != nil {
		p.freeSlot()
		return nil, a.fail(err)
	}
	if p.closed.Load() {
		p.destroy(c, Closed, true)
		return nil, a.fail(ErrClosed)
	}
	p.acquired.Add(1)
	return p.handle(a.ctx, a.r, c, a.waited, true), nil
}

// waitInLine waits at position, where claimLocked registered the call, for
// a grant. A resource granted is handed out; a slot granted is the call's
// (done is false, and it looks again before it constructs).
func (a *acquisition[T]) waitInLine(position int) (res *Resource[T], done bool, err error) {
	g, w, err := a.p.wait(a.ctx, position)
	a.waited += w
	res, slot, err := a.p.afterWait(a.ctx, a.r, g, a.waited, err)
	if slot {
		a.slot = true
		return nil, false, nil
	}
	return res, true, err
}

// giveBack, deferred by acquireSlow, gives back what the call still holds
// when it ends: a resource goes back to the idle set as it was, unless
// its HealthCheck was running (it panicked: a check that cannot say the
// resource is healthy condemns it), and a slot is freed.
func (a *acquisition[T]) giveBack() {
	if c := a.c; c != nil {
		a.c = nil
		if a.checking {
			a.p.destroy(c, Unhealthy, true)
		} else {
			a.p.put(c, a.p.now(), c.idleSince)
		}
	}
	if a.slot {
		a.slot = false
		a.p.freeSlot()
	}
}

// fail reports the call's failure to the hooks and returns err.
func (a *acquisition[T]) fail(err error) error {
	return a.p.fail(a.ctx, err, a.waited)
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
	case p.closed.Load():
		p.destroy(g, Closed, true)
		return nil, false, p.fail(ctx, ErrClosed, waited)
	}
	p.acquired.Add(1)
	return p.handle(ctx, r, g, waited, false), false, nil
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

// handle makes r the Resource of c for its new holder, an Acquire that
// has counted itself successful.
func (p *pool[T]) handle(ctx context.Context, r *Resource[T], c *conn[T], waited time.Duration, created bool) *Resource[T] {
	r.c = c
	if h := p.hooks; h != nil {
		if h.Released != nil {
			c.acquiredAt = p.stamp()
		}
		if h.Acquired != nil {
			p.reportAcquired(ctx, c, waited, created)
		}
	}
	return r
}

// reportAcquired runs the Acquired hook. If the hook panics (or calls
// runtime.Goexit), the Acquire never returns c: the deferred call gives
// it back to the pool, as a Release would but with no Released hook (the
// loan never began), and uncounts the Acquire, which did not succeed.
func (p *pool[T]) reportAcquired(ctx context.Context, c *conn[T], waited time.Duration, created bool) {
	ok := false
	defer func() {
		if !ok {
			p.acquired.Add(-1) // the fast path counts in acquiredIdle: Stats adds both
			p.putNow(c)
		}
	}()
	p.hooks.Acquired(ctx, c.id, waited, created)
	ok = true
}

// fail reports a failed Acquire to the hooks and returns err.
func (p *pool[T]) fail(ctx context.Context, err error, waited time.Duration) error {
	if h := p.hooks; h != nil && h.AcquireFailed != nil {
		h.AcquireFailed(ctx, err, waited)
	}
	return err
}
