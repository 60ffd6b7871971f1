package pool_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosharedstate/playground/cache"
	"github.com/gosharedstate/playground/cache/pool"
)

// item is a test resource.
type item struct {
	n       int64
	holders atomic.Int32 // goroutines holding it now; more than 1 is a bug
}

// tracker makes and destroys items and checks the pool's promises: never
// more than max alive, each destroyed exactly once.
type tracker struct {
	t       testing.TB
	max     int64
	next    atomic.Int64
	live    atomic.Int64 // constructors running + items not yet destroyed
	maxLive atomic.Int64
	fail    func(n int64) error // nil: never fails
	block   chan struct{}       // if not nil, Constructor waits on it (or ctx)

	mu        sync.Mutex
	made      map[int64]*item
	destroyed map[int64]int
}

func newTracker(t testing.TB, max int) *tracker {
	return &tracker{t: t, max: int64(max), made: map[int64]*item{}, destroyed: map[int64]int{}}
}

func (tr *tracker) ctor(ctx context.Context) (*item, error) {
	l := tr.live.Add(1)
	for {
		m := tr.maxLive.Load()
		if l <= m || tr.maxLive.CompareAndSwap(m, l) {
			break
		}
	}
	if l > tr.max {
		tr.t.Errorf("%d resources alive at once, MaxSize is %d", l, tr.max)
	}
	n := tr.next.Add(1)
	if tr.block != nil {
		select {
		case <-tr.block:
		case <-ctx.Done():
			tr.live.Add(-1)
			return nil, ctx.Err()
		}
	}
	if tr.fail != nil {
		if err := tr.fail(n); err != nil {
			tr.live.Add(-1)
			return nil, err
		}
	}
	it := &item{n: n}
	tr.mu.Lock()
	tr.made[n] = it
	tr.mu.Unlock()
	return it, nil
}

func (tr *tracker) dtor(it *item) {
	if h := it.holders.Load(); h != 0 {
		tr.t.Errorf("item %d destroyed while %d goroutines hold it", it.n, h)
	}
	tr.mu.Lock()
	tr.destroyed[it.n]++
	tr.mu.Unlock()
	tr.live.Add(-1)
}

// check verifies that every item made was destroyed exactly once.
func (tr *tracker) check() {
	tr.t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for n := range tr.made {
		if c := tr.destroyed[n]; c != 1 {
			tr.t.Errorf("item %d destroyed %d times, want 1", n, c)
		}
	}
	for n := range tr.destroyed {
		if tr.made[n] == nil {
			tr.t.Errorf("item %d destroyed but never made", n)
		}
	}
	if l := tr.live.Load(); l != 0 {
		tr.t.Errorf("%d items alive at the end", l)
	}
}

func (tr *tracker) destroyedCount(n int64) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.destroyed[n]
}

func (tr *tracker) config(max int) pool.Config[*item] {
	return pool.Config[*item]{Constructor: tr.ctor, Destructor: tr.dtor, MaxSize: max}
}

// configLoggingDestroyed is config, with a Destroyed hook that logs
// "id reason" and, if timed, " at " and the time since now (in a
// testing/synctest bubble, a time the test sets).
func (tr *tracker) configLoggingDestroyed(max int, timed bool) (pool.Config[*item], *events) {
	ev := new(events)
	start := time.Now()
	cfg := tr.config(max)
	cfg.Hooks = &pool.Hooks{Destroyed: func(id uint64, reason pool.DestroyReason) {
		s := fmt.Sprint(id, " ", reason)
		if timed {
			s += fmt.Sprint(" at ", time.Since(start))
		}
		ev.add(s)
	}}
	return cfg, ev
}

func mustNew[T any](t testing.TB, cfg pool.Config[T]) *pool.Pool[T] {
	t.Helper()
	p, err := pool.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustAcquire[T any](t testing.TB, p *pool.Pool[T]) *pool.Resource[T] {
	t.Helper()
	r, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	return r
}

// manualClock is a cache.Clock that moves only when told, and whose
// timers never fire: the pool's background goroutine never wakes on time,
// so only the lazy checks of Acquire and Release act.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *manualClock) NewTimer(time.Duration) cache.Timer { return stuckTimer{make(chan time.Time)} }

type stuckTimer struct{ c chan time.Time }

func (t stuckTimer) C() <-chan time.Time      { return t.c }
func (t stuckTimer) Stop() bool               { return true }
func (t stuckTimer) Reset(time.Duration) bool { return true }

type ctxKey struct{}

func withName(name string) context.Context {
	return context.WithValue(context.Background(), ctxKey{}, name)
}

func nameOf(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey{}).(string)
	return s
}

// events records hook calls as strings, safely.
type events struct {
	mu sync.Mutex
	l  []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	e.l = append(e.l, s)
	e.mu.Unlock()
}

func (e *events) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.l...)
}
