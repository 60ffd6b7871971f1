package cache

import (
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestLockingString(t *testing.T) {
	for _, tc := range []struct {
		l    Locking
		want string
	}{
		{Mutex, "Mutex"}, {RWMutex, "RWMutex"}, {Sharded, "Sharded"}, {Locking(7), "Locking(7)"},
	} {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("%d.String() = %q, want %q", int(tc.l), got, tc.want)
		}
	}
}

func TestOpString(t *testing.T) {
	for _, tc := range []struct {
		op   Op
		want string
	}{
		{OpGet, "get"}, {OpSet, "set"}, {OpDelete, "delete"}, {OpSweep, "sweep"}, {OpLen, "len"}, {OpUpdate, "update"}, {Op(0), "op(0)"}, {Op(42), "op(42)"},
	} {
		if got := tc.op.String(); got != tc.want {
			t.Errorf("Op(%d).String() = %q, want %q", tc.op, got, tc.want)
		}
	}
}

func TestBasic(t *testing.T) {
	for _, l := range lockings {
		t.Run(l.String(), func(t *testing.T) {
			c := New[string, int](WithLocking(l))
			defer c.Close()
			if _, ok := c.Get("a"); ok {
				t.Fatal("Get on an empty cache found something")
			}
			for i := range 100 {
				c.Set(fmt.Sprint(i), i)
			}
			if n := c.Len(); n != 100 {
				t.Fatalf("Len = %d, want 100", n)
			}
			for i := range 100 {
				if v, ok := c.Get(fmt.Sprint(i)); !ok || v != i {
					t.Fatalf("Get(%d) = %d, %v", i, v, ok)
				}
			}
			c.Set("7", 70)
			if v, _ := c.Get("7"); v != 70 {
				t.Fatalf("after overwrite Get = %d, want 70", v)
			}
			c.Delete("7")
			c.Delete("nope")
			if _, ok := c.Get("7"); ok {
				t.Fatal("Get after Delete found the entry")
			}
			if n := c.Len(); n != 99 {
				t.Fatalf("Len = %d, want 99", n)
			}
			if n := c.DeleteExpired(); n != 0 {
				t.Fatalf("DeleteExpired = %d without TTLs", n)
			}
			st := c.Stats()
			want := Stats{Hits: 101, Misses: 2, Sets: 101, Deletes: 1, Sweeps: 1, Entries: 99}
			if st != want {
				t.Fatalf("Stats = %+v\nwant    %+v", st, want)
			}
		})
	}
}

func TestTTL(t *testing.T) {
	type step struct {
		wait    time.Duration
		key     string
		wantOK  bool
		wantLen int
	}
	for _, l := range lockings {
		t.Run(l.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var misses []string
				h := &Hooks{Miss: func(k any, expired bool) { misses = append(misses, fmt.Sprint(k, " ", expired)) }}
				c := New[string, int](WithLocking(l), WithTTL(time.Second), WithHooks(h))
				c.Set("default", 1)                     // 1s
				c.SetWithTTL("zero", 2, 0)              // the default: 1s
				c.SetWithTTL("long", 3, 3*time.Second)  // 3s
				c.SetWithTTL("never", 4, NoExpiration)  // never
				c.SetWithTTL("negative", 5, -time.Hour) // never
				for i, s := range []step{
					{999 * time.Millisecond, "default", true, 5},
					{0, "zero", true, 5},
					{time.Millisecond, "default", false, 5}, // expired at exactly 1s, not swept
					{0, "zero", false, 5},
					{0, "long", true, 5},
					{2 * time.Second, "long", false, 5},
					{time.Hour, "never", true, 5},
					{0, "negative", true, 5},
				} {
					time.Sleep(s.wait)
					if _, ok := c.Get(s.key); ok != s.wantOK {
						t.Fatalf("step %d: Get(%q) ok = %v, want %v", i, s.key, ok, s.wantOK)
					}
					if n := c.Len(); n != s.wantLen {
						t.Fatalf("step %d: Len = %d, want %d", i, n, s.wantLen)
					}
				}
				if !slices.Contains(misses, "default true") || !slices.Contains(misses, "long true") {
					t.Errorf("Miss hook calls = %v, want expired misses", misses)
				}
				if n := c.DeleteExpired(); n != 3 {
					t.Fatalf("DeleteExpired = %d, want 3", n)
				}
				if n := c.Len(); n != 2 {
					t.Fatalf("Len after sweep = %d, want 2", n)
				}
				// Overwriting an expired entry revives it with a new TTL.
				c.Set("default", 10)
				if v, ok := c.Get("default"); !ok || v != 10 {
					t.Fatalf("Get after re-Set = %d, %v", v, ok)
				}
				st := c.Stats()
				if st.ExpiredMisses != 3 || st.Expired != 3 {
					t.Fatalf("Stats = %+v, want 3 expired misses and 3 expired", st)
				}
			})
		})
	}
}

// An overwrite with a later or earlier expiry, and a delete, must not
// confuse the sweep: it removes exactly the entries whose TTL ran out.
func TestSweepAfterOverwrites(t *testing.T) {
	for _, l := range lockings {
		t.Run(l.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := New[int, int](WithLocking(l), WithTTL(time.Second))
				for i := range 1000 {
					c.Set(i, i)
				}
				for i := 0; i < 1000; i += 10 {
					c.SetWithTTL(i, i, time.Hour) // later: survives
				}
				for i := 1; i < 1000; i += 10 {
					c.Delete(i)
				}
				for i := 2; i < 1000; i += 10 {
					c.SetWithTTL(i, i, time.Millisecond) // earlier
				}
				for i := 3; i < 1000; i += 10 {
					c.SetWithTTL(i, i, NoExpiration)
				}
				time.Sleep(500 * time.Millisecond)
				if n := c.DeleteExpired(); n != 100 {
					t.Fatalf("first sweep removed %d, want 100", n)
				}
				time.Sleep(500 * time.Millisecond)
				if n := c.DeleteExpired(); n != 600 {
					t.Fatalf("second sweep removed %d, want 600", n)
				}
				if n := c.Len(); n != 200 {
					t.Fatalf("Len = %d, want 200", n)
				}
				time.Sleep(2 * time.Hour)
				if n := c.DeleteExpired(); n != 100 {
					t.Fatalf("third sweep removed %d, want 100", n)
				}
			})
		})
	}
}

// Many distinct TTLs overflow the per-TTL queues into the heap.
func TestManyTTLs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New[int, int]()
		for i := range 500 {
			c.SetWithTTL(i, i, time.Duration(500-i)*time.Millisecond)
		}
		for ms := 1; ms <= 500; ms++ {
			time.Sleep(time.Millisecond)
			if n := c.DeleteExpired(); n != 1 {
				t.Fatalf("at %d ms the sweep removed %d, want 1", ms, n)
			}
			if _, ok := c.Get(500 - ms); ok {
				t.Fatalf("at %d ms key %d is still there", ms, 500-ms)
			}
		}
	})
}

// Overwriting the same keys again and again without a sweep must not grow
// the expiry index without bound.
func TestExpiryIndexCompaction(t *testing.T) {
	c := New[int, int](WithTTL(time.Hour))
	for range 100 {
		for k := range 100 {
			c.Set(k, k)
		}
	}
	if n := c.c.shards[0].exp.n; n > 2*100+1024+1 {
		t.Fatalf("expiry index holds %d items for 100 entries", n)
	}
	for k := range 100 {
		c.Delete(k)
	}
	for k := range 5000 {
		c.Set(k%10, k)
	}
	if n := c.c.shards[0].exp.n; n > 2*10+1024+1 {
		t.Fatalf("expiry index holds %d items for 10 entries", n)
	}
}

func TestJanitor(t *testing.T) {
	for _, l := range lockings {
		t.Run(l.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var expiredAt []time.Duration
				var sweeps atomic.Int32
				h := &Hooks{
					Expire:   func(any) { expiredAt = append(expiredAt, time.Since(start)) },
					SweepEnd: func(removed, remaining int, took time.Duration) { sweeps.Add(1) },
				}
				const interval = time.Second
				c := New[int, int](WithLocking(l), WithCleanupInterval(interval), WithHooks(h))
				defer c.Close()
				ttls := []time.Duration{300 * time.Millisecond, time.Second, 1500 * time.Millisecond, 2 * time.Second, 4100 * time.Millisecond}
				for i, ttl := range ttls {
					c.SetWithTTL(i, i, ttl)
				}
				c.Set(99, 99) // never expires
				time.Sleep(5 * time.Second)
				synctest.Wait()
				if len(expiredAt) != len(ttls) {
					t.Fatalf("janitor removed %d entries, want %d", len(expiredAt), len(ttls))
				}
				for i, at := range expiredAt {
					if at < ttls[i] || at > ttls[i]+interval {
						t.Errorf("entry %d (TTL %v) removed at %v: not within one interval of its expiry", i, ttls[i], at)
					}
				}
				if got := sweeps.Load(); got != 5 {
					t.Errorf("%d sweeps in 5 intervals, want 5", got)
				}
				if c.Len() != 1 {
					t.Errorf("Len = %d, want 1", c.Len())
				}
			})
		})
	}
}

func TestCloseStopsJanitor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// runtime.NumGoroutine counts the goroutines of the whole process,
		// so the test watches the janitor itself (its done channel).
		c := New[int, int](WithCleanupInterval(time.Second), WithTTL(time.Second))
		c.Set(1, 1)
		j := c.c.jan
		if j == nil || exited(j) {
			t.Fatal("no janitor running")
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.Traced(nil).Close(); err != nil { // idempotent, from any handle
			t.Fatal(err)
		}
		synctest.Wait()
		if !exited(j) {
			t.Fatal("janitor still running after Close")
		}
		// Still usable; no more janitor sweeps.
		time.Sleep(10 * time.Second)
		if c.Len() != 1 {
			t.Fatal("the janitor swept after Close")
		}
		if n := c.DeleteExpired(); n != 1 {
			t.Fatalf("DeleteExpired after Close = %d", n)
		}
		c.Set(2, 2)
		if _, ok := c.Get(2); !ok {
			t.Fatal("cache unusable after Close")
		}
	})
	// No janitor, no goroutine.
	synctest.Test(t, func(t *testing.T) {
		c := New[int, int]()
		if c.c.jan != nil {
			t.Fatal("New without cleanup interval started a janitor")
		}
		c.Close()
	})
}

// exited reports whether the janitor goroutine has ended.
func exited(j *janitor) bool {
	select {
	case <-j.done:
		return true
	default:
		return false
	}
}

func TestUnreachableCacheStopsJanitor(t *testing.T) {
	for _, l := range lockings {
		t.Run(l.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var sweeps atomic.Int32
				h := &Hooks{SweepEnd: func(int, int, time.Duration) { sweeps.Add(1) }}
				// The test keeps the janitor's control block, which does not
				// point to the cache.
				j := func() *janitor {
					c := New[int, []byte](WithLocking(l), WithCleanupInterval(time.Second), WithTTL(time.Minute), WithHooks(h))
					c.Set(1, make([]byte, 1<<20))
					return c.c.jan
				}()
				// (The cache may be collected at any time from here on: the
				// janitor's staying alive while the cache is reachable is
				// TestTracedHandleKeepsCacheAlive's business.)
				for range 10 {
					runtime.GC()
					time.Sleep(time.Second)
					synctest.Wait()
					if exited(j) {
						return
					}
				}
				t.Fatalf("janitor of an unreachable cache still running after 10 GCs and intervals (%d sweeps)", sweeps.Load())
			})
		})
	}
}

// A live Traced handle keeps the cache, and so its janitor, alive.
func TestTracedHandleKeepsCacheAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sweeps atomic.Int32
		h := &Hooks{SweepEnd: func(int, int, time.Duration) { sweeps.Add(1) }}
		tr := func() *Cache[int, int] {
			c := New[int, int](WithCleanupInterval(time.Second), WithTTL(1500*time.Millisecond), WithHooks(h))
			return c.Traced(&Hooks{})
		}()
		j := tr.c.jan
		for i := range 5 {
			runtime.GC()
			tr.Set(i, i)
			time.Sleep(time.Second)
			synctest.Wait()
		}
		if exited(j) || sweeps.Load() != 5 {
			t.Fatalf("janitor stopped while a Traced handle was live (%d sweeps)", sweeps.Load())
		}
		if tr.Len() != 1 {
			t.Fatalf("Len = %d, want 1 (the janitor sweeps every second)", tr.Len())
		}
		runtime.KeepAlive(tr)
		tr = nil
		for range 10 {
			runtime.GC()
			time.Sleep(time.Second)
			synctest.Wait()
			if exited(j) {
				return
			}
		}
		t.Fatal("janitor still running after its last handle became unreachable")
	})
}

func TestMaxEntriesLRU(t *testing.T) {
	for _, l := range []Locking{Mutex, RWMutex} {
		t.Run(l.String(), func(t *testing.T) {
			var evicted []any
			c := New[string, int](WithLocking(l), WithMaxEntries(3), WithHooks(&Hooks{Evict: func(k any) { evicted = append(evicted, k) }}))
			for _, step := range []struct {
				op, key  string
				wantEvic string
			}{
				{"set", "a", ""}, {"set", "b", ""}, {"set", "c", ""},
				{"get", "a", ""},  // order now a c b (b oldest)
				{"set", "d", "b"}, // evicts b
				{"set", "c", ""},  // overwrite: no eviction; order c d a
				{"set", "e", "a"},
				{"get", "nope", ""},
				{"del", "d", ""},
				{"set", "f", ""}, // room again
				{"set", "g", "c"},
			} {
				evicted = nil
				switch step.op {
				case "set":
					c.Set(step.key, 1)
				case "get":
					c.Get(step.key)
				case "del":
					c.Delete(step.key)
				}
				want := []any(nil)
				if step.wantEvic != "" {
					want = []any{step.wantEvic}
				}
				if !slices.Equal(evicted, want) {
					t.Fatalf("after %s %s: evicted %v, want %v", step.op, step.key, evicted, want)
				}
				if c.Len() > 3 {
					t.Fatalf("Len %d over the bound", c.Len())
				}
			}
			if st := c.Stats(); st.Evictions != 3 {
				t.Fatalf("Evictions = %d, want 3", st.Evictions)
			}
		})
	}
}

func TestMaxEntriesSharded(t *testing.T) {
	for _, tc := range []struct{ max, shards int }{{1, 32}, {3, 32}, {100, 8}, {1000, 0}} {
		c := New[int, int](WithLocking(Sharded), WithShards(tc.shards), WithMaxEntries(tc.max))
		for i := range 10 * tc.max {
			c.Set(i, i)
			if n := c.Len(); n > tc.max {
				t.Fatalf("max %d: Len %d over the bound", tc.max, n)
			}
		}
		if _, ok := c.Get(10*tc.max - 1); !ok {
			t.Fatalf("max %d: the last entry stored was evicted", tc.max)
		}
	}
}

func TestExpiredEntriesAndLRU(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New[int, int](WithMaxEntries(2), WithTTL(time.Second))
		c.Set(1, 1)
		c.Set(2, 2)
		time.Sleep(2 * time.Second)
		if n := c.DeleteExpired(); n != 2 {
			t.Fatalf("swept %d, want 2", n)
		}
		c.Set(3, 3)
		c.Set(4, 4)
		c.Set(5, 5)
		if c.Len() != 2 {
			t.Fatalf("Len = %d", c.Len())
		}
		if _, ok := c.Get(3); ok {
			t.Fatal("3 should have been evicted")
		}
	})
}

// Refreshing an entry before it expires (a Set with a later expiry time)
// defers its expiry: the sweep at the old time keeps it, the one at the new
// time removes it.
func TestRefreshDefersExpiry(t *testing.T) {
	for _, l := range lockings {
		t.Run(l.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := New[int, int](WithLocking(l), WithTTL(time.Second))
				for i := range 100 {
					c.Set(i, i)
				}
				time.Sleep(500 * time.Millisecond)
				for i := range 50 {
					c.Set(i, -i) // now expires at 1.5s
				}
				time.Sleep(500 * time.Millisecond)
				if n := c.DeleteExpired(); n != 50 {
					t.Fatalf("sweep at 1s removed %d, want 50", n)
				}
				for i := range 50 {
					if v, ok := c.Get(i); !ok || v != -i {
						t.Fatalf("refreshed entry %d: %v, %v", i, v, ok)
					}
				}
				time.Sleep(499 * time.Millisecond)
				if n := c.DeleteExpired(); n != 0 {
					t.Fatalf("sweep at 1.499s removed %d, want 0", n)
				}
				time.Sleep(time.Millisecond)
				if n := c.DeleteExpired(); n != 50 {
					t.Fatalf("sweep at 1.5s removed %d, want 50", n)
				}
				if c.Len() != 0 {
					t.Fatalf("Len = %d", c.Len())
				}
			})
		})
	}
}
