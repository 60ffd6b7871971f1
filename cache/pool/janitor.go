package pool

import "time"

// minIdleRetry is how long, on the pool's Clock, the janitor waits before
// it tries the Constructor again after a failure while filling MinIdle.
const minIdleRetry = time.Second

// abandonCheck is how often, at the least, the janitor looks whether its
// Pool has become unreachable (on the pool's Clock).
const abandonCheck = time.Second

// janitor is the background goroutine: it destroys idle resources at their
// IdleTimeout or MaxLifetime deadline and keeps MinIdle resources ready. It
// sleeps on a Clock timer until the earliest deadline (abandonCheck at the
// most), or until poked. It returns when the pool is closed, or when the
// Pool has become unreachable (then it closes the pool itself).
func (p *pool[T]) janitor() {
	defer close(p.done)
	var retryAt time.Time
	for {
		next, open := p.sweep(&retryAt)
		if !open {
			return
		}
		wait := abandonCheck
		if !next.IsZero() {
			wait = min(max(next.Sub(p.clock.Now()), 0), abandonCheck)
		}
		t := p.clock.NewTimer(wait)
		select {
		case <-p.stop:
		case <-p.wake:
		case <-t.C():
		}
		t.Stop()
		if p.abandoned.Load() {
			p.closeOnce.Do(p.shutdown)
			return
		}
		select {
		case <-p.stop:
			return
		default:
		}
	}
}

// sweep destroys the expired idle resources, fills MinIdle, and returns
// when it should run next (zero: only when poked), and false if the pool
// is closed.
func (p *pool[T]) sweep(retryAt *time.Time) (next time.Time, open bool) {
	now := p.clock.Now()
	p.mu.Lock()
	if p.closed.Load() {
		p.mu.Unlock()
		return time.Time{}, false
	}
	var dead []deadConn[T]
	if p.idleTimeout > 0 || p.maxLifetime > 0 {
		keep := p.idle[:0]
		for _, c := range p.idle {
			if reason := p.expired(c, now); reason != 0 {
				dead = append(dead, deadConn[T]{c, reason})
			} else {
				keep = append(keep, c)
			}
		}
		clear(p.idle[len(keep):])
		p.idle = keep
	}
	p.mu.Unlock()
	p.destroyAll(dead, false)

	if p.minIdle > 0 && !now.Before(*retryAt) {
		for {
			p.mu.Lock()
			if p.closed.Load() || p.nwait.Load() > 0 || len(p.idle) >= p.minIdle || p.total >= p.max {
				p.mu.Unlock()
				break
			}
			p.total++
			p.mu.Unlock()
			c, err := p.constructSlot()
			if err != nil {
				*retryAt = p.clock.Now().Add(minIdleRetry)
				break
			}
			now = p.clock.Now()
			p.put(c, now, now)
		}
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return time.Time{}, false
	}
	if p.idleTimeout > 0 || p.maxLifetime > 0 {
		for _, c := range p.idle {
			if d := p.deadline(c); next.IsZero() || d.Before(next) {
				next = d
			}
		}
	}
	p.nextWake = next
	if p.minIdle > 0 && len(p.idle) < p.minIdle && !retryAt.IsZero() &&
		(next.IsZero() || retryAt.Before(next)) && p.clock.Now().Before(*retryAt) {
		next = *retryAt
	}
	return next, true
}

// constructSlot makes a resource for the MinIdle filler, which holds a
// slot; on an error it frees the slot.
func (p *pool[T]) constructSlot() (c *conn[T], err error) {
	ok := false
	defer func() {
		if !ok {
			p.freeSlot()
		}
	}()
	c, err = p.construct(p.bgCtx)
	ok = err == nil
	return c, err
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
