package engine

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosharedstate/playground/cache"
	"github.com/gosharedstate/playground/cache/pool"
)

// The states of an Engine, as State returns them.
const (
	StateIdle    = "idle"
	StateRunning = "running"
	StatePaused  = "paused"
	StateStopped = "stopped"
)

// Errors of the Engine's life cycle.
var (
	ErrStarted = errors.New("engine: the scene has already been started")
	ErrStopped = errors.New("engine: the scene has been stopped; make a new Engine to run it again")
)

// Engine runs one Scene: its task goroutines, a real cache.Cache (with its
// janitor) and a real pool.Pool, on one SceneClock, and records what their
// hooks report as events for Drain. Make one with New; its methods are safe
// for concurrent use.
type Engine struct {
	mu    sync.Mutex // state transitions
	scene Scene
	state string

	clock   *SceneClock
	log     *eventLog
	st      stats
	startAt atomic.Int64 // clock.Elapsed() at Start, in ns

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the tasks
	// loadsStored counts the cache's loader goroutines (one per load the
	// cache started, cache.Stats().Loads) that have released the lock after
	// their store: Stop waits for it to catch up.
	loadsStored atomic.Uint64
	loadSignal  chan struct{}                 // cap 1: loadsStored grew
	stopped     chan struct{}                 // closed when Stop has finished
	breath      breather                      // see breather
	gate        atomic.Pointer[chan struct{}] // non-nil while paused; closed by Resume

	cache *cache.Cache[int, string]
	pool  *pool.Pool[*conn]

	owners sync.Map // pool resource id (uint64) -> task index (int32) holding it

	work, load, acquireTimeout time.Duration

	x         Extras        // what a lesson adds (see NewWith)
	meas      measures      // the lessons' numbers (see Measure)
	live      atomic.Int32  // tasks not yet ended
	tasksDone chan struct{} // closed when live reaches 0 (see TasksDone)
}

// New validates s and returns an idle engine for it.
func New(s Scene) (*Engine, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{
		scene:          s,
		state:          StateIdle,
		clock:          NewSceneClock(s.Speed),
		log:            newEventLog(DefaultEventBuffer),
		work:           msDur(s.WorkMs),
		load:           msDur(s.LoadMs),
		acquireTimeout: msDur(s.AcquireTimeoutMs),
		loadSignal:     make(chan struct{}, 1),
		stopped:        make(chan struct{}),
		tasksDone:      make(chan struct{}),
	}
	e.meas.init(s.Keys)
	e.breath.init(defaultBreatheEvery)
	e.st.present = make([]bool, s.Keys)
	e.st.lockWait.init()
	e.st.lockHold.init()
	e.st.poolWait.init()
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e, nil
}

func msDur(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

func durMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Clock returns the scene's clock.
func (e *Engine) Clock() *SceneClock { return e.clock }

// State returns "idle", "running", "paused" or "stopped".
func (e *Engine) State() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state
}

// now returns the scene ms since Start.
func (e *Engine) now() float64 {
	return durMs(e.clock.Elapsed() - time.Duration(e.startAt.Load()))
}

// emit records ev, timestamped now: the caller names the fields the kind
// uses (see the package documentation's table), and leaves T to emit.
func (e *Engine) emit(ev Event) {
	ev.T = e.now()
	e.log.add(&ev)
}

// Start starts the cache (with its janitor), the pool and the task
// goroutines, and emits sceneStart. It fails if the engine was started
// before.
func (e *Engine) Start() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch e.state {
	case StateStopped:
		return ErrStopped
	case StateIdle:
	default:
		return ErrStarted
	}
	e.startAt.Store(int64(e.clock.Elapsed()))
	e.emit(Event{Kind: KindSceneStart, Task: TaskScene, Key: -1, Aux: int32(e.scene.Tasks)})
	e.cache = e.newCache()
	p, err := e.newPool()
	if err != nil {
		e.cache.Close()
		return err
	}
	e.pool = p
	e.state = StateRunning
	e.live.Store(int32(e.scene.Tasks))
	for i := range e.scene.Tasks {
		t := e.newTask(i)
		e.wg.Add(1)
		go t.run()
	}
	return nil
}

// Pause freezes the scene clock (nothing expires, no sweep runs, no timer
// fires) and makes every task stop at its next step; it emits scenePause.
// It does nothing unless the scene is running.
func (e *Engine) Pause() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != StateRunning {
		return
	}
	g := make(chan struct{})
	e.gate.Store(&g)
	e.clock.Pause()
	e.state = StatePaused
	e.emit(Event{Kind: KindScenePause, Task: TaskScene, Key: -1})
}

// Resume lets a paused scene run on; it emits sceneResume. It does nothing
// unless the scene is paused.
func (e *Engine) Resume() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != StatePaused {
		return
	}
	e.clock.Resume()
	if g := e.gate.Swap(nil); g != nil {
		close(*g)
	}
	e.state = StateRunning
	e.emit(Event{Kind: KindSceneResume, Task: TaskScene, Key: -1})
}

// SetSpeed changes the time scale of the whole scene (0.1..10), live; it
// emits sceneSpeed. A bad value is a *ValidationError.
func (e *Engine) SetSpeed(x float64) error {
	if err := ValidateSpeed(x); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scene.Speed = x
	e.clock.SetSpeed(x)
	if e.state == StateRunning || e.state == StatePaused {
		e.emit(Event{Kind: KindSceneSpeed, Task: TaskScene, Key: -1, Aux: int32(x*100 + 0.5)})
	}
	return nil
}

// Scene returns the scene the engine runs, with its current speed.
func (e *Engine) Scene() Scene {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.scene
}

// Stop ends the scene: it cancels every task (wherever it waits: the lock,
// the pool, a load, a paused clock), waits for all of them, closes the
// cache (its janitor ends) and the pool, stops every scene timer, and emits
// sceneStop. When it returns, no goroutine of the scene is left. Stopping
// an idle engine just marks it stopped. Stop is idempotent; a second call
// waits for the first to finish.
//
// State says "stopped" as soon as Stop begins; Pause, Resume and SetSpeed
// then do nothing. State, Scene, Snapshot and Drain never wait for Stop,
// and Stop waits on channels only, never on a timer: it does not need the
// browser's event loop to finish (still, call it from a goroutine, not
// from a JavaScript callback, as any call that waits).
func (e *Engine) Stop() {
	e.mu.Lock()
	if e.state == StateStopped {
		e.mu.Unlock()
		<-e.stopped
		return
	}
	wasStarted := e.state != StateIdle
	e.state = StateStopped
	e.cancel()
	if g := e.gate.Swap(nil); g != nil {
		close(*g)
	}
	e.mu.Unlock()

	e.wg.Wait()
	e.breath.end()
	if wasStarted {
		e.waitLoads()
		e.pool.Close()
		e.cache.Close()
		// The last record: a loader goroutine still returning from its
		// cacheSet hook cannot report after it.
		e.log.close(&Event{T: e.now(), Kind: KindSceneStop, Task: TaskScene, Key: -1})
	}
	e.clock.StopAll()
	e.clock.Pause() // scene time stops with the scene
	close(e.stopped)
}

// waitLoads waits, after the tasks have ended, until every loader goroutine
// the cache started (cache.Stats().Loads) has released the lock after its
// store; their context is cancelled by then, so they do not wait long.
// What may be left of such a goroutine is its cacheSet hook (if it stored
// just before Stop) and its return: no wait, no lock.
func (e *Engine) waitLoads() {
	started := e.cache.Stats().Loads
	for e.loadsStored.Load() < started {
		<-e.loadSignal
	}
}

// Drain appends every pending event to dst as EventSize-byte little-endian
// records (see Event), then one aggregated record per kind for the events
// that did not fit in the buffer since the last Drain, and returns dst. It
// allocates only if dst must grow: give it a buffer with room for
// DefaultEventBuffer records (plus one per kind) to make it allocation
// free.
//
// Under GOOS=js, a call of Drain (or Snapshot) also tells the engine that
// the JavaScript event loop has just had a turn, which spares busy tasks a
// breath (see the package documentation): call them from JavaScript, as the
// worker does once per frame, not from a Go goroutine of your own.
func (e *Engine) Drain(dst []byte) []byte {
	e.breath.heartbeat()
	return e.log.drain(dst, e.now())
}

// waitRunning waits out a breath (see breather), and blocks while the
// scene is paused; it reports false once the
// scene stops.
func (e *Engine) waitRunning(ctx context.Context) bool {
	if !e.breath.wait(ctx) {
		return false
	}
	if g := e.gate.Load(); g != nil {
		select {
		case <-*g:
		case <-ctx.Done():
			return false
		}
	}
	return ctx.Err() == nil
}
