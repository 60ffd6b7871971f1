package cache

import "time"

// Clock is the time source a Cache (and a pool.Pool) reads for expiry and
// waits on for its background sweeps. The default, SystemClock, is real time.
//
// A Clock lets a program run a cache on a time of its own: the playground
// slows down, speeds up and pauses a whole scene, TTLs and sweeps included,
// with one Clock. Tests do not need a fake one: use testing/synctest with the
// default clock.
type Clock interface {
	// Now returns the current time on this clock.
	Now() time.Time
	// NewTimer returns a Timer that fires once, after d has passed on this
	// clock.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer made by a Clock, like *time.Timer.
type Timer interface {
	// C returns the channel on which the timer delivers the time when it
	// fires. The channel is the same for the life of the Timer.
	C() <-chan time.Time
	// Stop prevents the timer from firing. It reports whether the call
	// stopped it, as time.Timer.Stop does.
	Stop() bool
	// Reset changes the timer to fire after d, as time.Timer.Reset does.
	Reset(d time.Duration) bool
}

// SystemClock returns the Clock of real time, backed by package time.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time        { return t.t.C }
func (t systemTimer) Stop() bool                 { return t.t.Stop() }
func (t systemTimer) Reset(d time.Duration) bool { return t.t.Reset(d) }
