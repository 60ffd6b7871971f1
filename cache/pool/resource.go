package pool

import (
	"strconv"
	"sync/atomic"
	"time"
)

// Resource is one loan of a resource from a Pool: Acquire returns a new
// Resource each time, and its holder ends the loan with exactly one call
// to Release or Destroy. After that the Resource must not be used again;
// doing so panics (the underlying resource may already be lent to someone
// else, with another Resource).
type Resource[T any] struct {
	c     *conn[T]
	state atomic.Uint32 // held, released or destroyed
}

const (
	held uint32 = iota
	released
	destroyed
)

// Value returns the resource itself, as made by the Constructor.
func (r *Resource[T]) Value() T {
	if s := r.state.Load(); s != held {
		r.misuse("Value", s)
	}
	return r.c.value
}

// ID returns the resource's number: unique among the resources the pool
// has constructed, from 1, and the same on every loan of the resource.
func (r *Resource[T]) ID() uint64 { return r.c.id }

// CreatedAt returns when the Constructor made the resource, on the pool's
// Clock.
func (r *Resource[T]) CreatedAt() time.Time { return r.c.created }

// Release gives the resource back to the pool, for the next Acquire. If it
// has outlived Config.MaxLifetime, or the pool is closed, it is destroyed
// instead. Calling Release or Destroy again panics.
func (r *Resource[T]) Release() { r.end("Release", released) }

// Destroy closes the resource with the Destructor, because it is broken,
// and frees its slot: the first Acquire waiting in line, if any, makes a
// new one. Calling Release or Destroy again panics.
func (r *Resource[T]) Destroy() { r.end("Destroy", destroyed) }

// end ends the loan, for method, which moves it to state to. With a
// Released hook, the resource goes back in a deferred call, so that it
// does even if the hook panics (or calls runtime.Goexit), before the panic
// goes on to the caller; without one, no defer is needed, and the common
// path pays for none.
func (r *Resource[T]) end(method string, to uint32) {
	if !r.state.CompareAndSwap(held, to) {
		r.misuse(method, r.state.Load())
	}
	c := r.c
	p := c.p
	if h := p.hooks; h != nil && h.Released != nil {
		defer p.endLoan(c, to == destroyed)
		h.Released(c.id, p.stamp()-c.acquiredAt)
		return
	}
	// endLoan, by hand: one call less on the path every Release takes.
	if to == destroyed {
		p.destroy(c, Broken, true)
		return
	}
	now := p.now()
	p.put(c, now, now)
}

func (r *Resource[T]) misuse(method string, state uint32) {
	was := "released"
	if state == destroyed {
		was = "destroyed"
	}
	panic("pool: " + method + " called on a Resource that was already " + was +
		" (resource " + strconv.FormatUint(r.c.id, 10) + "); a Resource from Acquire must be given back exactly once, by Release or Destroy, and not used after")
}
