package engine

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gosharedstate/playground/wasm/internal/goroutines"
)

// fastScene returns a small scene on real time with tiny durations, where
// everything happens within a few hundred milliseconds.
func fastScene(locking string) Scene {
	s := DefaultScene()
	s.Tasks = 6
	s.Mix = Mix{Get: 40, Set: 25, Delete: 5, GetOrLoad: 10, Pool: 30}
	s.Keys = 4
	s.ThinkMs, s.WorkMs, s.LoadMs = 2, 3, 1 // opening a connection takes LoadMs too
	s.TTLMs, s.CleanupMs = 25, 15
	s.Locking = locking
	s.PoolSize = 1
	s.AcquireTimeoutMs = 4
	s.Speed = 1
	return s
}

func mustStart(t *testing.T, s Scene) *Engine {
	t.Helper()
	e, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	return e
}

// watchdog returns when a wait in a test gives up and says what it was
// waiting for: in two minutes, or shortly before the test binary's
// deadline if that comes first. It bounds waits that end within
// milliseconds on a correct run, however loaded the machine: the test
// asserts that they end, never how fast.
func watchdog(t *testing.T) time.Time {
	wd := time.Now().Add(2 * time.Minute)
	if d, ok := t.Deadline(); ok && d.Add(-10*time.Second).Before(wd) {
		wd = d.Add(-10 * time.Second)
	}
	return wd
}

// stopAndWait stops e and waits for Stop to return; if the watchdog fires
// first, it fails the test with every goroutine's stack.
func stopAndWait(t *testing.T, e *Engine) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		e.Stop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Until(watchdog(t))):
		buf := make([]byte, 1<<20)
		t.Fatalf("Stop did not return:\n%s", buf[:runtime.Stack(buf, true)])
	}
}

// noneLeft waits until every goroutine of this module started since before
// (goroutines.Running) has ended: the cache's loader goroutines may still
// be returning from their last hook when Stop returns. It fails with their
// stacks if the watchdog fires first.
func noneLeft(t *testing.T, before map[int]string) {
	t.Helper()
	for wd := watchdog(t); ; {
		left := goroutines.Started(before)
		if len(left) == 0 {
			return
		}
		if time.Now().After(wd) {
			t.Fatalf("%d goroutines left after Stop:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPlanSameSeedSameSequence(t *testing.T) {
	s := DefaultScene()
	s.Dist = DistHot
	s.Keys = 100
	a, b := s.Plan(3, 200), s.Plan(3, 200)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed and task gave two plans")
	}
	if reflect.DeepEqual(a, s.Plan(4, 200)) {
		t.Error("tasks 3 and 4 have the same plan")
	}
	s2 := s
	s2.Seed++
	if reflect.DeepEqual(a, s2.Plan(3, 200)) {
		t.Error("seeds 1 and 2 give the same plan")
	}
	// The hot rule: about HotShare of draws go to the HotKeys(100) = 10 first keys.
	hot, n := 0, 0
	for _, st := range s.Plan(0, 20000) {
		if st.Op == OpPool {
			if st.Key != -1 {
				t.Fatalf("pool step with key %d", st.Key)
			}
			continue
		}
		n++
		if st.Key < HotKeys(s.Keys) {
			hot++
		}
		if st.Think < time.Duration(s.ThinkMs*0.5*1e6) || st.Think >= time.Duration(s.ThinkMs*1.5*1e6) {
			t.Fatalf("think %v outside [0.5, 1.5) x %v ms", st.Think, s.ThinkMs)
		}
	}
	// Expected share: 0.8 + 0.2*10/100 = 0.82.
	if share := float64(hot) / float64(n); share < 0.79 || share > 0.85 {
		t.Errorf("hot share %.3f, want about 0.82", share)
	}
}

// opSequence returns, per task, the (op, key) of each opStart event.
func opSequence(evs []Event, tasks int) [][][2]int32 {
	seq := make([][][2]int32, tasks)
	for _, e := range evs {
		if e.Kind == KindOpStart {
			seq[e.Task] = append(seq[e.Task], [2]int32{e.Aux, e.Key})
		}
	}
	return seq
}

func TestEngineSameSeedSameSequence(t *testing.T) {
	s := fastScene(LockingMutex)
	s.Keys = 50
	s.Dist = DistHot
	// run runs the scene until every task has done 5 operations (a loaded
	// machine may starve a task for a while: the watchdog bounds the wait).
	run := func() []Event {
		e := mustStart(t, s)
		var evs []Event
		for wd := watchdog(t); time.Now().Before(wd); {
			time.Sleep(20 * time.Millisecond)
			evs = append(evs, DecodeEvents(e.Drain(nil))...)
			done := 0
			for _, seq := range opSequence(evs, s.Tasks) {
				if len(seq) >= 5 {
					done++
				}
			}
			if done == s.Tasks {
				break
			}
		}
		stopAndWait(t, e)
		return append(evs, DecodeEvents(e.Drain(nil))...)
	}
	a, b := opSequence(run(), s.Tasks), opSequence(run(), s.Tasks)
	for i := range s.Tasks {
		n := min(len(a[i]), len(b[i]))
		if n < 5 {
			t.Fatalf("task %d did only %d operations", i, n)
		}
		if !reflect.DeepEqual(a[i][:n], b[i][:n]) {
			t.Errorf("task %d: two runs differ:\n%v\n%v", i, a[i][:n], b[i][:n])
		}
		for j, st := range s.Plan(i, n) {
			if a[i][j] != [2]int32{int32(st.Op), int32(st.Key)} {
				t.Errorf("task %d step %d: ran %v, plan %+v", i, j, a[i][j], st)
				break
			}
		}
	}
}

// TestSceneRuns runs a short real scene per locking strategy and checks
// that the page would see everything it draws.
func TestSceneRuns(t *testing.T) {
	for _, locking := range []string{LockingMutex, LockingRWMutex, LockingSharded} {
		t.Run(locking, func(t *testing.T) {
			s := fastScene(locking)
			if locking == LockingSharded {
				s.Keys = 64
			}
			e := mustStart(t, s)
			defer e.Stop()
			var evs []Event
			want := map[string]func(Event) bool{
				"lockWait":                   func(e Event) bool { return e.Kind == KindLockWait && e.Task >= 0 },
				"lockAcquired after waiting": func(e Event) bool { return e.Kind == KindLockAcquired && e.Dur > 0 },
				"lockReleased held":          func(e Event) bool { return e.Kind == KindLockReleased && e.Task >= 0 && e.Dur > 0 },
				"janitor lock":               func(e Event) bool { return e.Kind == KindLockAcquired && e.Task == TaskJanitor && e.Flags>>8 == 4 },
				"set with ttl":               func(e Event) bool { return e.Kind == KindCacheSet && e.Dur == 25 },
				"hit":                        func(e Event) bool { return e.Kind == KindCacheHit },
				"miss":                       func(e Event) bool { return e.Kind == KindCacheMiss },
				"janitor expires an entry":   func(e Event) bool { return e.Kind == KindCacheExpire && e.Task == TaskJanitor && e.Key >= 0 },
				"sweep removes":              func(e Event) bool { return e.Kind == KindSweepEnd && e.Aux > 0 },
				"load":                       func(e Event) bool { return e.Kind == KindLoadEnd && e.Flags == 0 && e.Dur > 0 },
				"pool wait":                  func(e Event) bool { return e.Kind == KindPoolWaiting && e.Aux >= 1 },
				"pool acquired after wait":   func(e Event) bool { return e.Kind == KindPoolAcquired && e.Dur > 0 },
				"pool connection opened":     func(e Event) bool { return e.Kind == KindPoolConstructing },
				"pool timeout":               func(e Event) bool { return e.Kind == KindPoolAcquireFailed && e.Flags == FailTimeout },
				"pool released":              func(e Event) bool { return e.Kind == KindPoolReleased && e.Dur > 0 },
			}
			switch locking {
			case LockingRWMutex:
				want["shared read lock"] = func(e Event) bool {
					return e.Kind == KindLockAcquired && e.Flags&FlagShared != 0 && e.Flags>>8 == 1
				}
			case LockingSharded:
				want["another shard"] = func(e Event) bool { return e.Kind == KindLockAcquired && e.Aux > 0 }
			default:
				want["one lock"] = func(e Event) bool { return e.Kind == KindLockAcquired && e.Flags&FlagShared == 0 }
			}
			lanes := map[int32]bool{}
			seen := map[string]bool{}
			wd := watchdog(t)
			for len(seen) < len(want) || len(lanes) < s.Tasks {
				if time.Now().After(wd) {
					var missing []string
					for name := range want {
						if !seen[name] {
							missing = append(missing, name)
						}
					}
					t.Fatalf("not seen: %v; lanes %d of %d", missing, len(lanes), s.Tasks)
				}
				time.Sleep(20 * time.Millisecond)
				batch := DecodeEvents(e.Drain(nil))
				evs = append(evs, batch...)
				for _, ev := range batch {
					if ev.Kind == KindOpStart {
						lanes[ev.Task] = true
					}
					for name, f := range want {
						if f(ev) {
							seen[name] = true
						}
					}
				}
			}
			stopAndWait(t, e)
			evs = append(evs, DecodeEvents(e.Drain(nil))...)
			checkEvents(t, evs, s)
			sn := e.Snapshot()
			if sn.State != StateStopped || sn.Ops == 0 || sn.Hits == 0 || sn.Misses == 0 || sn.Sweeps == 0 ||
				sn.Swept == 0 || sn.PoolTimeouts == 0 || sn.LockWaitP99Ms <= 0 || sn.LockHoldMeanMs <= 0 ||
				sn.PoolWaitMeanMs <= 0 || sn.EventsEmitted == 0 || sn.Entries < 0 || sn.Entries > s.Keys {
				t.Errorf("snapshot: %+v", sn)
			}
		})
	}
}

// checkEvents checks the order the page relies on.
func checkEvents(t *testing.T, evs []Event, s Scene) {
	t.Helper()
	if evs[0].Kind != KindSceneStart || evs[len(evs)-1].Kind != KindSceneStop {
		t.Errorf("first %v, last %v", evs[0].Kind, evs[len(evs)-1].Kind)
	}
	inOp := make([]Op, s.Tasks)
	last := make(map[int32]Event) // each task's last event
	for i, e := range evs {
		if e.Task >= int32(s.Tasks) || e.Task < TaskScene {
			t.Fatalf("task %d out of range: %+v", e.Task, e)
		}
		if e.Key >= int32(s.Keys) && e.Kind != KindSweepEnd && e.Kind != KindAggregated {
			t.Fatalf("key out of range: %+v", e)
		}
		if e.Task >= 0 {
			if e.T < last[e.Task].T {
				t.Fatalf("task %d: time went back: event %d %+v after %+v", e.Task, i, e, last[e.Task])
			}
			last[e.Task] = e
		}
		switch e.Kind {
		case KindOpStart:
			if inOp[e.Task] != OpNone {
				t.Fatalf("task %d starts %v inside %v", e.Task, Op(e.Aux), inOp[e.Task])
			}
			inOp[e.Task] = Op(e.Aux)
		case KindOpEnd:
			if inOp[e.Task] != Op(e.Aux) {
				t.Fatalf("task %d ends %v inside %v", e.Task, Op(e.Aux), inOp[e.Task])
			}
			inOp[e.Task] = OpNone
		case KindThink:
			if inOp[e.Task] != OpNone {
				t.Fatalf("task %d thinks inside %v", e.Task, inOp[e.Task])
			}
		case KindAggregated:
			t.Errorf("aggregated in a small scene: %+v", e)
		}
	}
	checkLoadsInsideOps(t, evs)
}

// checkLoadsInsideOps checks that a task's load (run by the cache's loader
// goroutine, reported as the task's) starts and ends inside the task's
// GetOrLoad operation, Stop included.
func checkLoadsInsideOps(t *testing.T, evs []Event) {
	t.Helper()
	inLoad := map[int32]bool{}
	for i, e := range evs {
		switch e.Kind {
		case KindLoadStart:
			inLoad[e.Task] = true
		case KindLoadEnd:
			inLoad[e.Task] = false
		case KindOpEnd:
			if inLoad[e.Task] {
				t.Fatalf("task %d: event %d ends its operation while its load runs: %+v", e.Task, i, e)
			}
		case KindAggregated:
			return // events are missing: nothing to check
		}
	}
}

func TestStopLeavesNoGoroutine(t *testing.T) {
	long := func(edit func(*Scene)) Scene {
		s := DefaultScene()
		s.Tasks = 20
		s.ThinkMs = 0
		s.WorkMs, s.LoadMs = 10000, 10000
		s.TTLMs, s.CleanupMs = 5, 1
		edit(&s)
		return s
	}
	cases := []struct {
		name  string
		s     Scene
		pause bool
	}{
		{"blocked on the lock", long(func(s *Scene) { s.Mix = Mix{Get: 1, Set: 1, Delete: 1} }), false},
		{"blocked on the rwlock", long(func(s *Scene) { s.Mix = Mix{Get: 5, Set: 1}; s.Locking = LockingRWMutex }), false},
		{"blocked on the pool", long(func(s *Scene) { s.Mix = Mix{Pool: 1}; s.AcquireTimeoutMs = 0; s.LoadMs = 0 }), false},
		{"opening connections", long(func(s *Scene) { s.Mix = Mix{Pool: 1}; s.PoolSize = 50 }), false},
		{"pool with timeouts", long(func(s *Scene) { s.Mix = Mix{Pool: 1}; s.AcquireTimeoutMs = 1; s.WorkMs = 2; s.LoadMs = 0 }), false},
		{"loading", long(func(s *Scene) { s.Mix = Mix{GetOrLoad: 1}; s.WorkMs = 0; s.Locking = LockingSharded }), false},
		{"loading with work", long(func(s *Scene) { s.Mix = Mix{GetOrLoad: 1}; s.WorkMs = 1; s.LoadMs = 1; s.Keys = 1000 }), false},
		{"paused", long(func(s *Scene) { s.Mix = Mix{Get: 1, Set: 1, GetOrLoad: 1, Pool: 1} }), true},
		{"busy, no think, no work", long(func(s *Scene) {
			s.Mix = Mix{Get: 1, Set: 1, Delete: 1, GetOrLoad: 1, Pool: 1}
			s.WorkMs, s.LoadMs = 0, 0
			s.Speed = 10
		}), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := goroutines.Running()
			e := mustStart(t, c.s)
			time.Sleep(50 * time.Millisecond)
			if c.pause {
				e.Pause()
				time.Sleep(20 * time.Millisecond)
			}
			stopAndWait(t, e)
			noneLeft(t, before)
			if n := e.Clock().Pending(); n != 0 {
				t.Errorf("%d scene timers pending after Stop", n)
			}
			evs := DecodeEvents(e.Drain(nil))
			if len(evs) == 0 || evs[len(evs)-1].Kind != KindSceneStop {
				t.Errorf("last event is not sceneStop")
			}
			checkLoadsInsideOps(t, evs)
			// Nothing is reported after Stop.
			time.Sleep(10 * time.Millisecond)
			if n := len(e.Drain(nil)); n != 0 {
				t.Errorf("%d bytes of events after Stop", n)
			}
		})
	}
}

func containsKind(evs []Event, k Kind) bool {
	for _, e := range evs {
		if e.Kind == k {
			return true
		}
	}
	return false
}

func TestLifeCycle(t *testing.T) {
	e, err := New(DefaultScene())
	if err != nil {
		t.Fatal(err)
	}
	if e.State() != StateIdle {
		t.Errorf("state %q", e.State())
	}
	e.Pause() // nothing to pause
	if e.State() != StateIdle {
		t.Errorf("Pause of an idle engine: %q", e.State())
	}
	if err := e.SetSpeed(20); err == nil || !strings.Contains(err.Error(), "speed must be between 0.1 and 10 (got 20)") {
		t.Errorf("SetSpeed(20): %v", err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); !errors.Is(err, ErrStarted) {
		t.Errorf("second Start: %v", err)
	}
	if err := e.SetSpeed(2.5); err != nil {
		t.Fatal(err)
	}
	if e.Scene().Speed != 2.5 || e.Clock().Speed() != 2.5 {
		t.Error("speed not applied")
	}
	e.Stop()
	e.Stop()
	if err := e.Start(); !errors.Is(err, ErrStopped) {
		t.Errorf("Start after Stop: %v", err)
	}
	evs := DecodeEvents(e.Drain(nil))
	var speed *Event
	for i := range evs {
		if evs[i].Kind == KindSceneSpeed {
			speed = &evs[i]
		}
	}
	if speed == nil || speed.Aux != 250 || speed.Task != TaskScene {
		t.Errorf("sceneSpeed event: %+v", speed)
	}
	if _, err := New(Scene{}); err == nil {
		t.Error("New of a zero scene: no error")
	}
	idle, _ := New(DefaultScene())
	idle.Stop()
	if idle.State() != StateStopped || len(idle.Drain(nil)) != 0 {
		t.Error("Stop of an idle engine")
	}
}

// TestOverflowIsCounted runs a scene that makes events much faster than
// they are drained: nothing is lost, the rest is aggregated per kind.
func TestOverflowIsCounted(t *testing.T) {
	s := DefaultScene()
	s.Tasks = 50
	s.ThinkMs, s.WorkMs, s.LoadMs = 0, 0, 0
	s.Mix = Mix{Get: 1, Set: 1}
	s.Speed = 10
	e := mustStart(t, s)
	time.Sleep(500 * time.Millisecond)
	stopAndWait(t, e)
	sn := e.Snapshot()
	evs := DecodeEvents(e.Drain(nil))
	var records, folded uint64
	for _, ev := range evs {
		if ev.Kind == KindAggregated {
			folded += uint64(ev.Aux)
		} else {
			records++
		}
	}
	if sn.EventsAggregated == 0 {
		t.Skipf("the machine was too slow to fill the buffer (%d events)", sn.EventsEmitted)
	}
	if records != sn.EventsEmitted || folded != sn.EventsAggregated {
		t.Errorf("drained %d records + %d folded; snapshot %d + %d", records, folded, sn.EventsEmitted, sn.EventsAggregated)
	}
	t.Logf("%d events recorded, %d aggregated in 0.5 s", records, folded)
}

// BenchmarkScene runs a busy scene (1000 tasks, no think time) for the
// benchmark's time and reports the events it made per second of real time,
// hooks, clock reads and encoding included, drained once per 16 ms frame.
func BenchmarkScene(b *testing.B) {
	s := DefaultScene()
	s.Tasks = 1000
	s.Keys = 10000
	s.ThinkMs, s.WorkMs, s.LoadMs = 0, 0, 1
	s.TTLMs, s.CleanupMs = 1000, 100
	s.Mix = Mix{Get: 60, Set: 20, Delete: 5, GetOrLoad: 10, Pool: 5}
	s.PoolSize = 20
	s.Speed = 1
	e, err := New(s)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, (DefaultEventBuffer+int(numKinds))*EventSize)
	var records, folded int
	start := time.Now()
	if err := e.Start(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		time.Sleep(16 * time.Millisecond)
		dst = e.Drain(dst[:0])
		for off := 0; off < len(dst); off += EventSize {
			if ev := DecodeEvent(dst[off:]); ev.Kind == KindAggregated {
				folded += int(ev.Aux)
			} else {
				records++
			}
		}
	}
	el := time.Since(start).Seconds()
	e.Stop()
	b.ReportMetric(float64(records)/el, "events/s")
	b.ReportMetric(float64(folded)/el, "aggregated/s")
}

func ExampleEngine() {
	s := DefaultScene()
	s.Speed = 10 // ten times real time
	e, err := New(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := e.Start(); err != nil {
		fmt.Println(err)
		return
	}
	time.Sleep(200 * time.Millisecond) // 2 s of scene time
	e.Stop()

	// Once per animation frame, the bindings drain the events.
	buf := e.Drain(make([]byte, 0, 1<<16))
	first := DecodeEvent(buf)
	last := DecodeEvent(buf[len(buf)-EventSize:])
	fmt.Println(first.Kind, first.Aux, "tasks")
	fmt.Println(last.Kind)
	fmt.Println(e.State())
	// Output:
	// sceneStart 5 tasks
	// sceneStop
	// stopped
}

func ExampleParseScene() {
	s, err := ParseScene([]byte(`{"tasks": 3, "mix": {"get": 9, "set": 1}, "locking": "rwmutex"}`))
	fmt.Println(s.Tasks, s.Mix.Get, s.Mix.Set, s.Mix.Pool, s.Locking, err)
	_, err = ParseScene([]byte(`{"tasks": 5000, "speed": 0}`))
	fmt.Println(err)
	// Output:
	// 3 9 1 0 rwmutex <nil>
	// tasks must be between 1 and 1000 (got 5000); speed must be between 0.1 and 10 (got 0)
}

// TestConcurrentControl drives an engine as the bindings may: Drain and
// Snapshot from one goroutine, every control from another, all at once.
func TestConcurrentControl(t *testing.T) {
	s := fastScene(LockingRWMutex)
	e, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var drained int
	go func() {
		defer close(done)
		buf := make([]byte, 0, 1<<16)
		for e.State() != StateStopped || len(buf) > 0 {
			buf = e.Drain(buf[:0])
			drained += len(buf) / EventSize
			_ = e.Snapshot()
			_ = e.Scene()
			time.Sleep(time.Millisecond)
		}
	}()
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		time.Sleep(5 * time.Millisecond)
		switch i % 4 {
		case 0:
			e.Pause()
		case 1:
			if err := e.SetSpeed(0.5 + float64(i)/10); err != nil {
				t.Fatal(err)
			}
		case 2:
			e.Resume()
		}
	}
	stop2 := make(chan struct{})
	go func() { e.Stop(); close(stop2) }()
	stopAndWait(t, e)
	<-stop2
	<-done
	if drained == 0 {
		t.Error("nothing drained")
	}
}
