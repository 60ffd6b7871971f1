package cache

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// panicOf runs f and returns what it panicked with (nil if it returned).
func panicOf(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// lockFree reports whether no shard's lock is held.
func lockFree[K comparable, V any](c *Cache[K, V]) bool {
	for i := range c.c.shards {
		if heldByOther(c, &c.c.shards[i]) {
			return false
		}
	}
	return true
}

// An unhashable key in a cache of interface keys panics as a map would; the
// panic reaches the caller, the lock is released, no counter moves, and the
// cache keeps working.
func TestUnhashableKeyReleasesTheLock(t *testing.T) {
	ops := map[string]func(c *Cache[any, int]){
		"Get":       func(c *Cache[any, int]) { c.Get([]byte("x")) },
		"Set":       func(c *Cache[any, int]) { c.Set([]int{1}, 1) },
		"Delete":    func(c *Cache[any, int]) { c.Delete([]byte("x")) },
		"GetOrLoad": func(c *Cache[any, int]) { c.GetOrLoad(context.Background(), []byte("x"), nil) },
		"Struct": func(c *Cache[any, int]) {
			c.Set(struct{ k any }{map[int]int{}}, 1)
		},
	}
	for _, l := range lockings {
		for _, hooked := range []bool{false, true} {
			for name, op := range ops {
				t.Run(fmt.Sprintf("%v/hooks=%v/%s", l, hooked, name), func(t *testing.T) {
					var h *Hooks
					var acquired, released atomic.Int32
					if hooked {
						h = &Hooks{
							LockAcquired: func(LockInfo, time.Duration) { acquired.Add(1) },
							LockReleased: func(LockInfo, time.Duration) { released.Add(1) },
						}
					}
					c := New[any, int](WithLocking(l), WithMaxEntries(100), WithHooks(h))
					c.Set("a", 1)
					before := c.Stats()
					r := panicOf(func() { op(c) })
					if r == nil || !strings.Contains(fmt.Sprint(r), "unhashable") && !strings.Contains(fmt.Sprint(r), "uncomparable") {
						t.Fatalf("panic = %v, want the runtime's unhashable key panic", r)
					}
					if !lockFree(c) {
						t.Fatal("the lock is still held after the panic")
					}
					if st := c.Stats(); st != before {
						t.Fatalf("Stats moved: %+v, was %+v", st, before)
					}
					if acquired.Load() != released.Load() {
						t.Fatalf("%d LockAcquired, %d LockReleased", acquired.Load(), released.Load())
					}
					c.Set("b", 2)
					if v, ok := c.Get("a"); !ok || v != 1 || c.Len() != 2 {
						t.Fatalf("after the panic: Get = %v, %v; Len %d", v, ok, c.Len())
					}
				})
			}
		}
	}
}

// A LockAcquired hook that panics: the panic reaches the caller, the lock
// is released (and LockReleased reported), and the cache keeps working.
func TestPanickingLockAcquiredReleasesTheLock(t *testing.T) {
	ops := []struct {
		name string
		do   func(c *Cache[int, int]) error
	}{
		{"Get", func(c *Cache[int, int]) error { c.Get(1); return nil }},
		{"Set", func(c *Cache[int, int]) error { c.Set(1, 1); return nil }},
		{"Delete", func(c *Cache[int, int]) error { c.Delete(1); return nil }},
		{"Len", func(c *Cache[int, int]) error { c.Len(); return nil }},
		{"DeleteExpired", func(c *Cache[int, int]) error { c.DeleteExpired(); return nil }},
		{"GetOrLoad", func(c *Cache[int, int]) error {
			_, err := c.GetOrLoad(context.Background(), 2, func(context.Context, int) (int, error) { return 2, nil })
			return err
		}},
	}
	for _, l := range lockings {
		for _, op := range ops {
			t.Run(l.String()+"/"+op.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					var fail atomic.Bool
					var acquired, released atomic.Int32
					h := &Hooks{
						LockAcquired: func(info LockInfo, _ time.Duration) {
							acquired.Add(1)
							if fail.Load() {
								panic("hook failed")
							}
						},
						LockReleased: func(LockInfo, time.Duration) { released.Add(1) },
					}
					c := New[int, int](WithLocking(l), WithHooks(h))
					c.Set(1, 1)
					fail.Store(true)
					r := panicOf(func() {
						if err := op.do(c); err != nil {
							panic(err)
						}
					})
					var le *LoadError
					if err, _ := r.(error); errors.As(err, &le) {
						r = le.Value // the store on the load's goroutine: the callers' error
					}
					if r != "hook failed" {
						t.Fatalf("panic = %v, want the hook's", r)
					}
					synctest.Wait()
					if !lockFree(c) {
						t.Fatal("the lock is still held after the hook panicked")
					}
					if acquired.Load() != released.Load() {
						t.Fatalf("%d LockAcquired, %d LockReleased", acquired.Load(), released.Load())
					}
					fail.Store(false)
					c.Set(3, 3)
					if v, ok := c.Get(3); !ok || v != 3 {
						t.Fatalf("after the panic: Get = %v, %v", v, ok)
					}
					v, err := c.GetOrLoad(context.Background(), 2, func(context.Context, int) (int, error) { return 20, nil })
					if err != nil || v != 2 && v != 20 {
						t.Fatalf("after the panic: GetOrLoad = %v, %v", v, err)
					}
				})
			})
		}
	}
}

// A NaN key is never stored: the bound, the sweeps, the hooks and the
// counters stay true.
func TestNaNKeysAreNeverStored(t *testing.T) {
	nan := math.NaN()
	for _, l := range lockings {
		t.Run(l.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var evicts, sets atomic.Int32
				h := &Hooks{
					Evict: func(any) { evicts.Add(1) },
					Set:   func(any, time.Duration) { sets.Add(1) },
				}
				c := New[float64, int](WithLocking(l), WithShards(1), WithMaxEntries(4), WithTTL(time.Second), WithHooks(h))
				for i := range 100 {
					c.Set(nan, i)
					c.SetWithTTL(float64(i), i, 0)
				}
				if n := c.Len(); n != 4 {
					t.Fatalf("Len = %d, want the bound 4", n)
				}
				if _, ok := c.Get(nan); ok {
					t.Fatal("Get(NaN) found something")
				}
				c.Delete(nan)
				var loads atomic.Int32
				for range 2 {
					v, err := c.GetOrLoad(context.Background(), nan, func(context.Context, float64) (int, error) {
						loads.Add(1)
						return 7, nil
					})
					if v != 7 || err != nil {
						t.Fatalf("GetOrLoad(NaN) = %v, %v", v, err)
					}
				}
				synctest.Wait()
				if loads.Load() != 2 || len(c.c.shards[0].calls) != 0 {
					t.Fatalf("%d loads, %d calls left in flight", loads.Load(), len(c.c.shards[0].calls))
				}
				st := c.Stats()
				if st.Sets != 100 || st.Evictions != 96 || evicts.Load() != 96 || sets.Load() != 100 || st.Entries != 4 || st.Loads != 2 {
					t.Fatalf("Stats %+v, %d Evict and %d Set hooks", st, evicts.Load(), sets.Load())
				}
				time.Sleep(time.Second)
				if n := c.DeleteExpired(); n != 4 || c.Len() != 0 {
					t.Fatalf("DeleteExpired = %d, then Len %d", n, c.Len())
				}
			})
		})
	}
	// A NaN inside the key: a struct, or an interface.
	type pt struct{ x, y float64 }
	cs := New[pt, int](WithMaxEntries(2))
	ca := New[any, int](WithMaxEntries(2))
	for i := range 10 {
		cs.Set(pt{nan, float64(i)}, i)
		ca.Set(nan, i)
		ca.Set(pt{nan, 0}, i)
	}
	if cs.Len() != 0 || ca.Len() != 0 || cs.Stats().Evictions != 0 {
		t.Fatalf("NaN inside keys stored: Len %d and %d", cs.Len(), ca.Len())
	}
}

// A load that calls GetOrLoad for its own key, or for a key whose load
// waits for it, fails that call with ErrLoadCycle instead of waiting for
// itself; the key is then free.
func TestGetOrLoadCycle(t *testing.T) {
	for _, l := range lockings {
		t.Run(l.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := New[string, int](WithLocking(l))
				var self func(ctx context.Context, k string) (int, error)
				self = func(ctx context.Context, k string) (int, error) {
					v, err := c.GetOrLoad(ctx, k, self)
					return v + 1, err
				}
				_, err := c.GetOrLoad(context.Background(), "a", self)
				if !errors.Is(err, ErrLoadCycle) || !strings.Contains(err.Error(), "key a") {
					t.Fatalf("err = %v, want ErrLoadCycle for key a", err)
				}
				// a -> b -> a, with a context made from the load's.
				var ab func(ctx context.Context, k string) (int, error)
				ab = func(ctx context.Context, k string) (int, error) {
					next := map[string]string{"a": "b", "b": "a"}[k]
					ctx, cancel := context.WithTimeout(ctx, time.Hour)
					defer cancel()
					return c.GetOrLoad(ctx, next, ab)
				}
				if _, err := c.GetOrLoad(context.Background(), "a", ab); !errors.Is(err, ErrLoadCycle) {
					t.Fatalf("a -> b -> a: err = %v, want ErrLoadCycle", err)
				}
				// Nested loads of other keys still work, and the keys are free.
				v, err := c.GetOrLoad(context.Background(), "x", func(ctx context.Context, k string) (int, error) {
					return c.GetOrLoad(ctx, "y", func(context.Context, string) (int, error) { return 5, nil })
				})
				if v != 5 || err != nil {
					t.Fatalf("nested load = %v, %v", v, err)
				}
				v, err = c.GetOrLoad(context.Background(), "a", func(context.Context, string) (int, error) { return 1, nil })
				if v != 1 || err != nil {
					t.Fatalf("after the cycle: GetOrLoad(a) = %v, %v", v, err)
				}
			})
		})
	}
}

// With Sharded locking, WithMaxEntries(n) holds n entries.
func TestMaxEntriesShardedHoldsN(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 33, 100, 1000} {
		c := New[int, int](WithLocking(Sharded), WithMaxEntries(n))
		for i := range 30 * n {
			c.Set(i, i)
		}
		if got := c.Len(); got != n {
			t.Errorf("WithMaxEntries(%d): Len %d after %d Sets", n, got, 30*n)
		}
	}
}

// TTLs hold with a clock far past the time New read: 2^62 ns (146 years)
// and more, up to time.Duration's range.
func TestClockFarAfterNew(t *testing.T) {
	for _, after := range []time.Duration{1 << 62, 1<<62 + time.Hour, math.MaxInt64 - 2*time.Hour} {
		clk := newManualClock()
		c := New[int, int](WithClock(clk), WithTTL(time.Minute))
		clk.Advance(after)
		c.Set(1, 1)
		c.SetWithTTL(2, 2, time.Hour)
		c.Set(2, 2) // refreshed with an earlier expiry
		c.SetWithTTL(3, 3, NoExpiration)
		c.Set(4, 4)
		c.SetWithTTL(4, 4, time.Hour) // refreshed with a later expiry: deferred
		if _, ok := c.Get(1); !ok {
			t.Fatalf("%v after New: a fresh entry with a TTL of a minute is expired", after)
		}
		clk.Advance(time.Minute - 1)
		if n := c.DeleteExpired(); n != 0 || c.Len() != 4 {
			t.Fatalf("%v after New: a sweep before the TTL removed %d", after, n)
		}
		clk.Advance(1)
		if _, ok := c.Get(1); ok {
			t.Fatalf("%v after New: the entry outlived its TTL", after)
		}
		if n := c.DeleteExpired(); n != 2 || c.Len() != 2 {
			t.Fatalf("%v after New: the sweep at the TTL removed %d, left %d", after, n, c.Len())
		}
		if _, ok := c.Get(4); !ok {
			t.Fatalf("%v after New: the refreshed entry expired at its first TTL", after)
		}
		clk.Advance(time.Hour)
		if n := c.DeleteExpired(); n != 1 || c.Len() != 1 {
			t.Fatalf("%v after New: the sweep at the refreshed TTL removed %d, left %d", after, n, c.Len())
		}
	}
}

// A hook that panics on the load's goroutine (the store's LockAcquired, or
// the Set hook) would crash the program if left alone: the callers get it
// as a *LoadError, and the key is free.
func TestHookPanicOnTheLoadsGoroutine(t *testing.T) {
	for _, where := range []string{"LockAcquired", "Set"} {
		t.Run(where, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var fail atomic.Bool
				fail.Store(true)
				h := &Hooks{}
				if where == "Set" {
					h.Set = func(any, time.Duration) {
						if fail.Load() {
							panic("set hook")
						}
					}
				} else {
					h.LockAcquired = func(info LockInfo, _ time.Duration) {
						if info.Op == OpSet && fail.Load() {
							panic("lock hook")
						}
					}
				}
				c := New[int, int](WithHooks(h))
				errs := make(chan error, 3)
				for range 3 {
					go func() {
						_, err := c.GetOrLoad(context.Background(), 1, func(context.Context, int) (int, error) {
							time.Sleep(time.Second)
							return 1, nil
						})
						errs <- err
					}()
				}
				for range 3 {
					var le *LoadError
					if err := <-errs; !errors.As(err, &le) || !strings.Contains(fmt.Sprint(le.Value), "hook") || len(le.Stack) == 0 {
						t.Fatalf("err = %v, want the hook's panic as a *LoadError", err)
					}
				}
				fail.Store(false)
				c.Delete(1)
				v, err := c.GetOrLoad(context.Background(), 1, func(context.Context, int) (int, error) { return 2, nil })
				if v != 2 || err != nil || !lockFree(c) {
					t.Fatalf("then GetOrLoad = %v, %v", v, err)
				}
			})
		})
	}
}
