package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Extras are what a guided lesson adds to a Scene, beyond the fields a
// link or the form can set: a fixed script per task instead of the random
// plan, work under the lock that computes instead of blocking, an HTTP
// origin behind the loader, connections that break. The zero value adds
// nothing: NewWith(s, Extras{}) is New(s).
type Extras struct {
	// Script, when not nil, gives task i the steps Script[i] (none if i is
	// past its end) instead of the random plan; a task ends after its last
	// step, and TasksDone is closed once every task has ended. A step may
	// use the lessons' ops (OpGetThenLoad, OpGetThenSet, OpUpdate).
	Script [][]Step
	// Spin makes the work under the lock (WorkMs) compute, a busy loop of
	// WorkMs (of scene time at the current speed), instead of sleeping on
	// the scene clock. In Go's WebAssembly, where every goroutine shares
	// one thread, a computing holder keeps every other goroutine off the
	// thread: readers of an RWMutex cannot overlap then.
	Spin bool
	// Between is the work of a read-modify-write between its read and its
	// write (OpGetThenSet: between the Get and the Set, outside the lock;
	// OpUpdate: inside fn, under the lock), on the scene clock.
	Between time.Duration
	// Origin, when not nil, is where loads come from (OpGetOrLoad,
	// OpGetThenLoad): key index k is fetched as OriginKey(k), and the load
	// takes as long as the origin does (LoadMs is not waited). A failed
	// fetch is a failed load: nothing is stored.
	Origin Origin
	// BreakEvery, when above 0, makes every BreakEvery-th pool use (over
	// the scene) end with Resource.Destroy, a broken connection, instead of
	// Release: the pool closes it and opens a new one when one is needed.
	BreakEvery int
}

// Origin is a source of values for the loader, such as an HTTP server:
// Get returns the value stored under key, or an error (the value is then
// not cached). It must return once ctx ends.
type Origin interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// OriginKey is the key an Origin is asked for, for key index k: "key0"...
func OriginKey(k int) string { return "key" + strconv.Itoa(k) }

// validate checks the extras against the scene they run with.
func (x *Extras) validate(s Scene) error {
	if x.Script != nil && len(x.Script) > s.Tasks {
		return fmt.Errorf("engine: the script has %d tasks, the scene %d", len(x.Script), s.Tasks)
	}
	for i, steps := range x.Script {
		for j, st := range steps {
			if st.Op <= OpNone || st.Op >= numOps {
				return fmt.Errorf("engine: script task %d step %d: no op %d", i, j, st.Op)
			}
			if st.Op != OpPool && (st.Key < 0 || st.Key >= s.Keys) {
				return fmt.Errorf("engine: script task %d step %d: key %d outside 0..%d", i, j, st.Key, s.Keys-1)
			}
		}
	}
	if x.Between < 0 || x.BreakEvery < 0 {
		return errors.New("engine: Between and BreakEvery must not be negative")
	}
	return nil
}

// NewWith validates s and x and returns an idle engine that runs s with x.
func NewWith(s Scene, x Extras) (*Engine, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := x.validate(s); err != nil {
		return nil, err
	}
	e, err := New(s)
	if err != nil {
		return nil, err
	}
	e.x = x
	return e, nil
}

// TasksDone is closed once every task has ended: after its script (see
// Extras.Script), or at Stop.
func (e *Engine) TasksDone() <-chan struct{} { return e.tasksDone }

// taskEnded counts a task's end, and closes TasksDone after the last.
func (e *Engine) taskEnded() {
	if e.live.Add(-1) == 0 {
		close(e.tasksDone)
	}
}

// Peek returns the value stored under key index k, without hooks (no
// event, no count): what a lesson reads at its end, such as its counter.
func (e *Engine) Peek(k int) (string, bool) {
	e.mu.Lock()
	c := e.cache
	e.mu.Unlock()
	if c == nil {
		return "", false
	}
	return c.Traced(nil).Get(k)
}

// SceneTime returns the scene time since Start (0 before). Unlike
// Snapshot, it is no heartbeat of the event loop (see Drain): a goroutine
// may call it to wait for a scene's end.
func (e *Engine) SceneTime() time.Duration {
	if e.State() == StateIdle {
		return 0
	}
	return e.clock.Elapsed() - time.Duration(e.startAt.Load())
}

// spin computes for d of scene time at the current speed: a loop that
// never blocks, measured on the real clock (the scene clock stands still
// while the scene is paused, and the loop must end).
func (e *Engine) spin(d time.Duration) {
	end := time.Now().Add(time.Duration(float64(d) / e.clock.Speed()))
	for time.Now().Before(end) {
	}
}
