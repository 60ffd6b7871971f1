package engine

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/gosharedstate/playground/cache"
)

// SceneClock is the one clock of a scene: a cache.Clock whose time runs at
// Speed times real time, can be paused (frozen: Now does not advance and no
// timer fires) and re-scaled while timers are pending (a pending timer's
// real wait is recomputed, so a TTL of 3 s of scene time stays 3 s of scene
// time whatever the speed does meanwhile).
//
// The engine hands it to the cache (cache.WithClock) and to the pool, and
// every think, work, load and acquire timeout of the scene waits on it, so
// that speed and pause apply to everything at once. It is safe for
// concurrent use.
type SceneClock struct {
	mu          sync.Mutex
	epoch       time.Time     // what Now returns at scene time 0
	anchorReal  time.Time     // real time of the last speed or pause change
	anchorScene time.Duration // scene time at anchorReal
	speed       float64
	paused      bool
	pending     map[*sceneTimer]struct{}
}

// NewSceneClock returns a running clock at speed times real time. speed
// must be above 0; anything else is taken as 1.
func NewSceneClock(speed float64) *SceneClock {
	if !(speed > 0) || math.IsInf(speed, 0) {
		speed = 1
	}
	now := time.Now()
	return &SceneClock{
		epoch:      now,
		anchorReal: now,
		speed:      speed,
		pending:    make(map[*sceneTimer]struct{}),
	}
}

// elapsedLocked returns the scene time since the clock was made. c.mu is
// held.
func (c *SceneClock) elapsedLocked() time.Duration {
	if c.paused {
		return c.anchorScene
	}
	real := time.Since(c.anchorReal)
	return c.anchorScene + time.Duration(float64(real)*c.speed)
}

// Elapsed returns the scene time that has passed since the clock was made.
func (c *SceneClock) Elapsed() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.elapsedLocked()
}

// Now returns the current scene time.
func (c *SceneClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch.Add(c.elapsedLocked())
}

// Speed returns the current time scale.
func (c *SceneClock) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

// SetSpeed changes the time scale from now on; pending timers are
// rescheduled so that they still fire at their scene deadline. A speed that
// is not above 0 is ignored.
func (c *SceneClock) SetSpeed(speed float64) {
	if !(speed > 0) || math.IsInf(speed, 0) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reanchorLocked()
	c.speed = speed
	if !c.paused {
		for t := range c.pending {
			c.scheduleLocked(t)
		}
	}
}

// Pause freezes the clock: Now stops advancing and no timer fires until
// Resume. Pausing a paused clock does nothing.
func (c *SceneClock) Pause() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused {
		return
	}
	c.reanchorLocked()
	c.paused = true
	for t := range c.pending {
		if t.rt != nil {
			t.rt.Stop()
		}
	}
}

// Resume lets a paused clock run again from where it stopped; timers that
// were pending fire when their remaining scene time has passed.
func (c *SceneClock) Resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.paused {
		return
	}
	c.anchorReal = time.Now()
	c.paused = false
	for t := range c.pending {
		c.scheduleLocked(t)
	}
}

// Paused reports whether the clock is paused.
func (c *SceneClock) Paused() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paused
}

// Pending returns how many timers wait to fire.
func (c *SceneClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// StopAll stops every pending timer, as if Stop were called on each; the
// engine calls it last when a scene stops, so that no real timer is left.
func (c *SceneClock) StopAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for t := range c.pending {
		if t.rt != nil {
			t.rt.Stop()
		}
		delete(c.pending, t)
	}
}

func (c *SceneClock) reanchorLocked() {
	c.anchorScene = c.elapsedLocked()
	c.anchorReal = time.Now()
}

// realWaitLocked converts a scene duration to real time at the current speed,
// rounded up so that a timer never fires early.
func (c *SceneClock) realWaitLocked(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(float64(d) / c.speed))
}

// scheduleLocked (re)arms t's real timer for its remaining scene time.
func (c *SceneClock) scheduleLocked(t *sceneTimer) {
	wait := c.realWaitLocked(t.deadline - c.elapsedLocked())
	if t.rt == nil {
		t.rt = time.AfterFunc(wait, t.fire)
	} else {
		t.rt.Stop()
		t.rt.Reset(wait)
	}
}

// NewTimer returns a timer that fires after d of scene time.
func (c *SceneClock) NewTimer(d time.Duration) cache.Timer {
	return c.newTimer(d)
}

func (c *SceneClock) newTimer(d time.Duration) *sceneTimer {
	return c.newTimerFunc(d, nil)
}

// AfterFunc calls f in its own goroutine after d of scene time, unless the
// returned timer is stopped first. Its C channel never receives.
func (c *SceneClock) AfterFunc(d time.Duration, f func()) cache.Timer {
	return c.newTimerFunc(d, f)
}

func (c *SceneClock) newTimerFunc(d time.Duration, f func()) *sceneTimer {
	t := &sceneTimer{c: c, ch: make(chan time.Time, 1), fn: f}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armLocked(t, d)
	return t
}

func (c *SceneClock) armLocked(t *sceneTimer, d time.Duration) {
	t.deadline = c.elapsedLocked() + max(d, 0)
	c.pending[t] = struct{}{}
	if !c.paused {
		c.scheduleLocked(t)
	}
}

// Sleep waits for d of scene time, or until ctx is done, whichever comes
// first; it returns ctx.Err() in the second case. A paused clock makes it
// wait until Resume. d <= 0 returns at once.
func (c *SceneClock) Sleep(ctx context.Context, d time.Duration) error {
	return c.sleep(ctx, nil, d)
}

// sleep is Sleep that also ends early when stop is closed (nil: never),
// returning context.Canceled.
func (c *SceneClock) sleep(ctx context.Context, stop <-chan struct{}, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := c.newTimer(d)
	select {
	case <-t.ch:
		return nil
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	case <-stop:
		t.Stop()
		return context.Canceled
	}
}

// sceneTimer is a cache.Timer on a SceneClock. Its channel has room for one
// value; Stop and Reset empty it, so that (like time.Timer since Go 1.23) no
// stale value is received after they return.
type sceneTimer struct {
	c        *SceneClock
	ch       chan time.Time
	rt       *time.Timer // the real timer; nil until first scheduled
	deadline time.Duration
	fn       func() // AfterFunc's function; nil for a channel timer
}

func (t *sceneTimer) C() <-chan time.Time { return t.ch }

// fire runs on the real timer's goroutine.
func (t *sceneTimer) fire() {
	c := t.c
	c.mu.Lock()
	if _, ok := c.pending[t]; !ok || c.paused {
		c.mu.Unlock()
		return
	}
	now := c.elapsedLocked()
	if now < t.deadline {
		// Rounding, or a speed change that raced with this call.
		c.scheduleLocked(t)
		c.mu.Unlock()
		return
	}
	delete(c.pending, t)
	if t.fn == nil {
		select {
		case t.ch <- c.epoch.Add(now):
		default:
		}
	}
	c.mu.Unlock()
	if t.fn != nil {
		t.fn()
	}
}

// Stop prevents the timer from firing; it reports whether it was pending.
func (t *sceneTimer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.pending[t]
	if ok {
		delete(c.pending, t)
		if t.rt != nil {
			t.rt.Stop()
		}
	}
	t.drain()
	return ok
}

// Reset makes the timer fire after d of scene time from now; it reports
// whether it was pending.
func (t *sceneTimer) Reset(d time.Duration) bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.pending[t]
	t.drain()
	c.armLocked(t, d)
	return ok
}

func (t *sceneTimer) drain() {
	select {
	case <-t.ch:
	default:
	}
}
