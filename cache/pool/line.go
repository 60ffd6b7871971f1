package pool

import (
	"context"
	"time"
)

// The line of waiters.
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

// wait waits in line, the caller having registered at position, and
// returns what it was granted: a resource, or nil for a slot, or an error
// (ctx.Err() or ErrClosed); and how long it waited. It is small, with its
// caller acquire, so that a waiter parks on a short stack: with thousands
// of waiters, waking one costs less.
func (p *pool[T]) wait(ctx context.Context, position int) (*conn[T], time.Duration, error) {
	start := p.stamp()
	if h := p.hooks; h != nil && h.Waiting != nil {
		p.reportWaiting(ctx, position)
	}
	var g *conn[T]
	if done := ctx.Done(); done == nil {
		g = <-p.handoff
	} else {
		select {
		case g = <-p.handoff:
		case <-done:
			p.leaveLine()
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

// reportWaiting runs the Waiting hook for a caller registered in line. If
// the hook panics (or calls runtime.Goexit), the deferred call takes the
// caller out of line as if its context had ended: registered, it would
// be counted in nwait for good, and the grant made to it would stay in
// handoff for nobody, out of reach of Close.
func (p *pool[T]) reportWaiting(ctx context.Context, position int) {
	ok := false
	defer func() {
		if !ok {
			p.leaveLine()
		}
	}()
	p.hooks.Waiting(ctx, position)
	ok = true
}

// leaveLine takes a registered waiter that gives up out of line: it
// unregisters, or, if every waiter still in line (this one included) has a
// grant on its way, takes one and passes it on, so that the grant is not
// left in handoff for nobody.
func (p *pool[T]) leaveLine() {
	if !p.unregister() {
		p.passOn(<-p.handoff)
	}
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
			p.handoff <- c // does not block, but after Close: see above
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
		p.putNow(g)
	}
}
