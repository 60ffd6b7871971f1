package engine

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gosharedstate/playground/cache"
)

// The browser yield rule (see the package documentation): a task whose
// steps do not otherwise wait at least minRealWait of real time sleeps
// yieldSleep of real time every yieldEvery steps.
const (
	yieldEvery  = 4
	yieldSleep  = time.Millisecond
	minRealWait = time.Millisecond
)

// task is one goroutine of the scene.
type task struct {
	e      *Engine
	id     int32
	plan   *planner
	ctx    context.Context // the engine's, carrying the task id for the pool's hooks
	h      *cache.Cache[int, string]
	value  string
	curKey atomic.Int32 // the key of the operation in progress, for lock events
	// lh is the handle for GetOrLoad: its hooks are the task's, and they
	// also count the loader goroutine's store for Stop (only the cache's
	// loader takes the lock for a set through it).
	lh *cache.Cache[int, string]
	// loadCtx is ctx without its cancellation, for GetOrLoad: at Stop the
	// task waits for its load, which ends at once (it watches the engine's
	// Done), instead of returning while the loader goroutine still emits
	// the task's events: the page gets every task's events in time order.
	loadCtx context.Context
	step    int         // the next step of the task's script (Extras.Script)
	fast    int         // consecutive steps without a real wait
	yield   *time.Timer // the real-time yield timer
}

type taskKey struct{}

// taskOf returns the task index carried by a context, or TaskScene.
func taskOf(ctx context.Context) int32 {
	if ctx != nil {
		if id, ok := ctx.Value(taskKey{}).(int32); ok {
			return id
		}
	}
	return TaskScene
}

func (e *Engine) newTask(i int) *task {
	t := &task{
		e:     e,
		id:    int32(i),
		plan:  newPlanner(e.scene, i),
		ctx:   context.WithValue(e.ctx, taskKey{}, int32(i)),
		value: "task" + strconv.Itoa(i),
	}
	t.loadCtx = context.WithoutCancel(t.ctx)
	t.curKey.Store(-1)
	t.h = e.cache.Traced(e.cacheHooks(t.id, t, false))
	t.lh = e.cache.Traced(e.cacheHooks(t.id, t, true))
	return t
}

func (t *task) run() {
	e := t.e
	defer e.wg.Done()
	defer e.taskEnded()
	defer func() {
		if t.yield != nil {
			t.yield.Stop()
		}
	}()
	for {
		if !e.waitRunning(t.ctx) {
			return
		}
		st, ok := t.next()
		if !ok {
			return
		}
		e.emit(Event{Kind: KindThink, Task: t.id, Key: int32(st.Key), Aux: int32(st.Op), Dur: durMs(st.Think)})
		if e.clock.Sleep(t.ctx, st.Think) != nil {
			return
		}
		if !t.maybeYield(st.Think) || !e.waitRunning(t.ctx) {
			return
		}
		t.do(st.Op, st.Key)
		if t.ctx.Err() != nil {
			return
		}
	}
}

// next returns the task's next step: from its script if the scene has
// one (false after its last step), else from the random plan.
func (t *task) next() (Step, bool) {
	script := t.e.x.Script
	if script == nil {
		return t.plan.next(), true
	}
	if int(t.id) >= len(script) || t.step >= len(script[t.id]) {
		return Step{}, false
	}
	t.step++
	return script[t.id][t.step-1], true
}

// maybeYield sleeps yieldSleep of real time every yieldEvery steps whose
// think time is under minRealWait of real time, so that a scene with no
// think time still lets a single-threaded browser breathe. It reports false
// if the scene stopped meanwhile.
func (t *task) maybeYield(think time.Duration) bool {
	if time.Duration(float64(think)/t.e.clock.Speed()) >= minRealWait {
		t.fast = 0
		return true
	}
	t.fast++
	if t.fast < yieldEvery {
		return true
	}
	t.fast = 0
	if t.yield == nil {
		t.yield = time.NewTimer(yieldSleep)
	} else {
		t.yield.Reset(yieldSleep)
	}
	select {
	case <-t.yield.C:
		return true
	case <-t.ctx.Done():
		return false
	}
}

// do performs one operation and emits opStart and opEnd around it.
func (t *task) do(op Op, key int) {
	e := t.e
	t.curKey.Store(int32(key))
	e.emit(Event{Kind: KindOpStart, Task: t.id, Key: int32(key), Aux: int32(op)})
	start := e.clock.Elapsed()
	ok := false
	switch op {
	case OpGet:
		_, ok = t.h.Get(key)
	case OpSet:
		t.h.Set(key, t.value)
		ok = true
	case OpDelete:
		t.h.Delete(key)
		ok = true
	case OpGetOrLoad:
		_, err := t.lh.GetOrLoad(t.loadCtx, key, t.loadValue)
		ok = err == nil
	case OpPool:
		ok = t.usePool()
	case OpGetThenLoad:
		ok = t.getThenLoad(key)
	case OpGetThenSet:
		ok = t.getThenSet(key)
	case OpUpdate:
		ok = t.update(key)
	}
	var flags uint16
	if ok {
		flags = FlagOK
	}
	lat := e.clock.Elapsed() - start
	e.st.op()
	e.emit(Event{Kind: KindOpEnd, Task: t.id, Key: int32(key), Aux: int32(op), Flags: flags, Dur: durMs(lat)})
	t.curKey.Store(-1)
}

// loadValue is the load function of GetOrLoad: it takes LoadMs of scene
// time, like a slow backend. The cache runs it in a goroutine of its own,
// which then takes the lock to store the value; Stop waits for that
// (Engine.loadsStored, counted in the LockReleased hook of the store).
func (t *task) loadValue(ctx context.Context, key int) (string, error) {
	e := t.e
	e.st.mu.Lock()
	e.st.loads++
	e.st.mu.Unlock()
	e.emit(Event{Kind: KindLoadStart, Task: t.id, Key: int32(key)})
	start := e.clock.Elapsed()
	value := t.value
	var err error
	if e.x.Origin != nil {
		value, err = e.fetch(ctx, key)
	} else {
		err = e.clock.sleep(ctx, e.ctx.Done(), e.load)
	}
	var flags uint16
	if err != nil {
		flags = FlagError
	}
	e.emit(Event{Kind: KindLoadEnd, Task: t.id, Key: int32(key), Flags: flags, Dur: durMs(e.clock.Elapsed() - start)})
	return value, err
}

// usePool acquires a connection (giving up after the acquire timeout of
// scene time), uses it for WorkMs of scene time and releases it. It
// reports whether it got one.
func (t *task) usePool() bool {
	e := t.e
	ctx := t.ctx
	var cancel context.CancelCauseFunc
	var timer cache.Timer
	if e.acquireTimeout > 0 {
		ctx, cancel = context.WithCancelCause(t.ctx)
		timer = e.clock.AfterFunc(e.acquireTimeout, func() {
			// It gives up now: out of the line for the order of grants,
			// though the pool may still hand it a grant to pass on.
			e.meas.poolLeft(t.id, false)
			cancel(errAcquireTimeout)
		})
	}
	r, err := e.pool.Acquire(ctx)
	if timer != nil {
		timer.Stop()
		cancel(nil)
	}
	if err != nil {
		return false
	}
	_ = e.clock.Sleep(t.ctx, e.work)
	if e.meas.poolUse(e.x.BreakEvery) {
		// A broken connection: the pool closes it (poolDestroyed, broken)
		// and opens a new one when a task needs it.
		e.owners.Delete(r.ID())
		r.Destroy()
		return true
	}
	r.Release()
	return true
}
