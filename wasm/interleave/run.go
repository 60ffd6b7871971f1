package interleave

import (
	"fmt"
	"slices"
)

// run is one step-mode run: a gated world and what the learner's steps
// have done to it. It tracks who holds each mutex, so that it can refuse a
// Lock of a held mutex before the goroutine is let go: a gated goroutine
// never blocks on a real mutex, so nothing can hang and stop always ends
// every goroutine.
//
// A run is not safe for concurrent use; Session guards it.
type run struct {
	prog    *program
	tasks   int
	w       *world
	next    []int   // per task: the index of its next line
	locals  []local // per task: its v, as its goroutine reported it
	holder  []int   // per mutex: the task holding it, or -1
	history []Step
}

func start(p *program, tasks int) *run {
	r := &run{
		prog:   p,
		tasks:  tasks,
		w:      newWorld(p),
		next:   make([]int, tasks),
		locals: make([]local, tasks),
		holder: make([]int, len(p.locks)),
	}
	for i := range r.holder {
		r.holder[i] = -1
	}
	r.w.startGated(tasks)
	return r
}

// replay starts a run and takes the steps of schedule in order. Steps are
// deterministic (each runs alone, at its gate), so replaying a schedule
// always reaches the same state. If a step is refused, it stops the run
// (and returns it, stopped, for tests) and says which step and why.
func replay(p *program, tasks int, schedule []int) (*run, error) {
	r := start(p, tasks)
	for i, t := range schedule {
		if res := r.step(t); !res.OK {
			r.w.stop()
			return r, fmt.Errorf("schedule step %d (task %d) is refused: %s", i+1, t, res.Reason)
		}
	}
	return r, nil
}

// schedule returns the tasks of the steps taken, in order.
func (r *run) schedule() []int {
	s := make([]int, len(r.history))
	for i, h := range r.history {
		s[i] = h.Task
	}
	return s
}

func (r *run) finished(task int) bool { return r.next[task] >= len(r.prog.code(task)) }

// waitsFor reports the mutex task's next line locks, and its holder, when
// another task holds it: the task is blocked.
func (r *run) waitsFor(task int) (mutex, holder int, blocked bool) {
	if r.finished(task) {
		return 0, 0, false
	}
	ln := r.prog.code(task)[r.next[task]]
	if ln.op != opLock || r.holder[ln.lock] < 0 {
		return 0, 0, false
	}
	return ln.lock, r.holder[ln.lock], true
}

// blockedReason says why task is blocked, or "" if it is not.
func (r *run) blockedReason(task int) string {
	m, h, ok := r.waitsFor(task)
	if !ok {
		return ""
	}
	name := r.prog.locks[m]
	return fmt.Sprintf("task %d's %s.Lock() waits: %s is held by task %d", task, name, name, h)
}

// deadlocked reports whether some task is unfinished and every unfinished
// task is blocked: none can ever take another step.
func (r *run) deadlocked() bool {
	unfinished := false
	for t := range r.tasks {
		if r.finished(t) {
			continue
		}
		unfinished = true
		if _, _, blocked := r.waitsFor(t); !blocked {
			return false
		}
	}
	return unfinished
}

// over reports whether the run has ended: every task finished, or a
// deadlock.
func (r *run) over() bool {
	for t := range r.tasks {
		if !r.finished(t) {
			return r.deadlocked()
		}
	}
	return true
}

// refusal says why task cannot take a step now, or "" if it can.
func (r *run) refusal(task int) string {
	switch {
	case task < 0 || task >= r.tasks:
		return fmt.Sprintf("there is no task %d (the tasks are 0 to %d)", task, r.tasks-1)
	case r.finished(task):
		return fmt.Sprintf("task %d has finished", task)
	case r.deadlocked():
		return DeadlockMessage + " (" + r.blockedReason(task) + ")"
	}
	return r.blockedReason(task)
}

// step lets task run its next line, unless it is refused: then nothing
// changes.
func (r *run) step(task int) StepResult {
	if why := r.refusal(task); why != "" {
		return StepResult{Task: task, Reason: why, Count: r.w.count(), Done: r.over()}
	}
	i := r.next[task]
	ln := r.prog.code(task)[i]
	r.locals[task] = r.w.step(task)
	r.next[task]++
	switch ln.op {
	case opLock:
		r.holder[ln.lock] = task
	case opUnlock:
		r.holder[ln.lock] = -1
	}
	count := r.w.count()
	r.history = append(r.history, Step{Task: task, Line: i, Code: ln.code, V: r.locals[task].V, Count: count})
	return StepResult{Task: task, OK: true, Count: count, Done: r.over()}
}

func (r *run) result() Result {
	res := Result{Expected: r.tasks, Actual: r.w.count(), Steps: len(r.history)}
	if r.deadlocked() {
		res.Deadlock = 1
	}
	return res
}

// state returns a snapshot that shares nothing with the run.
func (r *run) state() State {
	s := State{
		Lesson:    Lesson,
		Variant:   r.prog.variant,
		Challenge: fmt.Sprintf(r.prog.challenge, r.tasks),
		Count:     r.w.count(),
		History:   slices.Clone(r.history),
		Schedule:  FormatSchedule(r.schedule()),
		Done:      r.over(),
		Deadlock:  r.deadlocked(),
		Tasks:     make([]TaskState, r.tasks),
		Locks:     make([]LockState, len(r.prog.locks)),
	}
	if s.History == nil {
		s.History = []Step{}
	}
	for m, name := range r.prog.locks {
		s.Locks[m] = LockState{Name: name, Holder: r.holder[m], Waiters: []int{}}
	}
	for t := range r.tasks {
		code := r.prog.code(t)
		ts := TaskState{Task: t, Next: r.next[t], V: r.locals[t].V, VRead: r.locals[t].Read, Done: r.finished(t)}
		for _, ln := range code {
			ts.Lines = append(ts.Lines, ln.code)
		}
		if m, _, blocked := r.waitsFor(t); blocked {
			ts.Blocked, ts.Reason = true, r.blockedReason(t)
			s.Locks[m].Waiters = append(s.Locks[m].Waiters, t)
		}
		s.Tasks[t] = ts
	}
	if s.Deadlock {
		s.Message = DeadlockMessage
	}
	if s.Done {
		res := r.result()
		s.Result = &res
	}
	return s
}
