package pool

import (
	"context"
	"strconv"
	"time"
)

// DestroyReason says why a resource was destroyed.
type DestroyReason int

// The reasons a resource is destroyed.
const (
	// Broken: its holder called Resource.Destroy.
	Broken DestroyReason = iota + 1
	// IdleTimeout: it stayed idle in the pool for Config.IdleTimeout.
	IdleTimeout
	// MaxLifetime: it had existed for Config.MaxLifetime.
	MaxLifetime
	// Unhealthy: Config.HealthCheck returned an error for it.
	Unhealthy
	// Closed: the pool was closed (idle resources at once, resources in use
	// when they are given back, resources constructed after Close at once).
	Closed
)

const numReasons = int(Closed) + 1

var reasonNames = [numReasons]string{"", "broken", "idle timeout", "max lifetime", "unhealthy", "closed"}

// String returns the reason in lower-case words, as "idle timeout".
func (r DestroyReason) String() string {
	if r > 0 && int(r) < numReasons {
		return reasonNames[r]
	}
	return "DestroyReason(" + strconv.Itoa(int(r)) + ")"
}

// Hooks are optional functions a Pool calls as things happen, in the spirit
// of net/http/httptrace: the playground uses them to draw every acquire,
// wait, release and destroy. Any field may be nil; with no Hooks, the pool
// measures nothing for them.
//
// Hooks run synchronously, on the goroutine that caused the event, never
// while the pool's lock is held: a hook may block (the caller waits) but
// must not call back into the pool in a way that waits for itself, such as
// acquiring from the hook of an Acquire on a full pool. The hooks of an
// Acquire get its context, so that a caller can recognise itself by a
// context value. Durations are measured on the pool's Clock.
type Hooks struct {
	// AcquireStart reports an Acquire call; it runs first, before the
	// context is even checked.
	AcquireStart func(ctx context.Context)
	// Waiting reports that the caller found the pool exhausted and joined
	// the wait queue at position (1: first in line). It runs before the
	// caller starts to wait: a grant made while it runs goes to the first
	// caller already waiting, so a slow Waiting hook can let a caller
	// behind this one be served first.
	Waiting func(ctx context.Context, position int)
	// Constructing reports that a new resource, with the given id, is being
	// made for the caller: it holds a slot and the Constructor is about to
	// run. The MinIdle filler reports with a context of its own.
	Constructing func(ctx context.Context, id uint64)
	// Acquired reports a successful Acquire: the resource's id, the time
	// the caller spent in the wait queue (0 if it did not wait), and
	// whether the resource was made for this caller. If it panics, the
	// Acquire fails after all (see Config, Panics).
	Acquired func(ctx context.Context, id uint64, waited time.Duration, created bool)
	// AcquireFailed reports a failed Acquire: err is ctx.Err(), ErrClosed
	// or the Constructor's error; waited is as for Acquired.
	AcquireFailed func(ctx context.Context, err error, waited time.Duration)
	// Released reports that the holder of resource id gave it back, by
	// Release or by Destroy, after holding it for held. Every Acquired
	// that returns is followed by exactly one Released for the same id.
	Released func(id uint64, held time.Duration)
	// Destroyed reports that resource id was destroyed, after the
	// Destructor returned (or panicked), and why. It runs exactly once per
	// constructed resource, before the resource's slot is given to anyone
	// else.
	Destroyed func(id uint64, reason DestroyReason)
}
