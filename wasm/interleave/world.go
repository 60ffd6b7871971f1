package interleave

import (
	"sync"

	"github.com/gosharedstate/playground/cache"
)

// world is what a program runs against: a real cache, real mutexes and,
// in step mode, one real goroutine per task.
type world struct {
	prog  *program
	c     *cache.Cache[string, int]
	locks []sync.Mutex

	// Step mode only (startGated):
	gates   []chan struct{} // a send lets task i take one step
	replies []chan local    // task i's locals after that step
	quit    chan struct{}   // closed by stop: every task returns
	done    chan struct{}   // closed once every task goroutine has returned
}

// local is a task's local variable v, and whether it has been read from
// the cache yet.
type local struct {
	V    int
	Read bool
}

func newWorld(p *program) *world {
	return &world{prog: p, c: cache.New[string, int](), locks: make([]sync.Mutex, len(p.locks))}
}

// exec runs one line of a task's code, for real: a call on the cache or a
// mutex, or v++ on the task's own variable.
func (w *world) exec(ln line, l *local) {
	switch ln.op {
	case opGet:
		l.V, _ = w.c.Get(countKey)
		l.Read = true
	case opIncr:
		l.V++
	case opSet:
		w.c.Set(countKey, l.V)
	case opLock:
		w.locks[ln.lock].Lock()
	case opUnlock:
		w.locks[ln.lock].Unlock()
	case opUpdate:
		// The read, the increment and the store happen inside the cache,
		// under the key's lock: no other task's step can come between them.
		w.c.Update(countKey, func(v int, _ bool) int { return v + 1 })
	}
}

// startGated starts one goroutine per task. Each waits at its gate before
// every line and runs exactly one line per pass, so the caller decides the
// interleaving. The caller must never open the gate of a task whose next
// line would block (a Lock of a held mutex): the goroutine would block on
// the real mutex and the caller with it. It returns after its last line,
// or when stop is called.
func (w *world) startGated(tasks int) {
	w.gates = make([]chan struct{}, tasks)
	w.replies = make([]chan local, tasks)
	w.quit = make(chan struct{})
	w.done = make(chan struct{})
	var wg sync.WaitGroup
	for i := range tasks {
		w.gates[i] = make(chan struct{})
		w.replies[i] = make(chan local, 1)
		wg.Go(func() { w.gated(i) })
	}
	go func() {
		wg.Wait()
		close(w.done)
	}()
}

func (w *world) gated(task int) {
	var l local // the task's own v: it lives on this goroutine
	for _, ln := range w.prog.code(task) {
		select {
		case <-w.quit:
			return
		case <-w.gates[task]:
		}
		w.exec(ln, &l)
		w.replies[task] <- l
	}
}

// step lets a task run its next line and returns its locals after it.
func (w *world) step(task int) local {
	w.gates[task] <- struct{}{}
	return <-w.replies[task]
}

// stop ends every task goroutine and waits until they have returned. None
// can be blocked on a mutex (see startGated), so it never waits for long.
func (w *world) stop() {
	close(w.quit)
	<-w.done
	w.c.Close()
}

// count is the count stored in the cache (0 while none is).
func (w *world) count() int {
	v, _ := w.c.Get(countKey)
	return v
}
