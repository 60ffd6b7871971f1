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
