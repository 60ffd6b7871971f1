package pool_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosharedstate/playground/cache/pool"
)

var (
	errChaos      = errors.New("constructor failed at random")
	errChaosPanic = errors.New("user code panicked at random")
)

// onJanitor reports whether the caller runs on the pool's background
// goroutine: a panic there has no caller to reach and ends the program
// (as Config documents), so the chaos makes none there.
func onJanitor() bool {
	buf := make([]byte, 64<<10)
	return strings.Contains(string(buf[:runtime.Stack(buf, false)]), "cache/pool/janitor.go:")
}

// recovers runs f and reports whether it panicked with errChaosPanic; any
// other panic goes on.
func recovers(f func()) (panicked bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != errChaosPanic {
				panic(v)
			}
			panicked = true
		}
	}()
	f()
	return false
}

// TestChaos: many goroutines acquire, hold for random times, release or
// destroy at random, cancel their contexts at random, while the constructor
// and the health check fail at random, resources time out, and the
// Constructor, Destructor, HealthCheck and every hook panic at random
// (but on the background goroutine, where a panic would end the test);
// sometimes the pool is closed under their feet. At the end every
// resource constructed has been destroyed exactly once, none was ever held
// by two goroutines at once or destroyed while held, MaxSize was never
// crossed (the tracker checks all three as it goes), every Acquired hook
// that returned was matched by one Released, no slot was lost (Total is 0
// after Close), and no goroutine is left.
//
// Run it many times: go test -race -count=20 -run Chaos ./cache/pool/
func TestChaos(t *testing.T) {
	const (
		maxSize = 5
		workers = 40
		iters   = 150
	)
	tr := newTracker(t, maxSize)
	tr.fail = func(int64) error {
		if rand.IntN(5) == 0 {
			return errChaos
		}
		return nil
	}
	var (
		mu         sync.Mutex
		lent       = map[uint64]bool{} // resource id -> lent out now
		destroyed  = map[uint64]int{}
		violations []string
	)
	violate := func(s string) {
		violations = append(violations, s)
	}
	var panics atomic.Int64
	chaosPanic := func() {
		if rand.IntN(40) == 0 && !onJanitor() {
			panics.Add(1)
			panic(errChaosPanic)
		}
	}
	cfg := tr.config(maxSize)
	cfg.Constructor = func(ctx context.Context) (*item, error) {
		chaosPanic()
		return tr.ctor(ctx)
	}
	cfg.Destructor = func(it *item) {
		tr.dtor(it) // destroyed, whatever happens next
		chaosPanic()
	}
	cfg.MinIdle = 1
	cfg.IdleTimeout = 200 * time.Microsecond
	cfg.MaxLifetime = 3 * time.Millisecond
	cfg.HealthCheck = func(ctx context.Context, it *item) error {
		if it.holders.Load() != 0 {
			return errors.New("health-checking a resource someone holds")
		}
		if rand.IntN(20) == 0 {
			return errors.New("unhealthy at random")
		}
		chaosPanic()
		return nil
	}
	cfg.Hooks = &pool.Hooks{
		AcquireStart:  func(context.Context) { chaosPanic() },
		Waiting:       func(context.Context, int) { chaosPanic() },
		Constructing:  func(context.Context, uint64) { chaosPanic() },
		AcquireFailed: func(context.Context, error, time.Duration) { chaosPanic() },
		Acquired: func(_ context.Context, id uint64, _ time.Duration, _ bool) {
			chaosPanic() // before the record: the loan never began
			mu.Lock()
			if lent[id] {
				violate("resource lent twice")
			}
			lent[id] = true
			mu.Unlock()
		},
		Released: func(id uint64, _ time.Duration) {
			mu.Lock()
			if !lent[id] {
				violate("Released without Acquired")
			}
			lent[id] = false
			mu.Unlock()
			chaosPanic()
		},
		Destroyed: func(id uint64, _ pool.DestroyReason) {
			mu.Lock()
			if lent[id] {
				violate("destroyed while lent")
			}
			destroyed[id]++
			mu.Unlock()
			chaosPanic()
		},
	}
	p := mustNew(t, cfg)

	closeEarly := rand.IntN(3) == 0
	var wg sync.WaitGroup
	var succeeded, canceled, ctorFailed, closedErrs atomic.Int64
	for range workers {
		wg.Go(func() {
			for range iters {
				ctx, cancel := context.WithCancel(context.Background())
				switch rand.IntN(3) {
				case 0:
					time.AfterFunc(time.Duration(rand.IntN(1000))*time.Microsecond, cancel)
				case 1:
					ctx, cancel = context.WithTimeout(ctx, time.Duration(rand.IntN(2000))*time.Microsecond)
				}
				var r *pool.Resource[*item]
				var err error
				if recovers(func() { r, err = p.Acquire(ctx) }) {
					cancel()
					continue
				}
				switch {
				case err == nil:
				case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
					canceled.Add(1)
				case errors.Is(err, errChaos):
					ctorFailed.Add(1)
				case errors.Is(err, pool.ErrClosed):
					closedErrs.Add(1)
					cancel()
					return
				default:
					t.Errorf("Acquire: unexpected error %v", err)
				}
				if err != nil {
					cancel()
					continue
				}
				succeeded.Add(1)
				it := r.Value()
				if h := it.holders.Add(1); h != 1 {
					t.Errorf("resource %d held by %d goroutines at once", r.ID(), h)
				}
				if n := rand.IntN(10); n < 7 {
					for range n {
						runtime.Gosched()
					}
				} else {
					time.Sleep(time.Duration(rand.IntN(50)) * time.Microsecond)
				}
				it.holders.Add(-1)
				if rand.IntN(6) == 0 {
					recovers(r.Destroy)
				} else {
					recovers(r.Release)
				}
				cancel()
			}
		})
	}
	stop := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if s := p.Stats(); s.Total > maxSize || s.Idle > s.Total {
				t.Errorf("Stats out of bounds: %+v", s)
			}
			if closeEarly && succeeded.Load() > workers*iters/4 {
				recovers(p.Close)
			}
			time.Sleep(50 * time.Microsecond)
		}
	})
	wg.Wait()
	close(stop)
	watcher.Wait()
	recovers(p.Close)

	tr.check()
	s := p.Stats()
	mu.Lock()
	for _, v := range violations {
		t.Error(v)
	}
	for id, n := range destroyed {
		if n != 1 {
			t.Errorf("Destroyed hook ran %d times for resource %d", n, id)
		}
	}
	if int64(len(destroyed)) != s.Created || s.Destroyed != s.Created {
		t.Errorf("%d resources destroyed (hook), %d (stats), %d created", len(destroyed), s.Destroyed, s.Created)
	}
	mu.Unlock()
	if s.Total != 0 || s.Idle != 0 || s.InUse != 0 || s.Waiting != 0 || s.Constructing != 0 {
		t.Errorf("after Close: Stats %+v", s)
	}
	if s.AcquireCount != succeeded.Load() {
		t.Errorf("Stats.AcquireCount %d, %d Acquire calls succeeded", s.AcquireCount, succeeded.Load())
	}
	t.Logf("closed early: %v; acquired %d, cancelled %d, constructor failed %d, closed %d, user code panicked %d; stats %+v",
		closeEarly, succeeded.Load(), canceled.Load(), ctorFailed.Load(), closedErrs.Load(), panics.Load(), s)
	if panics.Load() == 0 {
		t.Error("no user code panicked: the chaos tested none of it")
	}
	if tr.maxLive.Load() > maxSize {
		t.Errorf("%d resources alive at once", tr.maxLive.Load())
	}
	waitGoroutines(t)
}

// waitGoroutines fails the test unless every goroutine running code of
// this package or its tests, but the caller, ends soon (timers of
// cancelled contexts may still be ending). It looks at stacks rather than
// runtime.NumGoroutine, which counts the runtime's own goroutines too
// (under js/wasm they come and go).
func waitGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := poolGoroutines()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(time.Millisecond)
	}
}

// poolGoroutines returns the stacks of the goroutines, other than the
// caller's, that run code of package pool or of its tests.
func poolGoroutines() []string {
	buf := make([]byte, 1<<20)
	stacks := strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n")
	var left []string
	for _, s := range stacks[1:] { // the first is the caller's
		if strings.Contains(s, "playground/cache/pool") {
			left = append(left, s)
		}
	}
	return left
}

func TestNoGoroutineLeftAfterClose(t *testing.T) {
	tr := newTracker(t, 4)
	cfg := tr.config(4)
	cfg.IdleTimeout = time.Hour
	cfg.MinIdle = 2
	p := mustNew(t, cfg)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				r, err := p.Acquire(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				r.Release()
			}
		})
	}
	wg.Wait()
	if len(poolGoroutines()) == 0 {
		t.Error("no background goroutine is running")
	}
	p.Close()
	waitGoroutines(t)
	tr.check()
}
