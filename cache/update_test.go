package cache

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func add(n int) func(old int, found bool) int {
	return func(old int, found bool) int { return old + n }
}

func TestUpdate(t *testing.T) {
	inEachLocking(t, func(t *testing.T, l Locking) {
		var r recorder
		c := tracedCache(t, &r, WithLocking(l), WithTTL(time.Second))
		type seen struct {
			old   int
			found bool
		}
		var got seen
		upd := func(n int) func(int, bool) int {
			return func(old int, found bool) int {
				got = seen{old, found}
				return old + n
			}
		}
		if v := c.Update("a", upd(5)); v != 5 || got != (seen{0, false}) {
			t.Fatalf("Update of a missing key = %d, fn saw %+v", v, got)
		}
		if v := c.Update("a", upd(2)); v != 7 || got != (seen{5, true}) {
			t.Fatalf("Update of a stored key = %d, fn saw %+v", v, got)
		}
		if v, ok := c.Get("a"); v != 7 || !ok {
			t.Fatalf("Get after Update = %d, %v", v, ok)
		}
		// Stored with the default TTL: expired a second after the
		// last Update, and then seen as missing.
		time.Sleep(time.Second)
		if _, ok := c.Get("a"); ok {
			t.Fatal("the updated entry outlived the default TTL")
		}
		if v := c.Update("a", upd(1)); v != 1 || got != (seen{0, false}) {
			t.Fatalf("Update of an expired key = %d, fn saw %+v", v, got)
		}
		if st := c.Stats(); st.Sets != 3 || st.Entries != 1 {
			t.Fatalf("Stats %+v", st)
		}
		// A panicking fn: the panic reaches the caller, the lock is
		// released, nothing is stored.
		r.take()
		if p := panicOf(func() { c.Update("a", func(int, bool) int { panic("fn") }) }); p != "fn" {
			t.Fatalf("panic = %v", p)
		}
		if v, _ := c.Get("a"); v != 1 || !lockFree(c) {
			t.Fatalf("after fn panicked: Get = %d, lock free %v", v, lockFree(c))
		}
		// A NaN key: fn sees nothing, nothing is stored, no event.
		f := New[float64, int](WithLocking(l))
		if v := f.Update(math.NaN(), add(3)); v != 3 || f.Len() != 0 || f.Stats().Sets != 0 {
			t.Fatalf("Update(NaN) = %d, Len %d", v, f.Len())
		}
	})
}

// N goroutines x M Updates of one counter end at exactly N*M in every
// locking, with and without hooks (run with -race).
func TestUpdateNoLostUpdates(t *testing.T) {
	const M = 500
	N := max(8, 4*runtime.GOMAXPROCS(0))
	for _, l := range lockings {
		for _, hooked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/hooks=%v", l, hooked), func(t *testing.T) {
				var sets, locks atomic.Int64
				var h *Hooks
				if hooked {
					h = &Hooks{
						Set:          func(any, time.Duration) { sets.Add(1) },
						LockAcquired: func(info LockInfo, _ time.Duration) { locks.Add(1) },
					}
				}
				c := New[string, int](WithLocking(l), WithHooks(h))
				var wg sync.WaitGroup
				for g := range N {
					wg.Go(func() {
						for i := range M {
							c.Update("n", add(1))
							c.Update(fmt.Sprint(g%4, "/", i%8), add(1)) // other keys, other shards
							c.Get("n")
						}
					})
				}
				wg.Wait()
				if v, _ := c.Get("n"); v != N*M {
					t.Fatalf("counter = %d after %d x %d Updates, want %d", v, N, M, N*M)
				}
				if hooked && sets.Load() != int64(2*N*M) {
					t.Fatalf("%d Set events for %d Updates", sets.Load(), 2*N*M)
				}
			})
		}
	}
}

// Update's events: L(OpUpdate) exclusive with fn run while the lock is
// held, then Set and Evict; and it supersedes a load in flight, as Set does.
func TestUpdateHooksAndLoads(t *testing.T) {
	inEachLocking(t, func(t *testing.T, l Locking) {
		var r recorder
		c := tracedCache(t, &r, WithLocking(l), WithShards(1), WithMaxEntries(1))
		c.Set("a", 1)
		r.take()
		c.Update("b", func(old int, found bool) int {
			if !heldByOther(c, &c.c.shards[0]) {
				t.Error("fn runs without the lock held")
			}
			r.add("fn")
			return 2
		})
		want := []string{"wait update false", "acquired update false", "fn", "released update false", "set b 0s", "evict a"}
		if got := r.take(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("events %q, want %q", got, want)
		}

		var wg sync.WaitGroup
		wg.Go(func() {
			v, _ := c.GetOrLoad(context.Background(), "k", func(context.Context, string) (int, error) {
				time.Sleep(time.Second)
				return 10, nil
			})
			if v != 10 {
				t.Errorf("the load's caller got %d, want its 10", v)
			}
		})
		synctest.Wait()
		c.Update("k", add(5))
		wg.Wait()
		if v, _ := c.Get("k"); v != 5 {
			t.Fatalf("Get = %d: the load was stored over the Update", v)
		}
	})
}
