package pool

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// A Pool that becomes unreachable without Close does not stay alive
// because of its background goroutine: the goroutine sees it is gone,
// closes the pool (destroying the idle resources) and returns.
func TestUnreachablePoolStopsJanitor(t *testing.T) {
	var destroyed atomic.Int32
	p, err := New(Config[*int]{
		Constructor: func(context.Context) (*int, error) { return new(int), nil },
		Destructor:  func(*int) { destroyed.Add(1) },
		MaxSize:     2,
		IdleTimeout: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := p.Acquire(context.Background())
	r2, _ := p.Acquire(context.Background())
	r1.Release()
	done := p.p.done
	p = nil
	deadline := time.Now().Add(10 * time.Second)
	for gone := false; !gone; {
		runtime.GC()
		select {
		case <-done:
			gone = true
		case <-time.After(10 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("the background goroutine of an unreachable Pool is still running")
			}
		}
	}
	if n := destroyed.Load(); n != 1 {
		t.Errorf("%d resources destroyed, want the idle one", n)
	}
	r2.Release() // the pool is closed: destroyed now
	if n := destroyed.Load(); n != 2 {
		t.Errorf("%d resources destroyed, want 2", n)
	}
}

func TestSpinMutex(t *testing.T) {
	for _, spins := range []int{2000, 0} {
		m := &spinMutex{spins: spins}
		n := 0
		done := make(chan struct{})
		m.Lock() // the goroutines find it locked: they spin, then yield
		for range 4 {
			go func() {
				for range 10000 {
					m.Lock()
					n++
					m.Unlock()
				}
				done <- struct{}{}
			}()
		}
		for range 100 {
			runtime.Gosched()
		}
		m.Unlock()
		for range 4 {
			<-done
		}
		if n != 40000 {
			t.Errorf("n = %d, want 40000", n)
		}
	}
}
