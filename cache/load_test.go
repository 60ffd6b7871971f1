package cache

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestGetOrLoadSharesOneLoad(t *testing.T) {
	for _, l := range lockings {
		t.Run(l.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := New[string, int](WithLocking(l), WithTTL(time.Minute))
				var calls atomic.Int32
				load := func(ctx context.Context, k string) (int, error) {
					calls.Add(1)
					time.Sleep(time.Second)
					return len(k), nil
				}
				var wg sync.WaitGroup
				for range 20 {
					wg.Go(func() {
						v, err := c.GetOrLoad(context.Background(), "four", load)
						if v != 4 || err != nil {
							t.Errorf("GetOrLoad = %v, %v", v, err)
						}
					})
				}
				wg.Wait()
				if n := calls.Load(); n != 1 {
					t.Fatalf("load called %d times, want 1", n)
				}
				// Stored: the next call does not load.
				if v, err := c.GetOrLoad(context.Background(), "four", load); v != 4 || err != nil || calls.Load() != 1 {
					t.Fatalf("second GetOrLoad = %v, %v after %d loads", v, err, calls.Load())
				}
				st := c.Stats()
				if st.Loads != 1 || st.LoadsShared != 19 || st.Sets != 1 {
					t.Fatalf("Stats = %+v", st)
				}
				// It expires like any entry.
				time.Sleep(time.Minute)
				c.GetOrLoad(context.Background(), "four", load)
				if calls.Load() != 2 {
					t.Fatal("an expired loaded entry was not reloaded")
				}
			})
		})
	}
}

func TestGetOrLoadErrorIsSharedNotCached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New[int, int]()
		boom := errors.New("boom")
		var calls atomic.Int32
		load := func(ctx context.Context, k int) (int, error) {
			calls.Add(1)
			time.Sleep(time.Second)
			return 0, boom
		}
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if _, err := c.GetOrLoad(context.Background(), 1, load); err != boom {
					t.Errorf("err = %v, want boom", err)
				}
			})
		}
		wg.Wait()
		if calls.Load() != 1 || c.Len() != 0 {
			t.Fatalf("%d loads, Len %d", calls.Load(), c.Len())
		}
		if _, err := c.GetOrLoad(context.Background(), 1, load); err != boom || calls.Load() != 2 {
			t.Fatal("the error was cached")
		}
		if st := c.Stats(); st.LoadErrors != 2 {
			t.Fatalf("LoadErrors = %d", st.LoadErrors)
		}
	})
}

func TestGetOrLoadPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New[int, int]()
		_, err := c.GetOrLoad(context.Background(), 1, func(context.Context, int) (int, error) { panic("oops") })
		if err == nil || !strings.Contains(err.Error(), "oops") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestGetOrLoadCallerCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New[int, int]()
		var loadCtx context.Context
		load := func(ctx context.Context, k int) (int, error) {
			loadCtx = ctx
			select {
			case <-time.After(time.Second):
				return 42, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		// The first caller (who started the load) gives up after 100ms; the
		// second still gets the value at 1s.
		ctx1, cancel1 := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel1()
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := c.GetOrLoad(ctx1, 1, load); err != context.DeadlineExceeded {
				t.Errorf("first caller err = %v, want DeadlineExceeded", err)
			}
			if d := time.Since(time.Unix(946684800, 0)); d != 100*time.Millisecond {
				t.Errorf("first caller returned after %v", d)
			}
		})
		synctest.Wait()
		wg.Go(func() {
			v, err := c.GetOrLoad(context.Background(), 1, load)
			if v != 42 || err != nil {
				t.Errorf("second caller got %v, %v", v, err)
			}
		})
		wg.Wait()
		if v, ok := c.Get(1); !ok || v != 42 {
			t.Fatal("loaded value not stored")
		}

		// When every caller gives up, the load's context is cancelled and
		// nothing is stored.
		ctx2, cancel2 := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			_, err := c.GetOrLoad(ctx2, 2, load)
			done <- err
		}()
		synctest.Wait()
		cancel2()
		if err := <-done; err != context.Canceled {
			t.Fatalf("err = %v", err)
		}
		synctest.Wait()
		if loadCtx.Err() == nil {
			t.Fatal("load context not cancelled after every caller left")
		}
		if _, ok := c.Get(2); ok {
			t.Fatal("abandoned load stored")
		}
		// A context already done: no load at all.
		if _, err := c.GetOrLoad(ctx2, 3, load); err != context.Canceled {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestGetOrLoadValuesOfContext(t *testing.T) {
	type key struct{}
	c := New[int, string]()
	ctx := context.WithValue(context.Background(), key{}, "v")
	got, _ := c.GetOrLoad(ctx, 1, func(ctx context.Context, k int) (string, error) {
		s, _ := ctx.Value(key{}).(string)
		return s, nil
	})
	if got != "v" {
		t.Fatalf("load did not see the caller's context values: %q", got)
	}
}

func TestGetOrLoadSetDuringLoadWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, op := range []string{"set", "delete"} {
			c := New[int, int]()
			var wg sync.WaitGroup
			wg.Go(func() {
				v, _ := c.GetOrLoad(context.Background(), 1, func(context.Context, int) (int, error) {
					time.Sleep(time.Second)
					return 1, nil
				})
				if v != 1 {
					t.Errorf("caller got %d, want the loaded 1", v)
				}
			})
			synctest.Wait()
			if op == "set" {
				c.Set(1, 2)
			} else {
				c.Delete(1)
			}
			wg.Wait()
			v, ok := c.Get(1)
			if op == "set" && v != 2 || op == "delete" && ok {
				t.Fatalf("%s during the load: then Get = %v, %v", op, v, ok)
			}
		}
	})
}

// A load that panics or calls runtime.Goexit (as t.FailNow does) while
// other callers wait for it: every caller returns a *LoadError naming the
// cause, nothing is stored, the key is free for the next load, and no
// goroutine is left (synctest.Test fails on a goroutine still blocked).
func TestGetOrLoadLoaderPanicsOrExits(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name  string
		die   func()
		check func(t *testing.T, e *LoadError)
	}{
		{"panic", func() { panic(boom) }, func(t *testing.T, e *LoadError) {
			if e.Goexit || e.Value != boom || !errors.Is(e, boom) {
				t.Errorf("LoadError %+v, want the panic's value boom", e)
			}
			// The stack is the panicking load's, not the caller's.
			if !strings.Contains(string(e.Stack), "TestGetOrLoadLoaderPanicsOrExits") || !strings.Contains(e.Error(), "panicked: boom") {
				t.Errorf("the error lacks the panic or its stack:\n%v", e)
			}
		}},
		{"goexit", runtime.Goexit, func(t *testing.T, e *LoadError) {
			if !e.Goexit || e.Value != nil || !strings.Contains(e.Error(), "runtime.Goexit") {
				t.Errorf("LoadError %+v (%v), want Goexit", e, e)
			}
		}},
	} {
		for _, l := range lockings {
			t.Run(tc.name+"/"+l.String(), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					var r recorder
					var c *Cache[int, int]
					h := tracingHooks(&r, &c, t) // minus the checks of who holds the lock: callers run at once
					h.LockAcquired, h.LockReleased = nil, nil
					c = New[int, int](WithLocking(l), WithHooks(h))
					release := make(chan struct{})
					load := func(context.Context, int) (int, error) {
						<-release
						tc.die()
						return 1, nil
					}
					const callers = 5
					errs := make(chan error, callers)
					for range callers {
						go func() {
							_, err := c.GetOrLoad(context.Background(), 7, load)
							errs <- err
						}()
					}
					synctest.Wait() // all five wait for the one load
					if st := c.Stats(); st.Loads != 1 || st.LoadsShared != callers-1 {
						t.Fatalf("Stats %+v before the load ends", st)
					}
					close(release)
					for range callers {
						var e *LoadError
						if err := <-errs; !errors.As(err, &e) || e.Key != 7 {
							t.Fatalf("err = %v, want a *LoadError for key 7", err)
						}
						tc.check(t, e)
					}
					if _, ok := c.Get(7); ok {
						t.Fatal("a failed load stored a value")
					}
					v, err := c.GetOrLoad(context.Background(), 7, func(context.Context, int) (int, error) { return 8, nil })
					if v != 8 || err != nil {
						t.Fatalf("the next load got %v, %v: the key is still held", v, err)
					}
					if st := c.Stats(); st.Loads != 2 || st.LoadErrors != 1 || st.Sets != 1 {
						t.Fatalf("Stats %+v", st)
					}
					synctest.Wait()
				})
			})
		}
	}
}
