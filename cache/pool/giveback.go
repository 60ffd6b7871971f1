package pool

import "time"

// Giving back: every resource and every slot taken comes back through
// here, from Release and Destroy, from an Acquire that cannot use what it
// took, and from the background goroutine.

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
	if p.closed.Load() {
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

// putNow gives c, which was in use, back to the pool now.
func (p *pool[T]) putNow(c *conn[T]) {
	now := p.now()
	p.put(c, now, now)
}

// endLoan gives back c at the end of a loan: to the pool, or, if broken,
// to the Destructor.
func (p *pool[T]) endLoan(c *conn[T], broken bool) {
	if broken {
		p.destroy(c, Broken, true)
		return
	}
	p.putNow(c)
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
	if p.minIdle > 0 && !p.closed.Load() {
		p.pokeLocked()
	}
}

// destroy closes c with the Destructor, counts and reports it (the
// Destroyed hook), and, if free, frees its slot. Each step is deferred
// before the one it follows, so that a panic or runtime.Goexit in the
// Destructor or the hook skips none of them: the resource is gone either
// way (the pool never hands it out again), so it is counted and reported
// once, and its slot comes back, after the report, as the Destroyed hook
// promises.
func (p *pool[T]) destroy(c *conn[T], reason DestroyReason, free bool) {
	if free {
		defer p.freeSlot()
	}
	defer p.destroyed(c, reason)
	if p.dtor != nil {
		p.dtor(c.value)
	}
}

// destroyed counts and reports the destruction of c.
func (p *pool[T]) destroyed(c *conn[T], reason DestroyReason) {
	p.destroyedBy[reason].Add(1)
	if h := p.hooks; h != nil && h.Destroyed != nil {
		h.Destroyed(c.id, reason)
	}
}

// destroyAll destroys every resource in dead and frees their slots, but
// the first one's if keepFirst (its caller takes that slot over). If one
// Destructor or hook panics, the deferred call destroys the rest before
// the panic goes on to the caller (and if another panics too, the caller
// sees the last panic): one failing resource never leaves the others
// alive, with their slots taken, for good.
func (p *pool[T]) destroyAll(dead []deadConn[T], keepFirst bool) {
	i := 0
	defer func() {
		if i < len(dead) { // dead[i] panicked
			p.destroyAll(dead[i+1:], false)
		}
	}()
	for ; i < len(dead); i++ {
		p.destroy(dead[i].c, dead[i].reason, !keepFirst || i > 0)
	}
}
