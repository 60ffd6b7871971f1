// Package lesson plays the scene of the lesson this playground is built for,
// in Go: five goroutines insert key0..key4 into a shared cache and read them
// back, while the cache's cleanup goroutine reports its size on every sweep.
//
// The scene runs against the real cache package. It reports what happens as
// Lines, through a callback, so that a page (or a test) can show them as they
// happen.
package lesson

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gosharedstate/playground/cache"
)

// Line is one thing that happened in the scene.
type Line struct {
	At   time.Duration // time since the scene started
	Who  string        // "task 3", "cleanup" or "main"
	Kind string        // "insert", "get", "miss", "sweep" or "info"
	Text string        // in the lesson's words, such as "Cache: Inserted key3."
}

// Options shape a scene. The zero value is the lesson's scene at full speed.
type Options struct {
	// Tasks is how many goroutines insert and read back keys; 0 means 5.
	Tasks int
	// TTL is how long an entry lives; 0 means 2 s.
	TTL time.Duration
	// Cleanup is the janitor's sweep interval; 0 means 1 s (the lesson
	// uses 5 s; 1 s shows more sweeps in a short scene).
	Cleanup time.Duration
	// Sweeps is how many sweeps to watch before the scene ends; 0 means 4.
	Sweeps int
}

func (o Options) withDefaults() Options {
	if o.Tasks == 0 {
		o.Tasks = 5
	}
	if o.TTL == 0 {
		o.TTL = 2 * time.Second
	}
	if o.Cleanup == 0 {
		o.Cleanup = time.Second
	}
	if o.Sweeps == 0 {
		o.Sweeps = 4
	}
	return o
}

// Validate reports a clear error for options a scene cannot run with.
func (o Options) Validate() error {
	switch {
	case o.Tasks < 0 || o.Tasks > 100:
		return fmt.Errorf("tasks must be between 1 and 100 (got %d)", o.Tasks)
	case o.TTL < 0 || o.TTL > time.Minute:
		return fmt.Errorf("ttl must be between 0 and 1m (got %v)", o.TTL)
	case o.Cleanup < 0 || (o.Cleanup > 0 && o.Cleanup < 10*time.Millisecond) || o.Cleanup > time.Minute:
		return fmt.Errorf("cleanup interval must be between 10ms and 1m (got %v)", o.Cleanup)
	case o.Sweeps < 0 || o.Sweeps > 20:
		return fmt.Errorf("sweeps must be between 1 and 20 (got %d)", o.Sweeps)
	}
	return nil
}

// Run plays the scene and calls emit for every line, from several
// goroutines but never two at once. It returns when the scene has ended and
// every goroutine it started has stopped, or when ctx ends, with ctx.Err().
func Run(ctx context.Context, opts Options, emit func(Line)) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	o := opts.withDefaults()
	start := time.Now()
	var emitMu sync.Mutex
	say := func(who, kind, format string, args ...any) {
		emitMu.Lock()
		defer emitMu.Unlock()
		emit(Line{At: time.Since(start), Who: who, Kind: kind, Text: fmt.Sprintf(format, args...)})
	}

	sweeps := make(chan struct{}, o.Sweeps+1)
	c := cache.New[string, string](
		cache.WithTTL(o.TTL),
		cache.WithCleanupInterval(o.Cleanup),
		cache.WithHooks(&cache.Hooks{
			SweepEnd: func(removed, remaining int, _ time.Duration) {
				say("cleanup", "sweep", "Cache: Running cleanup. Current size: %d (removed %d expired)", remaining, removed)
				select {
				case sweeps <- struct{}{}:
				default:
				}
			},
		}),
	)
	defer c.Close()
	say("main", "info", "Cache: TTL %v, cleanup every %v. Spawning %d tasks.", o.TTL, o.Cleanup, o.Tasks)

	var wg sync.WaitGroup
	for i := range o.Tasks {
		wg.Go(func() {
			who := fmt.Sprintf("task %d", i)
			key, value := fmt.Sprintf("key%d", i), fmt.Sprintf("value%d", i)
			// Stagger the tasks a little, so the log reads like a scene.
			if sleep(ctx, time.Duration(i)*150*time.Millisecond) != nil {
				return
			}
			c.Set(key, value)
			say(who, "insert", "Cache: Inserted %s.", key)
			if v, ok := c.Get(key); ok {
				say(who, "get", "Got %s = %s", key, v)
			} else {
				say(who, "miss", "%s is not in the cache", key)
			}
		})
	}
	wg.Wait()

	// One TTL after the last insert, read the last key again: Get never
	// returns an expired entry, even before the janitor has swept it away.
	if err := sleep(ctx, o.TTL); err != nil {
		return err
	}
	last := fmt.Sprintf("key%d", o.Tasks-1)
	if _, ok := c.Get(last); ok {
		say("main", "get", "%s is still there", last)
	} else {
		say("main", "miss", "%s has expired: Get returns nothing, whether or not a sweep has removed it yet (stored: %d)", last, c.Len())
	}

	for seen := 0; seen < o.Sweeps; {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-sweeps:
			seen++
		}
	}
	if err := c.Close(); err != nil {
		return err
	}
	say("main", "info", "Scene over: the cleanup goroutine has stopped.")
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
