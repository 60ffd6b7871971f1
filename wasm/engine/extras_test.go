package engine

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// counterScene is n tasks that each add one to key0's counter `each` times,
// with op, and 20 ms of work between the read and the write.
func counterScene(n, each int, op Op) (Scene, Extras) {
	s := DefaultScene()
	s.Tasks, s.Keys, s.WorkMs, s.TTLMs, s.CleanupMs, s.ThinkMs = n, 1, 0, 0, 0, 0
	s.Mix = Mix{Get: 1}
	script := make([][]Step, n)
	for i := range script {
		for range each {
			script[i] = append(script[i], Step{Think: time.Millisecond, Op: op, Key: 0})
		}
	}
	return s, Extras{Script: script, Between: 20 * time.Millisecond}
}

func runScript(t *testing.T, s Scene, x Extras) (*Engine, Measures) {
	t.Helper()
	e, err := NewWith(s, x)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	<-e.TasksDone()
	m := e.Measure()
	e.Stop()
	return e, m
}

func counter(t *testing.T, e *Engine) int {
	v, ok := e.Peek(0)
	n, err := strconv.Atoi(v)
	if !ok || err != nil {
		t.Fatalf("the counter holds %q (%v)", v, ok)
	}
	return n
}

func TestGetThenSetLosesUpdates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, x := counterScene(4, 5, OpGetThenSet)
		e, m := runScript(t, s, x)
		if m.Increments != 20 {
			t.Fatalf("%d increments, want 20", m.Increments)
		}
		if got := counter(t, e); got >= 20 {
			t.Errorf("counter %d after 20 Get-then-Set additions: none lost", got)
		}
	})
}

func TestUpdateLosesNone(t *testing.T) {
	// Real time: Update's work sleeps under the lock, which synctest
	// cannot wait out (golang/go#77687).
	for _, locking := range []string{LockingMutex, LockingRWMutex, LockingSharded} {
		s, x := counterScene(4, 5, OpUpdate)
		s.Locking, s.Speed = locking, 10
		x.Between = 2 * time.Millisecond
		e, m := runScript(t, s, x)
		if got := counter(t, e); m.Increments != 20 || got != 20 {
			t.Errorf("%s: %d increments, counter %d; want 20 and 20", locking, m.Increments, got)
		}
	}
}

// countingOrigin answers every key after 100 ms, and counts.
type countingOrigin struct {
	mu   sync.Mutex
	n    int
	fail bool
}

func (o *countingOrigin) Get(ctx context.Context, key string) ([]byte, error) {
	o.mu.Lock()
	o.n++
	o.mu.Unlock()
	select {
	case <-time.After(100 * time.Millisecond):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if o.fail {
		return nil, errors.New("503 Service Unavailable")
	}
	return []byte(`"value of ` + key + `"`), nil
}

func stampede(tasks, keys int, op Op, o Origin) (Scene, Extras) {
	s := DefaultScene()
	s.Tasks, s.Keys, s.WorkMs, s.CleanupMs = tasks, keys, 0, 0
	script := make([][]Step, tasks)
	for i := range script {
		script[i] = []Step{{Think: 0, Op: op, Key: i % keys}, {Think: 500 * time.Millisecond, Op: OpGet, Key: i % keys}}
	}
	return s, Extras{Script: script, Origin: o}
}

func TestStampede(t *testing.T) {
	for _, tc := range []struct {
		op   Op
		want int
	}{{OpGetThenLoad, 12}, {OpGetOrLoad, 3}} {
		synctest.Test(t, func(t *testing.T) {
			o := &countingOrigin{}
			s, x := stampede(12, 3, tc.op, o)
			e, m := runScript(t, s, x)
			if m.OriginRequests != tc.want || o.n != tc.want {
				t.Errorf("%v: %d requests counted, origin saw %d; want %d", tc.op, m.OriginRequests, o.n, tc.want)
			}
			if sn := e.Snapshot(); sn.Hits != 12 {
				t.Errorf("%v: %d hits on the second look, want 12", tc.op, sn.Hits)
			}
		})
	}
}

func TestOriginFailureIsNotCached(t *testing.T) {
	for _, op := range []Op{OpGetThenLoad, OpGetOrLoad} {
		synctest.Test(t, func(t *testing.T) {
			o := &countingOrigin{fail: true}
			s, x := stampede(4, 1, op, o)
			e, m := runScript(t, s, x)
			if m.OriginErrors == 0 || m.OriginError == "" {
				t.Errorf("%v: failures not counted: %+v", op, m)
			}
			if _, ok := e.Peek(0); ok {
				t.Errorf("%v: a failed load was stored", op)
			}
			if sn := e.Snapshot(); sn.Hits != 0 {
				t.Errorf("%v: %d hits after failed loads", op, sn.Hits)
			}
		})
	}
}

func TestPoolMeasures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := DefaultScene()
		s.Tasks, s.PoolSize, s.WorkMs, s.LoadMs, s.AcquireTimeoutMs, s.CleanupMs = 8, 2, 100, 20, 250, 0
		script := make([][]Step, s.Tasks)
		for i := range script {
			// Arrivals 10 ms apart, then each task comes back 6 times.
			script[i] = []Step{{Think: time.Duration(i) * 10 * time.Millisecond, Op: OpPool, Key: -1}}
			for range 6 {
				script[i] = append(script[i], Step{Think: 150 * time.Millisecond, Op: OpPool, Key: -1})
			}
		}
		e, m := runScript(t, s, Extras{Script: script, BreakEvery: 7})
		sn := e.Snapshot()
		if m.PoolMaxWaiting < 3 || sn.PoolTimeouts == 0 || m.PoolBroken == 0 || m.PoolDestroyed < m.PoolBroken ||
			m.PoolConstructed <= s.PoolSize || m.PoolGrantsAfterWait == 0 {
			t.Errorf("measures %+v, timeouts %d: want a line, timeouts, broken connections destroyed and replaced", m, sn.PoolTimeouts)
		}
		if m.OutOfOrderGrants != 0 {
			t.Errorf("%d grants out of order of arrival, want 0", m.OutOfOrderGrants)
		}
	})
}

func TestExpiredStoredAndSweepLock(t *testing.T) {
	run := func(cleanupMs float64) Measures {
		var m Measures
		synctest.Test(t, func(t *testing.T) {
			s := DefaultScene()
			s.Tasks, s.Keys, s.WorkMs, s.TTLMs, s.CleanupMs = 2, 20, 0, 500, cleanupMs
			script := make([][]Step, 2)
			for i := range script {
				for k := range 10 {
					script[i] = append(script[i], Step{Think: 100 * time.Millisecond, Op: OpSet, Key: i*10 + k})
				}
				script[i] = append(script[i], Step{Think: 5 * time.Second, Op: OpGet, Key: i * 10})
			}
			_, m = runScript(t, s, Extras{Script: script})
		})
		return m
	}
	short, long := run(200), run(10000)
	if long.MaxExpiredStored != 20 || short.MaxExpiredStored >= 10 {
		t.Errorf("most expired entries stored: %d with a 10 s sweep (want all 20), %d with a 200 ms one (want a few)", long.MaxExpiredStored, short.MaxExpiredStored)
	}
	if short.SweepLockMs < 0 || long.SweepLockMs != 0 {
		t.Errorf("sweep lock time %v (short), %v (long: no sweep ran, want 0)", short.SweepLockMs, long.SweepLockMs)
	}
}

func TestSpinWorkRuns(t *testing.T) {
	s := DefaultScene()
	s.Tasks, s.WorkMs, s.Locking, s.Speed = 3, 2, LockingRWMutex, 10
	script := make([][]Step, 3)
	for i := range script {
		script[i] = []Step{{Op: OpGet, Key: 1}, {Op: OpGet, Key: 2}}
	}
	e, _ := runScript(t, s, Extras{Script: script, Spin: true})
	if sn := e.Snapshot(); sn.Ops != 6 || sn.LockHoldMeanMs <= 0 {
		t.Errorf("ops %d, lock held %v ms: want 6 ops that held the lock", sn.Ops, sn.LockHoldMeanMs)
	}
}

func TestExtrasValidate(t *testing.T) {
	s := DefaultScene()
	for _, x := range []Extras{
		{Script: make([][]Step, s.Tasks+1)},
		{Script: [][]Step{{{Op: OpNone}}}},
		{Script: [][]Step{{{Op: OpGet, Key: s.Keys}}}},
		{Between: -1},
	} {
		if _, err := NewWith(s, x); err == nil {
			t.Errorf("NewWith accepted %+v", x)
		}
	}
}
