package interleave

import (
	"reflect"
	"strings"
	"sync"
	"testing"
)

func load(t *testing.T, variant string, tasks int, schedule ...int) *Session {
	t.Helper()
	s := new(Session)
	if err := s.Load(variant, tasks, schedule); err != nil {
		t.Fatalf("Load(%q, %d, %v): %v", variant, tasks, schedule, err)
	}
	t.Cleanup(s.Stop)
	return s
}

func snap(t *testing.T, s *Session) State {
	t.Helper()
	st, ok := s.State()
	if !ok {
		t.Fatal("State: nothing loaded")
	}
	return st
}

func TestUnlockedScheduleLosesAnUpdate(t *testing.T) {
	want := Result{Expected: 2, Actual: 1, Steps: 6, Deadlock: 0}
	// Loaded from the link's schedule...
	s := load(t, Unlocked, 2, 0, 1, 0, 1, 0, 1)
	if got, ok := s.Result(); !ok || got != want {
		t.Errorf("loaded 0,1,0,1,0,1: Result = %+v, %v; want %+v, true", got, ok, want)
	}
	// ...and stepped by hand.
	s = load(t, Unlocked, 2)
	var last StepResult
	for _, task := range []int{0, 1, 0, 1, 0, 1} {
		if last = s.Step(task); !last.OK {
			t.Fatalf("Step(%d) refused: %s", task, last.Reason)
		}
	}
	if !last.Done || last.Count != 1 {
		t.Errorf("last step = %+v; want done with count 1", last)
	}
	st := snap(t, s)
	if st.Result == nil || *st.Result != want || st.Schedule != "0,1,0,1,0,1" {
		t.Errorf("state: result %+v, schedule %q; want %+v, 0,1,0,1,0,1", st.Result, st.Schedule, want)
	}
	for _, ts := range st.Tasks {
		if !ts.Done || !ts.VRead || ts.V != 1 || ts.Next != 3 {
			t.Errorf("task %+v; want done, v read, v 1, next 3", ts)
		}
	}
}

func TestStepRunsTheLineOnTheCache(t *testing.T) {
	s := load(t, Unlocked, 2)
	// Task 0: v, _ := c.Get("count"); v++; c.Set("count", v).
	s.Step(0)
	s.Step(0)
	if r := s.Step(0); r.Count != 1 {
		t.Errorf("after task 0's Set: count %d, want 1", r.Count)
	}
	s.Step(1)
	st := snap(t, s)
	t1 := st.Tasks[1]
	if t1.Next != 1 || !t1.VRead || t1.V != 1 || st.Count != 1 {
		t.Errorf("task 1 after its Get: %+v, count %d; want next 1, v 1 read, count 1", t1, st.Count)
	}
	h := st.History[3]
	if h != (Step{Task: 1, Line: 0, Code: `v, _ := c.Get("count")`, V: 1, Count: 1}) {
		t.Errorf("history[3] = %+v", h)
	}
}

func TestLockedRefusesNamingTheHolder(t *testing.T) {
	s := load(t, Locked, 2)
	if r := s.Step(0); !r.OK {
		t.Fatalf("task 0's mu.Lock() refused: %s", r.Reason)
	}
	before := snap(t, s)
	r := s.Step(1)
	if r.OK || !strings.Contains(r.Reason, "held by task 0") || r.Done {
		t.Errorf("task 1's mu.Lock() while task 0 holds mu = %+v; want refused, naming task 0, not done", r)
	}
	if after := snap(t, s); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused step changed the state:\n%+v\nto\n%+v", before, after)
	}
	mu := before.Locks[0]
	if mu.Name != "mu" || mu.Holder != 0 || !reflect.DeepEqual(mu.Waiters, []int{1}) {
		t.Errorf("lock = %+v; want mu held by 0, waited for by 1", mu)
	}
	if t1 := before.Tasks[1]; !t1.Blocked || !strings.Contains(t1.Reason, "task 0") {
		t.Errorf("task 1 = %+v; want blocked, naming task 0", t1)
	}
}

func TestDeadlock(t *testing.T) {
	s := load(t, Deadlock, 2, 0, 1)
	st := snap(t, s)
	if !st.Deadlock || !st.Done || st.Message != DeadlockMessage {
		t.Errorf("after 0,1: deadlock %v, done %v, message %q", st.Deadlock, st.Done, st.Message)
	}
	for _, ts := range st.Tasks {
		if !ts.Blocked || ts.Done {
			t.Errorf("task %d: %+v; want blocked", ts.Task, ts)
		}
	}
	if a, b := st.Locks[0], st.Locks[1]; a.Holder != 0 || b.Holder != 1 ||
		!reflect.DeepEqual(a.Waiters, []int{1}) || !reflect.DeepEqual(b.Waiters, []int{0}) {
		t.Errorf("locks = %+v; want a held by 0 awaited by 1, b held by 1 awaited by 0", st.Locks)
	}
	want := Result{Expected: 2, Actual: 0, Steps: 2, Deadlock: 1}
	if st.Result == nil || *st.Result != want {
		t.Errorf("result = %+v, want %+v", st.Result, want)
	}
	for _, task := range []int{0, 1, 0} {
		r := s.Step(task)
		if r.OK || !r.Done || !strings.Contains(r.Reason, DeadlockMessage) {
			t.Errorf("Step(%d) after the deadlock = %+v; want refused with %q", task, r, DeadlockMessage)
		}
	}
	if after := snap(t, s); !reflect.DeepEqual(after, st) {
		t.Error("refused steps changed the deadlocked state")
	}
}

func TestUnknownStepChangesNothing(t *testing.T) {
	s := load(t, Unlocked, 2, 0)
	before := snap(t, s)
	for _, task := range []int{-1, 2, 4, 99} {
		if r := s.Step(task); r.OK || !strings.Contains(r.Reason, "no task") {
			t.Errorf("Step(%d) = %+v; want refused: no such task", task, r)
		}
	}
	if after := snap(t, s); !reflect.DeepEqual(after, before) {
		t.Error("unknown steps changed the state")
	}
	var none Session
	if r := none.Step(0); r.OK {
		t.Error("Step with nothing loaded was taken")
	}
	if r := none.Undo(); r.OK {
		t.Error("Undo with nothing loaded was taken")
	}
	if _, ok := none.State(); ok {
		t.Error("State with nothing loaded")
	}
}

func TestUndoToTheStartAndBeyond(t *testing.T) {
	s := load(t, Locked, 2)
	start := snap(t, s)
	s.Step(0)
	s.Step(0)
	if r := s.Undo(); !r.OK || r.Task != 0 || r.Count != 0 || r.Done {
		t.Errorf("Undo = %+v; want ok, task 0, count 0, not done", r)
	}
	s.Undo()
	if st := snap(t, s); !reflect.DeepEqual(st, start) {
		t.Errorf("two Undos did not go back to the start:\n%+v\n%+v", st, start)
	}
	if r := s.Undo(); r.OK {
		t.Errorf("Undo at the start = %+v; want refused", r)
	}
}

// TestEverySchedule takes every step of every schedule (a depth-first walk
// that backtracks with Undo) and checks each run's end, that Undo restores
// the exact state before each step, and that refused steps change nothing.
func TestEverySchedule(t *testing.T) {
	cases := []struct {
		variant            string
		tasks              int
		runs, lost, locked int // full schedules; of them, ending below expected; in a deadlock
	}{
		{Unlocked, 2, 20, 18, 0}, // only 0,0,0,1,1,1 and 1,1,1,0,0,0 keep both updates
		{Locked, 2, 2, 0, 0},
		{Locked, 3, 6, 0, 0},
		{Update, 2, 2, 0, 0},
		{Update, 4, 24, 0, 0},
		{Deadlock, 2, 6, 0, 2}, // 0,1 and 1,0 deadlock; it counts nothing, so no update is lost
	}
	for _, c := range cases {
		s := load(t, c.variant, c.tasks)
		var runs, lost, locked int
		var walk func()
		walk = func() {
			before := snap(t, s)
			if before.Done {
				runs++
				res := *before.Result
				if res.Deadlock == 1 {
					locked++
				} else if res.Actual < res.Expected && c.variant != Deadlock {
					lost++
				}
				if res.Expected != c.tasks || res.Steps != len(before.History) {
					t.Errorf("%s %s: result %+v", c.variant, before.Schedule, res)
				}
			}
			for task := -1; task <= c.tasks; task++ {
				r := s.Step(task)
				if !r.OK {
					if st := snap(t, s); !reflect.DeepEqual(st, before) {
						t.Fatalf("%s %s: refused Step(%d) changed the state", c.variant, before.Schedule, task)
					}
					continue
				}
				if before.Done {
					t.Fatalf("%s %s: Step(%d) taken after the end", c.variant, before.Schedule, task)
				}
				walk()
				if u := s.Undo(); !u.OK || u.Task != task {
					t.Fatalf("%s: Undo after Step(%d) = %+v", c.variant, task, u)
				}
				if st := snap(t, s); !reflect.DeepEqual(st, before) {
					t.Fatalf("%s: Undo after Step(%d) did not restore\n%+v\ngot\n%+v", c.variant, task, before, st)
				}
			}
		}
		walk()
		if runs != c.runs || lost != c.lost || locked != c.locked {
			t.Errorf("%s, %d tasks: %d schedules, %d lost an update, %d deadlocked; want %d, %d, %d",
				c.variant, c.tasks, runs, lost, locked, c.runs, c.lost, c.locked)
		}
	}
}

func TestLoadValidates(t *testing.T) {
	s := load(t, Unlocked, 2, 0)
	before := snap(t, s)
	for _, c := range []struct {
		variant  string
		tasks    int
		schedule []int
		want     string
	}{
		{"nope", 2, nil, `variant "nope" is not one of unlocked, locked, update, deadlock`},
		{Locked, 5, nil, "tasks must be between 1 and 4 (got 5)"},
		{Locked, -1, nil, "tasks must be between 1 and 4 (got -1)"},
		{Locked, 2, []int{0, 1}, "schedule step 2 (task 1) is refused: task 1's mu.Lock() waits: mu is held by task 0"},
		{Unlocked, 2, []int{0, 0, 0, 0}, "schedule step 4 (task 0) is refused: task 0 has finished"},
		{Unlocked, 2, []int{2}, "schedule step 1 (task 2) is refused: there is no task 2 (the tasks are 0 to 1)"},
	} {
		err := s.Load(c.variant, c.tasks, c.schedule)
		if err == nil || err.Error() != c.want {
			t.Errorf("Load(%q, %d, %v) = %v; want %q", c.variant, c.tasks, c.schedule, err, c.want)
		}
	}
	if after := snap(t, s); !reflect.DeepEqual(after, before) {
		t.Error("a refused Load changed the session")
	}
	if st := snap(t, load(t, Deadlock, 0)); len(st.Tasks) != DefaultTasks {
		t.Errorf("tasks 0 gave %d tasks, want %d", len(st.Tasks), DefaultTasks)
	}
}

func TestReset(t *testing.T) {
	s := load(t, Unlocked, 3)
	start := snap(t, s)
	s.Step(0)
	s.Step(2)
	s.Reset()
	if st := snap(t, s); !reflect.DeepEqual(st, start) {
		t.Errorf("Reset did not go back to the start:\n%+v\n%+v", st, start)
	}
}

// assertEnded fails unless every goroutine of w has returned already.
func assertEnded(t *testing.T, what string, w *world) {
	t.Helper()
	select {
	case <-w.done:
	default:
		t.Errorf("%s left task goroutines running", what)
	}
}

func TestNoGoroutineLeft(t *testing.T) {
	s := load(t, Locked, 4, 0, 0)
	w := s.r.w
	s.Undo()
	assertEnded(t, "Undo", w)
	w = s.r.w
	s.Reset()
	assertEnded(t, "Reset", w)
	w = s.r.w
	if err := s.Load(Deadlock, 2, []int{0, 1}); err != nil {
		t.Fatal(err)
	}
	assertEnded(t, "Load", w)
	w = s.r.w
	s.Stop()
	assertEnded(t, "Stop after a deadlock", w)
	if _, ok := s.State(); ok {
		t.Error("State after Stop")
	}
	// A refused Load stops the goroutines it started for its replay.
	r, err := replay(programs[1], 2, []int{0, 1})
	if err == nil {
		t.Fatal("replay of a refused step succeeded")
	}
	assertEnded(t, "a refused replay", r.w)
}

// Callers on several goroutines (a page's message handler and a test, say)
// are served one at a time: every step is taken once, none is lost.
func TestConcurrentCallers(t *testing.T) {
	s := load(t, Unlocked, 4)
	var wg sync.WaitGroup
	for task := range 4 {
		wg.Go(func() {
			for range 3 {
				if r := s.Step(task); !r.OK {
					t.Errorf("Step(%d) refused: %s", task, r.Reason)
				}
				s.State()
			}
		})
	}
	wg.Wait()
	st := snap(t, s)
	if !st.Done || len(st.History) != 12 || st.Count < 1 || st.Count > 4 {
		t.Errorf("after 4 callers took 3 steps each: done %v, %d steps, count %d", st.Done, len(st.History), st.Count)
	}
	if last := st.History[11]; last.Count != st.Count {
		t.Errorf("the last step's count %d is not the cached count %d", last.Count, st.Count)
	}
}
