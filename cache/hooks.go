package cache

import (
	"strconv"
	"time"
)

// Op names the cache operation behind a lock event.
type Op uint8

// The operations that take the cache's lock.
const (
	OpGet    Op = iota + 1 // Get, and the lookup in GetOrLoad
	OpSet                  // Set, SetWithTTL, and the store in GetOrLoad
	OpDelete               // Delete
	OpSweep                // the janitor's sweep, and DeleteExpired
	OpLen                  // Len
	OpUpdate               // Update (new values go at the end: the codes are shown in the playground)
)

var opNames = [...]string{"", "get", "set", "delete", "sweep", "len", "update"}

// String returns the operation's name in lower case, as "get".
func (o Op) String() string {
	if int(o) < len(opNames) && o != 0 {
		return opNames[o]
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// LockInfo describes one acquisition of the cache's lock, for the lock hooks.
type LockInfo struct {
	Op     Op   // the operation that takes the lock
	Shard  int  // which shard's lock; always 0 unless the locking is Sharded
	Shared bool // a read (shared) lock, as RWMutex.RLock; false for an exclusive one
}

// Hooks are optional functions a Cache calls as things happen, in the spirit
// of net/http/httptrace. Any field may be nil. A cache with no hooks pays
// nothing for them, and lock events cost two clock readings only when one of
// the three lock hooks is set.
//
// Hooks run synchronously on the goroutine that caused the event; keys are
// passed as any. Set, Hit, Miss, Delete, Evict, Expire, SweepStart and
// SweepEnd run while no lock is held. LockWait runs before the caller takes
// a lock, LockAcquired while it holds it (a hook that blocks there makes
// every caller that needs the lock wait, which is what the playground does
// to simulate work under the lock; in a service, keep hooks short), and
// LockReleased after it released it.
//
// Which hooks: calls made through the *Cache that New returned report to the
// hooks given with WithHooks; calls made through a handle from Traced report
// to that handle's hooks; the janitor's sweeps report to the hooks given with
// WithHooks.
//
// The events of each operation, in order (L(op) stands for LockWait,
// LockAcquired, LockReleased with that Op; the lock is shared for OpGet and
// OpLen under RWMutex locking, unless WithMaxEntries is set for OpGet):
//
//	Set, SetWithTTL  L(OpSet), Set, then Evict if the bound evicted an entry
//	Update           L(OpUpdate) exclusive, with the function run under it,
//	                 then Set and Evict as for Set
//	Get              L(OpGet), then Hit or Miss
//	Delete           L(OpDelete), then Delete if there was an entry
//	Len              L(OpLen) for each shard
//	DeleteExpired    SweepStart, L(OpSweep) and an Expire per removed entry
//	                 for each shard, SweepEnd
//	GetOrLoad        as Get; on a miss, L(OpGet) exclusive to join or start
//	                 the load; the load stores its value with L(OpSet), Set
//	                 (and Evict), on the goroutine that runs the load, before
//	                 the callers return; a caller that gives up takes L(OpGet)
//	                 exclusive to leave.
//
// A Set, SetWithTTL or Update of a key not equal to itself (NaN) stores
// nothing and reports no event.
type Hooks struct {
	// Set reports a stored entry and the TTL it got (0: never expires).
	Set func(key any, ttl time.Duration)
	// Hit reports a Get that found a live entry.
	Hit func(key any)
	// Miss reports a Get that found nothing usable. expired is true when an
	// entry was there but its TTL had run out: it stays stored until a sweep
	// removes it, and Get never returns it.
	Miss func(key any, expired bool)
	// Delete reports an entry removed by Delete.
	Delete func(key any)
	// Evict reports the least recently used entry, removed to keep the
	// cache within its WithMaxEntries bound.
	Evict func(key any)
	// Expire reports an expired entry removed by a sweep.
	Expire func(key any)
	// SweepStart reports the start of a sweep, by the janitor or by
	// DeleteExpired, with the number of entries stored.
	SweepStart func(entries int)
	// SweepEnd reports the end of a sweep: how many expired entries it
	// removed, how many entries remain, and how long it took on the cache's
	// clock.
	SweepEnd func(removed, remaining int, took time.Duration)
	// LockWait reports that the caller is about to take the lock; it may
	// wait after this.
	LockWait func(info LockInfo)
	// LockAcquired reports that the caller holds the lock, after waiting
	// for it for waited.
	LockAcquired func(info LockInfo, waited time.Duration)
	// LockReleased reports that the caller released the lock after holding
	// it for held.
	LockReleased func(info LockInfo, held time.Duration)
}
