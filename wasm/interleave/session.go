// Package interleave is the step mode of the playground: the learner is the
// scheduler. Each task of a small program is a real goroutine that waits at
// a gate until the learner lets it take one step, and each step is a real
// call on a real cache.Cache[string, int] or a real sync.Mutex. So the
// learner can make an update get lost, or a deadlock happen, on purpose,
// and see why.
//
// In Go's WebAssembly every goroutine runs on one thread and nothing
// preempts a goroutine that does not block, so an unlocked read-modify-write
// almost never loses an update there when Go schedules it (RunFree measures
// how often); stepping shows the interleavings that natively, on several
// cores, do happen.
//
// # Why nothing hangs
//
// A step that would block, a Lock of a mutex another task holds, is refused
// before its goroutine is let go: the run tracks who holds each mutex. So no
// goroutine ever blocks on a real mutex, a step always returns at once, and
// Reset and Stop can always end every goroutine. When every unfinished task
// waits for a lock, that is a deadlock, and the run says so in the words of
// Go's runtime (DeadlockMessage).
//
// # Undo
//
// Goroutines cannot be rewound, so Undo replays the schedule but its last
// step on fresh goroutines and a fresh cache. Each step runs alone, so a
// replay is deterministic and reaches exactly the earlier state.
//
// The package is pure Go (no syscall/js): it is tested natively with -race
// and under js/wasm. Step and Undo wait only for the run's own goroutines,
// never for JavaScript (a Promise or an event, which cannot arrive while a
// callback runs), so they may be called from inside a JavaScript callback.
package interleave

import "sync"

// Session is the step mode as a page drives it: Load a variant, then Step,
// Undo, Reset, and read State. The zero Session has nothing loaded. It is
// safe for concurrent use. Stop it when done with it.
type Session struct {
	mu sync.Mutex
	r  *run
}

// Load stops what was loaded and starts the variant with that many tasks
// (0 means DefaultTasks), then takes the steps of schedule (task indices,
// see ParseSchedule) in order. If the variant, tasks or a step is invalid,
// it returns an error that names it and leaves the session as it was.
func (s *Session) Load(variant string, tasks int, schedule []int) error {
	p, err := lookup(variant)
	if err != nil {
		return err
	}
	n, err := checkTasks(tasks)
	if err != nil {
		return err
	}
	r, err := replay(p, n, schedule)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.swap(r)
	return nil
}

// swap replaces the run, stopping the old one. s.mu is held.
func (s *Session) swap(r *run) {
	if s.r != nil {
		s.r.w.stop()
	}
	s.r = r
}

// Step lets task take its next step. A refused step (the task does not
// exist, has finished or is blocked, or nothing is loaded) changes nothing
// and says why.
func (s *Session) Step(task int) StepResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r == nil {
		return StepResult{Task: task, Reason: "nothing is loaded"}
	}
	return s.r.step(task)
}

// Undo goes back one step, by replaying the schedule but its last step on
// fresh goroutines. Its result names the task whose step was undone and
// the count and done of the state it went back to.
func (s *Session) Undo() StepResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r == nil {
		return StepResult{Task: -1, Reason: "nothing is loaded"}
	}
	sched := s.r.schedule()
	if len(sched) == 0 {
		return StepResult{Task: -1, Reason: "there is no step to undo", Count: s.r.w.count(), Done: s.r.over()}
	}
	r, err := replay(s.r.prog, s.r.tasks, sched[:len(sched)-1])
	if err != nil { // a replay of steps once taken cannot be refused
		return StepResult{Task: -1, Reason: err.Error(), Count: s.r.w.count(), Done: s.r.over()}
	}
	s.swap(r)
	return StepResult{Task: sched[len(sched)-1], OK: true, Count: r.w.count(), Done: r.over()}
}

// Reset goes back to the start of the loaded variant, on fresh goroutines.
func (s *Session) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r != nil {
		s.swap(start(s.r.prog, s.r.tasks))
	}
}

// Stop ends every goroutine of the session and unloads it. It returns once
// they have all returned.
func (s *Session) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.swap(nil)
}

// State returns a snapshot of the run, and false if nothing is loaded.
func (s *Session) State() (State, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r == nil {
		return State{}, false
	}
	return s.r.state(), true
}

// Result returns the lesson's result, and true once the run is over (every
// task finished, or a deadlock).
func (s *Session) Result() (Result, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r == nil || !s.r.over() {
		return Result{}, false
	}
	return s.r.result(), true
}
