package pool_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gosharedstate/playground/cache/pool"
)

func TestNewInvalidConfig(t *testing.T) {
	ctor := func(context.Context) (int, error) { return 0, nil }
	hc := func(context.Context, int) error { return nil }
	for name, cfg := range map[string]pool.Config[int]{
		"no constructor":       {MaxSize: 1},
		"zero MaxSize":         {Constructor: ctor},
		"negative MaxSize":     {Constructor: ctor, MaxSize: -1},
		"MinIdle over MaxSize": {Constructor: ctor, MaxSize: 1, MinIdle: 2},
		"negative MinIdle":     {Constructor: ctor, MaxSize: 1, MinIdle: -1},
		"negative IdleTimeout": {Constructor: ctor, MaxSize: 1, IdleTimeout: -1},
		"negative MaxLifetime": {Constructor: ctor, MaxSize: 1, MaxLifetime: -1},
		"negative HC after":    {Constructor: ctor, MaxSize: 1, HealthCheck: hc, HealthCheckAfter: -1},
		"HC after without HC":  {Constructor: ctor, MaxSize: 1, HealthCheckAfter: time.Second},
	} {
		if p, err := pool.New(cfg); err == nil {
			p.Close()
			t.Errorf("%s: New returned no error", name)
		} else if !strings.HasPrefix(err.Error(), "pool: ") {
			t.Errorf("%s: error %q does not start with \"pool: \"", name, err)
		}
	}
}

func TestLazyReuseLIFO(t *testing.T) {
	tr := newTracker(t, 3)
	p := mustNew(t, tr.config(3))
	if n := tr.next.Load(); n != 0 {
		t.Fatalf("New constructed %d resources", n)
	}
	r1, r2, r3 := mustAcquire(t, p), mustAcquire(t, p), mustAcquire(t, p)
	if ids := []uint64{r1.ID(), r2.ID(), r3.ID()}; !slices.Equal(ids, []uint64{1, 2, 3}) {
		t.Errorf("IDs %v, want 1 2 3", ids)
	}
	r1.Release()
	r2.Release()
	r3.Release()
	r := mustAcquire(t, p)
	if r.ID() != 3 || r.Value().n != 3 {
		t.Errorf("got resource %d, want the most recently released, 3", r.ID())
	}
	r.Release()
	for range 10 {
		mustAcquire(t, p).Release()
	}
	if n := tr.next.Load(); n != 3 {
		t.Errorf("%d resources constructed, want 3", n)
	}
	s := p.Stats()
	if s.Total != 3 || s.Idle != 3 || s.InUse != 0 || s.AcquireCount != 14 || s.Created != 3 || s.WaitCount != 0 {
		t.Errorf("Stats %+v", s)
	}
	p.Close()
	tr.check()
	if s := p.Stats(); s.Total != 0 || s.DestroyedWhenClosed != 3 || s.Destroyed != 3 {
		t.Errorf("after Close, Stats %+v", s)
	}
}

// Waiters are served first come, first served, and each learns its place.
func TestFIFO(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 2)
		var positions []string
		cfg := tr.config(2)
		cfg.Hooks = &pool.Hooks{Waiting: func(ctx context.Context, pos int) {
			positions = append(positions, fmt.Sprintf("%s:%d", nameOf(ctx), pos))
		}}
		p := mustNew(t, cfg)
		defer p.Close()
		a, b := mustAcquire(t, p), mustAcquire(t, p)
		order := make(chan string, 10)
		release := make(chan struct{})
		for i := range 6 {
			name := fmt.Sprint("w", i)
			go func() {
				r, err := p.Acquire(withName(name))
				if err != nil {
					t.Error(err)
					return
				}
				order <- name
				<-release
				r.Release()
			}()
			synctest.Wait() // w(i) is in line before w(i+1) arrives
		}
		if want := []string{"w0:1", "w1:2", "w2:3", "w3:4", "w4:5", "w5:6"}; !slices.Equal(positions, want) {
			t.Errorf("positions %v, want %v", positions, want)
		}
		if s := p.Stats(); s.Waiting != 6 || s.WaitCount != 6 {
			t.Errorf("Stats %+v", s)
		}
		var got []string
		a.Release()
		synctest.Wait()
		got = append(got, <-order)
		b.Destroy() // a slot, not a resource: still goes to the next in line
		synctest.Wait()
		got = append(got, <-order)
		for range 4 {
			release <- struct{}{} // one of the holders releases
			synctest.Wait()
			got = append(got, <-order)
		}
		release <- struct{}{}
		release <- struct{}{}
		if want := []string{"w0", "w1", "w2", "w3", "w4", "w5"}; !slices.Equal(got, want) {
			t.Errorf("served %v, want %v", got, want)
		}
		synctest.Wait()
		if s := p.Stats(); s.Waiting != 0 || s.Idle != 2 || s.Created != 3 {
			t.Errorf("Stats %+v", s)
		}
	})
}

func TestCancelWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 1)
		var failed []string
		cfg := tr.config(1)
		cfg.Hooks = &pool.Hooks{AcquireFailed: func(ctx context.Context, err error, waited time.Duration) {
			failed = append(failed, fmt.Sprintf("%s %v %v", nameOf(ctx), err, waited))
		}}
		p := mustNew(t, cfg)
		defer p.Close()
		held := mustAcquire(t, p)

		ctx, cancel := context.WithTimeout(withName("timeout"), 3*time.Second)
		defer cancel()
		if _, err := p.Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Acquire with a timeout: %v", err)
		}
		ctx, cancel = context.WithCancel(withName("cancel"))
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		if _, err := p.Acquire(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Acquire cancelled: %v", err)
		}
		if _, err := p.Acquire(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Acquire with a cancelled context: %v", err)
		}
		want := []string{"timeout context deadline exceeded 3s", "cancel context canceled 1s", "cancel context canceled 0s"}
		if !slices.Equal(failed, want) {
			t.Errorf("AcquireFailed %q, want %q", failed, want)
		}
		s := p.Stats()
		if s.CanceledWaitCount != 2 || s.WaitCount != 2 || s.WaitDuration != 4*time.Second || s.Waiting != 0 {
			t.Errorf("Stats %+v", s)
		}
		// No slot was lost: the resource goes back and is reused.
		held.Release()
		r := mustAcquire(t, p)
		if r.ID() != 1 {
			t.Errorf("got resource %d, want 1", r.ID())
		}
		r.Release()
	})
}

// A waiter that is handed a resource, a slot or the news of Close at the
// moment its context ends either takes it or passes it on; nothing is lost.
func TestCancelRacesGrant(t *testing.T) {
	for _, give := range []string{"release", "destroy", "close"} {
		t.Run(give, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var got, passed int
				for range 100 {
					tr := newTracker(t, 1)
					gate := make(chan struct{})
					cfg := tr.config(1)
					cfg.Hooks = &pool.Hooks{Waiting: func(ctx context.Context, _ int) {
						if nameOf(ctx) == "racer" {
							<-gate
						}
					}}
					p := mustNew(t, cfg)
					held := mustAcquire(t, p)
					ctx, cancel := context.WithCancel(withName("racer"))
					result := make(chan error)
					go func() {
						r, err := p.Acquire(ctx)
						if err == nil {
							r.Release()
						}
						result <- err
					}()
					synctest.Wait() // the racer is in line, in its Waiting hook
					cancel()
					switch give { // to the racer, whose context has ended
					case "release":
						held.Release()
					case "destroy":
						held.Destroy()
					case "close":
						go p.Close() // Close waits until the racer has its news
						synctest.Wait()
					}
					close(gate) // both are ready: its select picks one
					err := <-result
					if err == nil {
						got++
					} else {
						passed++
					}
					synctest.Wait()
					if give == "close" {
						if err != nil && err != context.Canceled && err != pool.ErrClosed {
							t.Fatalf("racer: %v", err)
						}
						held.Release()
					} else {
						r := mustAcquire(t, p)
						r.Release()
						if s := p.Stats(); s.Total != 1 || s.Idle != 1 || s.Waiting != 0 {
							t.Fatalf("Stats %+v", s)
						}
						p.Close()
					}
					tr.check()
					if s := p.Stats(); s.Total != 0 {
						t.Fatalf("after Close: Stats %+v", s)
					}
				}
				t.Logf("racer took it %d times, passed it on %d times", got, passed)
			})
		})
	}
}

func TestConstructorError(t *testing.T) {
	tr := newTracker(t, 1)
	boom := errors.New("boom")
	tr.fail = func(n int64) error {
		if n == 1 {
			return boom
		}
		return nil
	}
	p := mustNew(t, tr.config(1))
	if _, err := p.Acquire(context.Background()); err != boom {
		t.Fatalf("Acquire: %v, want the constructor's error", err)
	}
	if s := p.Stats(); s.Total != 0 || s.ConstructorErrors != 1 || s.Created != 0 {
		t.Errorf("Stats %+v", s)
	}
	r := mustAcquire(t, p) // the slot was freed
	r.Release()
	p.Close()
	tr.check()
}

// A constructor that fails while others wait hands its slot to the first
// waiter, who makes a resource.
func TestConstructorErrorGrantsSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 1)
		tr.block = make(chan struct{})
		tr.fail = func(n int64) error {
			if n == 1 {
				return errors.New("boom")
			}
			return nil
		}
		var acquired []string
		cfg := tr.config(1)
		cfg.Hooks = &pool.Hooks{Acquired: func(ctx context.Context, id uint64, waited time.Duration, created bool) {
			acquired = append(acquired, fmt.Sprintf("%s %d %v %v", nameOf(ctx), id, waited, created))
		}}
		p := mustNew(t, cfg)
		defer p.Close()
		errc := make(chan error)
		go func() {
			_, err := p.Acquire(withName("a"))
			errc <- err
		}()
		synctest.Wait() // a constructs, blocked
		done := make(chan *pool.Resource[*item])
		go func() {
			r, err := p.Acquire(withName("b"))
			if err != nil {
				t.Error(err)
			}
			done <- r
		}()
		synctest.Wait() // b waits
		time.Sleep(time.Second)
		tr.block <- struct{}{} // a's constructor fails
		if err := <-errc; err == nil {
			t.Error("a: no error")
		}
		synctest.Wait()
		tr.block <- struct{}{} // b's constructor succeeds
		r := <-done
		if want := []string{"b 2 1s true"}; !slices.Equal(acquired, want) {
			t.Errorf("Acquired %q, want %q", acquired, want)
		}
		r.Release()
	})
}

func TestDestroyFreesSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 1)
		cfg, destroyed := tr.configLoggingDestroyed(1, false)
		p := mustNew(t, cfg)
		defer p.Close()
		a := mustAcquire(t, p)
		got := make(chan *pool.Resource[*item])
		go func() { got <- mustAcquire(t, p) }()
		synctest.Wait()
		a.Destroy()
		b := <-got
		if b.ID() != 2 || tr.destroyedCount(1) != 1 {
			t.Errorf("after Destroy: got resource %d, resource 1 destroyed %d times", b.ID(), tr.destroyedCount(1))
		}
		if want := []string{"1 broken"}; !slices.Equal(destroyed.list(), want) {
			t.Errorf("Destroyed %q, want %q", destroyed.list(), want)
		}
		if s := p.Stats(); s.DestroyedBroken != 1 || s.Total != 1 {
			t.Errorf("Stats %+v", s)
		}
		b.Release()
	})
}

func TestMisusePanics(t *testing.T) {
	tr := newTracker(t, 1)
	p := mustNew(t, tr.config(1))
	defer p.Close()
	for _, tc := range []struct {
		first, second string
		want          string
	}{
		{"Release", "Release", "pool: Release called on a Resource that was already released"},
		{"Release", "Destroy", "pool: Destroy called on a Resource that was already released"},
		{"Destroy", "Release", "pool: Release called on a Resource that was already destroyed"},
		{"Destroy", "Destroy", "pool: Destroy called on a Resource that was already destroyed"},
		{"Release", "Value", "pool: Value called on a Resource that was already released"},
	} {
		r := mustAcquire(t, p)
		call := func(m string) {
			switch m {
			case "Release":
				r.Release()
			case "Destroy":
				r.Destroy()
			case "Value":
				r.Value()
			}
		}
		call(tc.first)
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.HasPrefix(msg, tc.want) {
					t.Errorf("%s then %s: panic %q, want %q", tc.first, tc.second, msg, tc.want)
				}
			}()
			call(tc.second)
		}()
	}
	// The misuse did not corrupt the pool.
	if s := p.Stats(); s.Total > 1 || s.Idle > 1 || s.InUse != 0 {
		t.Errorf("Stats %+v", s)
	}
	r := mustAcquire(t, p)
	r.Release()
}

func TestClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 3)
		cfg, destroyed := tr.configLoggingDestroyed(3, false)
		p := mustNew(t, cfg)
		a, b, c := mustAcquire(t, p), mustAcquire(t, p), mustAcquire(t, p)
		c.Release() // idle
		a2 := mustAcquire(t, p)
		if a2 != nil && a2.ID() != 3 {
			t.Fatalf("got %d", a2.ID())
		}
		errs := make(chan error, 3)
		for range 3 {
			go func() {
				_, err := p.Acquire(context.Background())
				errs <- err
			}()
		}
		synctest.Wait()
		a2.Release() // goes to a waiter
		synctest.Wait()
		if err := <-errs; err != nil {
			t.Errorf("first waiter: %v", err)
		}
		// The first waiter holds resource 3 without releasing it: a leak the
		// test makes on purpose; Close will not wait for it.
		p.Close()
		for range 2 {
			if err := <-errs; err != pool.ErrClosed {
				t.Errorf("waiter after Close: %v", err)
			}
		}
		if _, err := p.Acquire(context.Background()); err != pool.ErrClosed {
			t.Errorf("Acquire after Close: %v", err)
		}
		p.Close() // idempotent
		a.Release()
		b.Destroy()
		if want := []string{"1 closed", "2 broken"}; !slices.Equal(destroyed.list(), want) {
			t.Errorf("Destroyed %q, want %q", destroyed.list(), want)
		}
		if s := p.Stats(); s.Total != 1 || s.InUse != 1 {
			t.Errorf("Stats %+v", s)
		}
	})
}

func TestCloseDestroysIdleAndInUse(t *testing.T) {
	tr := newTracker(t, 4)
	p := mustNew(t, tr.config(4))
	rs := []*pool.Resource[*item]{mustAcquire(t, p), mustAcquire(t, p), mustAcquire(t, p), mustAcquire(t, p)}
	rs[0].Release()
	rs[1].Release()
	p.Close()
	if tr.destroyedCount(1) != 1 || tr.destroyedCount(2) != 1 || tr.destroyedCount(3) != 0 {
		t.Error("Close did not destroy exactly the idle resources")
	}
	rs[2].Release()
	rs[3].Destroy()
	tr.check()
	s := p.Stats()
	if s.Total != 0 || s.DestroyedWhenClosed != 3 || s.DestroyedBroken != 1 {
		t.Errorf("Stats %+v", s)
	}
}

func TestCloseWhileConstructing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 1)
		tr.block = make(chan struct{})
		p := mustNew(t, tr.config(1))
		errc := make(chan error)
		go func() {
			_, err := p.Acquire(context.Background())
			errc <- err
		}()
		synctest.Wait()
		p.Close()
		tr.block <- struct{}{} // the constructor succeeds after Close
		if err := <-errc; err != pool.ErrClosed {
			t.Errorf("Acquire: %v, want ErrClosed", err)
		}
		tr.check()
		if s := p.Stats(); s.Total != 0 || s.DestroyedWhenClosed != 1 {
			t.Errorf("Stats %+v", s)
		}
	})
}

func TestIdleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 2)
		cfg, destroyed := tr.configLoggingDestroyed(2, true)
		cfg.IdleTimeout = 10 * time.Second
		p := mustNew(t, cfg)
		defer p.Close()
		a, b := mustAcquire(t, p), mustAcquire(t, p)
		a.Release()
		time.Sleep(5 * time.Second)
		b.Release()
		r := mustAcquire(t, p) // resource 2, idle for 0s
		time.Sleep(2 * time.Second)
		r.Release() // idle from 7s
		time.Sleep(time.Minute)
		want := []string{"1 idle timeout at 10s", "2 idle timeout at 17s"}
		if !slices.Equal(destroyed.list(), want) {
			t.Errorf("Destroyed %q, want %q", destroyed.list(), want)
		}
		if s := p.Stats(); s.Total != 0 || s.DestroyedIdle != 2 {
			t.Errorf("Stats %+v", s)
		}
		// The pool still works.
		r = mustAcquire(t, p)
		if r.ID() != 3 {
			t.Errorf("got %d, want a new resource 3", r.ID())
		}
		r.Release()
	})
}

func TestMaxLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 2)
		cfg, destroyed := tr.configLoggingDestroyed(2, true)
		cfg.MaxLifetime = time.Minute
		p := mustNew(t, cfg)
		defer p.Close()
		a := mustAcquire(t, p)
		time.Sleep(30 * time.Second)
		b := mustAcquire(t, p)
		b.Release()
		time.Sleep(40 * time.Second)
		a.Release() // 70s old: destroyed, not reused
		if got := mustAcquire(t, p); got.ID() != 2 {
			t.Errorf("got %d, want 2", got.ID())
		} else {
			got.Release()
		}
		time.Sleep(time.Minute)
		want := []string{"1 max lifetime at 1m10s", "2 max lifetime at 1m30s"}
		if !slices.Equal(destroyed.list(), want) {
			t.Errorf("Destroyed %q, want %q", destroyed.list(), want)
		}
		if s := p.Stats(); s.Total != 0 || s.DestroyedLifetime != 2 {
			t.Errorf("Stats %+v", s)
		}
	})
}

// With a clock whose timers never fire, only Acquire's own checks act: it
// never hands out an expired resource, and reuses its slot.
func TestLazyExpiry(t *testing.T) {
	clk := newManualClock()
	tr := newTracker(t, 1)
	cfg := tr.config(1)
	cfg.Clock = clk
	cfg.IdleTimeout = time.Minute
	cfg.MaxLifetime = time.Hour
	p := mustNew(t, cfg)
	defer p.Close()
	r := mustAcquire(t, p)
	if !r.CreatedAt().Equal(clk.Now()) {
		t.Errorf("CreatedAt %v, want %v", r.CreatedAt(), clk.Now())
	}
	r.Release()
	clk.Advance(59 * time.Second)
	r = mustAcquire(t, p)
	if r.ID() != 1 {
		t.Errorf("at 59s idle: got %d, want 1", r.ID())
	}
	r.Release()
	clk.Advance(time.Minute)
	r = mustAcquire(t, p)
	if r.ID() != 2 || tr.destroyedCount(1) != 1 {
		t.Errorf("after a minute idle: got %d, want a new resource 2", r.ID())
	}
	for range 59 {
		clk.Advance(59 * time.Second)
		r.Release()
		r = mustAcquire(t, p)
	}
	if r.ID() != 2 {
		t.Errorf("got %d before MaxLifetime", r.ID())
	}
	clk.Advance(2 * time.Minute) // past its hour
	r.Release()                  // destroyed at Release
	if tr.destroyedCount(2) != 1 {
		t.Error("Release did not destroy a resource past MaxLifetime")
	}
	s := p.Stats()
	if s.DestroyedIdle != 1 || s.DestroyedLifetime != 1 || s.Total != 0 {
		t.Errorf("Stats %+v", s)
	}
}

// A paused clock pauses the timeouts: real (here, bubble) time passes,
// nothing expires.
func TestPausedClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newManualClock()
		tr := newTracker(t, 1)
		cfg := tr.config(1)
		cfg.Clock = clk
		cfg.IdleTimeout = time.Second
		p := mustNew(t, cfg)
		defer p.Close()
		mustAcquire(t, p).Release()
		time.Sleep(time.Hour)
		if s := p.Stats(); s.Idle != 1 || s.Destroyed != 0 {
			t.Errorf("Stats %+v", s)
		}
	})
}

func TestHealthCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 2)
		var checked []int64
		sick := map[int64]bool{}
		cfg := tr.config(2)
		cfg.HealthCheckAfter = time.Second
		cfg.HealthCheck = func(ctx context.Context, it *item) error {
			checked = append(checked, it.n)
			if sick[it.n] {
				return errors.New("sick")
			}
			return nil
		}
		p := mustNew(t, cfg)
		defer p.Close()
		a, b := mustAcquire(t, p), mustAcquire(t, p)
		a.Release()
		b.Release()
		r := mustAcquire(t, p) // 2, idle 0s: not checked
		r.Release()
		if len(checked) != 0 {
			t.Errorf("checked %v, want none", checked)
		}
		time.Sleep(time.Second)
		sick[2] = true
		r = mustAcquire(t, p) // 2 is sick: destroyed; 1 is fine
		if r.ID() != 1 || !slices.Equal(checked, []int64{2, 1}) {
			t.Errorf("got %d after checking %v, want 1 after 2 1", r.ID(), checked)
		}
		r.Release()
		time.Sleep(time.Second)
		sick[1] = true
		r = mustAcquire(t, p) // 1 is sick: destroyed; none idle: a new one, 3
		if r.ID() != 3 {
			t.Errorf("got %d, want a new 3", r.ID())
		}
		r.Release()
		if s := p.Stats(); s.DestroyedUnhealthy != 2 || s.Total != 1 {
			t.Errorf("Stats %+v", s)
		}
		if tr.destroyedCount(1) != 1 || tr.destroyedCount(2) != 1 {
			t.Error("unhealthy resources not destroyed")
		}
	})
}

// A health check that fails because the caller's context ended does not
// condemn the resource.
func TestHealthCheckContextEnded(t *testing.T) {
	tr := newTracker(t, 1)
	cfg := tr.config(1)
	ctx, cancel := context.WithCancel(context.Background())
	cfg.HealthCheck = func(hctx context.Context, it *item) error {
		if hctx == ctx {
			cancel() // the caller gives up during the check
		}
		return hctx.Err()
	}
	p := mustNew(t, cfg)
	defer p.Close()
	mustAcquire(t, p).Release()
	if _, err := p.Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire: %v", err)
	}
	if s := p.Stats(); s.Idle != 1 || s.Destroyed != 0 {
		t.Errorf("Stats %+v", s)
	}
	r := mustAcquire(t, p)
	if r.ID() != 1 {
		t.Errorf("got %d, want 1", r.ID())
	}
	r.Release()
}

func TestMinIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 3)
		var failing atomic.Bool
		tr.fail = func(int64) error {
			if failing.Load() {
				return errors.New("down")
			}
			return nil
		}
		cfg := tr.config(3)
		cfg.MinIdle = 2
		p := mustNew(t, cfg)
		defer p.Close()
		synctest.Wait()
		if s := p.Stats(); s.Idle != 2 || s.Total != 2 {
			t.Fatalf("after New: Stats %+v", s)
		}
		a := mustAcquire(t, p)
		if a.ID() != 2 && a.ID() != 1 {
			t.Errorf("got %d", a.ID())
		}
		synctest.Wait()
		if s := p.Stats(); s.Idle != 2 || s.Total != 3 {
			t.Fatalf("after one Acquire: Stats %+v", s)
		}
		b, c := mustAcquire(t, p), mustAcquire(t, p)
		synctest.Wait()
		if s := p.Stats(); s.Idle != 0 || s.Total != 3 {
			t.Fatalf("all in use: Stats %+v", s)
		}
		failing.Store(true)
		b.Destroy()
		synctest.Wait()
		if s := p.Stats(); s.Idle != 0 || s.Total != 2 || s.ConstructorErrors != 1 {
			t.Fatalf("constructor failing: Stats %+v", s)
		}
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		if s := p.Stats(); s.ConstructorErrors != 1 {
			t.Fatalf("retried before a second: Stats %+v", s)
		}
		failing.Store(false)
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		if s := p.Stats(); s.Idle != 1 || s.Total != 3 || s.ConstructorErrors != 1 {
			t.Fatalf("after the retry: Stats %+v", s)
		}
		a.Release()
		c.Release()
	})
}

func TestHooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 1)
		var ev events
		cfg := tr.config(1)
		cfg.Hooks = &pool.Hooks{
			AcquireStart: func(ctx context.Context) { ev.add("start " + nameOf(ctx)) },
			Waiting:      func(ctx context.Context, pos int) { ev.add(fmt.Sprint("waiting ", nameOf(ctx), " ", pos)) },
			Constructing: func(ctx context.Context, id uint64) { ev.add(fmt.Sprint("constructing ", nameOf(ctx), " ", id)) },
			Acquired: func(ctx context.Context, id uint64, waited time.Duration, created bool) {
				ev.add(fmt.Sprint("acquired ", nameOf(ctx), " ", id, " ", waited, " ", created))
			},
			AcquireFailed: func(ctx context.Context, err error, waited time.Duration) {
				ev.add(fmt.Sprint("failed ", nameOf(ctx), " ", err, " ", waited))
			},
			Released:  func(id uint64, held time.Duration) { ev.add(fmt.Sprint("released ", id, " ", held)) },
			Destroyed: func(id uint64, reason pool.DestroyReason) { ev.add(fmt.Sprint("destroyed ", id, " ", reason)) },
		}
		p := mustNew(t, cfg)
		a, err := p.Acquire(withName("a"))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			b, err := p.Acquire(withName("b"))
			if err != nil {
				t.Error(err)
				return
			}
			time.Sleep(time.Second)
			b.Destroy()
		}()
		synctest.Wait()
		time.Sleep(2 * time.Second)
		a.Release()
		<-done
		ctx, cancel := context.WithCancel(withName("c"))
		cancel()
		p.Acquire(ctx)
		p.Close()
		want := []string{
			"start a", "constructing a 1", "acquired a 1 0s true",
			"start b", "waiting b 1",
			"released 1 2s", "acquired b 1 2s false",
			"released 1 1s", "destroyed 1 broken",
			"start c", "failed c context canceled 0s",
		}
		if got := ev.list(); !slices.Equal(got, want) {
			t.Errorf("events\n%q\nwant\n%q", got, want)
		}
	})
}

func TestDestroyReasonString(t *testing.T) {
	for r, want := range map[pool.DestroyReason]string{
		pool.Broken: "broken", pool.IdleTimeout: "idle timeout", pool.MaxLifetime: "max lifetime",
		pool.Unhealthy: "unhealthy", pool.Closed: "closed", 0: "DestroyReason(0)", 99: "DestroyReason(99)",
	} {
		if got := r.String(); got != want {
			t.Errorf("%d: %q, want %q", int(r), got, want)
		}
	}
}

// The Constructor gets the caller's context: when it ends, a constructor
// that honours it fails, and the slot is freed.
func TestConstructorGetsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 1)
		tr.block = make(chan struct{}) // never fed: only ctx ends the wait
		p := mustNew(t, tr.config(1))
		defer p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := p.Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Acquire: %v", err)
		}
		if s := p.Stats(); s.Total != 0 || s.ConstructorErrors != 1 || s.Constructing != 0 {
			t.Errorf("Stats %+v", s)
		}
	})
}

// Close turns away more waiters than the pool has slots, while resources
// are given back at the same time: at most two waiters (one resource, one
// slot given back) are served.
func TestCloseManyWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := newTracker(t, 2)
		p := mustNew(t, tr.config(2))
		a, b := mustAcquire(t, p), mustAcquire(t, p)
		errs := make(chan error, 50)
		held := make(chan *pool.Resource[*item], 50)
		for range 50 {
			go func() {
				r, err := p.Acquire(context.Background())
				if err == nil {
					// Held until after Close: a waiter that released it
					// would serve the next, and the line could drain
					// before Close begins.
					held <- r
				}
				errs <- err
			}()
		}
		synctest.Wait()
		if s := p.Stats(); s.Waiting != 50 {
			t.Fatalf("Stats %+v", s)
		}
		go a.Release()
		go b.Destroy()
		p.Close()
		closed := 0
		for range 50 {
			if err := <-errs; err == pool.ErrClosed {
				closed++
			} else if err != nil {
				t.Errorf("waiter: %v", err)
			}
		}
		close(held)
		for r := range held {
			r.Release()
		}
		synctest.Wait()
		if closed < 48 {
			t.Errorf("%d waiters got ErrClosed, want at least 48", closed)
		}
		tr.check()
		if s := p.Stats(); s.Total != 0 || s.Waiting != 0 {
			t.Errorf("Stats %+v", s)
		}
	})
}
