package pool

import "time"

// When an idle resource may no longer be handed out as it is: it expired
// (IdleTimeout, MaxLifetime), or a health check is due. Acquire asks it of
// the resource it takes, lazily; the background goroutine asks it of all
// of them, at their deadline.

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

// deadConn is an idle resource found expired, and why, to be destroyed
// once the lock is released.
type deadConn[T any] struct {
	c      *conn[T]
	reason DestroyReason
}
