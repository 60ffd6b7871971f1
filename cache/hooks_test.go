package cache

import (
	"context"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// heldByOther reports whether the shard's lock is held (exclusively, or in
// shared mode for the exclusive lock).
func heldByOther[K comparable, V any](c *Cache[K, V], s *shard[K, V]) bool {
	if c.c.locking == RWMutex {
		if s.rw.TryLock() {
			s.rw.Unlock()
			return false
		}
		return true
	}
	if s.mu.TryLock() {
		s.mu.Unlock()
		return false
	}
	return true
}

// tracingHooks records every event; LockAcquired also checks that the lock
// is held while it runs.
func tracingHooks[K comparable, V any](r *recorder, c **Cache[K, V], t *testing.T) *Hooks {
	return &Hooks{
		Set:    func(k any, ttl time.Duration) { r.add(fmt.Sprintf("set %v %v", k, ttl)) },
		Hit:    func(k any) { r.add(fmt.Sprintf("hit %v", k)) },
		Miss:   func(k any, expired bool) { r.add(fmt.Sprintf("miss %v %v", k, expired)) },
		Delete: func(k any) { r.add(fmt.Sprintf("delete %v", k)) },
		Evict:  func(k any) { r.add(fmt.Sprintf("evict %v", k)) },
		Expire: func(k any) { r.add(fmt.Sprintf("expire %v", k)) },
		SweepStart: func(n int) {
			r.add(fmt.Sprintf("sweepstart %d", n))
		},
		SweepEnd: func(removed, remaining int, took time.Duration) {
			r.add(fmt.Sprintf("sweepend %d %d", removed, remaining))
		},
		LockWait: func(info LockInfo) { r.add(fmt.Sprintf("wait %v %v", info.Op, info.Shared)) },
		LockAcquired: func(info LockInfo, waited time.Duration) {
			if !heldByOther(*c, &(*c).c.shards[info.Shard]) {
				t.Errorf("LockAcquired(%+v) called without the lock held", info)
			}
			r.add(fmt.Sprintf("acquired %v %v", info.Op, info.Shared))
		},
		LockReleased: func(info LockInfo, held time.Duration) {
			if heldByOther(*c, &(*c).c.shards[info.Shard]) {
				t.Errorf("LockReleased(%+v) called with the lock held", info)
			}
			r.add(fmt.Sprintf("released %v %v", info.Op, info.Shared))
		},
	}
}

func TestHooksEvents(t *testing.T) {
	inEachLocking(t, func(t *testing.T, l Locking) {
		var r recorder
		c := tracedCache(t, &r, WithLocking(l), WithShards(1), WithTTL(time.Second))
		sh := l == RWMutex
		lk := func(op string, shared bool) []string {
			return []string{fmt.Sprintf("wait %s %v", op, shared), fmt.Sprintf("acquired %s %v", op, shared), fmt.Sprintf("released %s %v", op, shared)}
		}
		cat := func(parts ...[]string) []string { return slices.Concat(parts...) }
		for i, tc := range []struct {
			do   func()
			want []string
		}{
			{func() { c.Set("a", 1) }, cat(lk("set", false), []string{"set a 1s"})},
			{func() { c.SetWithTTL("b", 2, NoExpiration) }, cat(lk("set", false), []string{"set b 0s"})},
			{func() { c.Update("b", add(1)) }, cat(lk("update", false), []string{"set b 1s"})},
			{func() { c.Get("a") }, cat(lk("get", sh), []string{"hit a"})},
			{func() { c.Get("x") }, cat(lk("get", sh), []string{"miss x false"})},
			{func() { time.Sleep(time.Second); c.Get("a") }, cat(lk("get", sh), []string{"miss a true"})},
			{func() { c.Len() }, lk("len", sh)},
			{func() { c.Delete("b") }, cat(lk("delete", false), []string{"delete b"})},
			{func() { c.Delete("b") }, lk("delete", false)},
			{func() { c.DeleteExpired() }, cat([]string{"sweepstart 1"}, lk("sweep", false), []string{"expire a", "sweepend 1 0"})},
		} {
			tc.do()
			if got := r.take(); !slices.Equal(got, tc.want) {
				t.Fatalf("step %d: events\n%s\nwant\n%s", i, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		}
	})
}

// The table of events in the Hooks doc has a row for every method of Cache
// that reports events, and TestHooksEvents (above) checks each row's
// events; a new method needs both.
func TestHooksDocTableCoversEveryMethod(t *testing.T) {
	src, err := os.ReadFile("hooks.go")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, line := range strings.Split(string(src), "\n") {
		cells, ok := strings.CutPrefix(line, "//\t")
		if !ok || strings.HasPrefix(cells, " ") {
			continue // not a row, or a row's continuation
		}
		first, _, _ := strings.Cut(cells, "  ")
		for name := range strings.SplitSeq(first, ",") {
			rows[strings.TrimSpace(name)] = true
		}
	}
	silent := map[string]bool{"Close": true, "Stats": true, "Traced": true}
	typ := reflect.TypeFor[*Cache[string, int]]()
	for i := range typ.NumMethod() {
		if m := typ.Method(i).Name; !silent[m] && !rows[m] {
			t.Errorf("the Hooks doc's table of events has no row for %s (rows: %v)", m, slices.Sorted(maps.Keys(rows)))
		}
	}
}

func TestHooksEvictAndLoad(t *testing.T) {
	var r recorder
	var c *Cache[string, int]
	h := tracingHooks(&r, &c, t)
	h.LockWait, h.LockAcquired, h.LockReleased = nil, nil, nil
	c = New[string, int](WithMaxEntries(1), WithHooks(h))
	c.Set("a", 1)
	c.Set("b", 2)
	if got, want := r.take(), []string{"set a 0s", "set b 0s", "evict a"}; !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	v, err := c.GetOrLoad(t.Context(), "c", func(ctx context.Context, k string) (int, error) { return 3, nil })
	if v != 3 || err != nil {
		t.Fatalf("GetOrLoad = %v, %v", v, err)
	}
	if got, want := r.take(), []string{"miss c false", "set c 0s", "evict b"}; !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// The playground blocks in LockAcquired to simulate work under the lock: a
// reader blocking there must not block other readers under RWMutex, and
// must block everyone under Mutex. (Only readers block in the hook here,
// because of golang/go#77687: synctest does not see a goroutine waiting for
// a sync.Mutex as durably blocked.)
func TestLockAcquiredCanBlock(t *testing.T) {
	for _, tc := range []struct {
		l    Locking
		want time.Duration
	}{{RWMutex, 100 * time.Millisecond}} {
		synctest.Test(t, func(t *testing.T) {
			h := &Hooks{LockAcquired: func(info LockInfo, _ time.Duration) {
				if info.Op == OpGet {
					time.Sleep(100 * time.Millisecond)
				}
			}}
			c := New[int, int](WithLocking(tc.l), WithHooks(h))
			c.Set(1, 1)
			start := time.Now()
			var wg sync.WaitGroup
			for range 10 {
				wg.Go(func() { c.Get(1) })
			}
			wg.Wait()
			if d := time.Since(start); d != tc.want {
				t.Fatalf("%v: 10 readers holding the lock 100ms each took %v, want %v", tc.l, d, tc.want)
			}
		})
	}
}

func TestTraced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var root, mine recorder
		rootHooks := &Hooks{
			Set:      func(k any, _ time.Duration) { root.add(fmt.Sprint("set ", k)) },
			Hit:      func(k any) { root.add(fmt.Sprint("hit ", k)) },
			SweepEnd: func(n, _ int, _ time.Duration) { root.add(fmt.Sprint("sweep ", n)) },
			LockWait: func(info LockInfo) { root.add("wait " + info.Op.String()) },
		}
		myHooks := &Hooks{
			Set:      func(k any, _ time.Duration) { mine.add(fmt.Sprint("set ", k)) },
			Hit:      func(k any) { mine.add(fmt.Sprint("hit ", k)) },
			SweepEnd: func(n, _ int, _ time.Duration) { mine.add(fmt.Sprint("sweep ", n)) },
			LockWait: func(info LockInfo) { mine.add("wait " + info.Op.String()) },
		}
		c := New[int, int](WithTTL(time.Second), WithCleanupInterval(10*time.Second), WithHooks(rootHooks))
		defer c.Close()
		tr := c.Traced(myHooks)
		tr.Set(1, 1)
		if v, ok := c.Get(1); !ok || v != 1 {
			t.Fatal("an entry set through a Traced handle is not in the cache")
		}
		tr.Get(1)
		if got, want := root.take(), []string{"wait get", "hit 1"}; !slices.Equal(got, want) {
			t.Fatalf("root hooks got %v, want %v", got, want)
		}
		if got, want := mine.take(), []string{"wait set", "set 1", "wait get", "hit 1"}; !slices.Equal(got, want) {
			t.Fatalf("traced hooks got %v, want %v", got, want)
		}
		time.Sleep(10 * time.Second) // the janitor's sweep reports to the root hooks
		synctest.Wait()
		if got, want := root.take(), []string{"wait sweep", "sweep 1"}; !slices.Equal(got, want) {
			t.Fatalf("root hooks got %v, want %v", got, want)
		}
		if got := mine.take(); len(got) != 0 {
			t.Fatalf("traced hooks got janitor events %v", got)
		}
		if tr.Len() != 0 || c.Stats().Expired != 1 {
			t.Fatal("handles do not share entries and stats")
		}
		root.take()
		mine.take()
		// A nil Hooks: no events at all.
		c.Traced(nil).Set(2, 2)
		if len(root.events)+len(mine.events) != 0 {
			t.Fatalf("Traced(nil) reported events %v %v", root.take(), mine.take())
		}
		tr.Close()
		c.Close()
	})
}

// WithClock: TTLs read the given clock and the janitor waits on its timers,
// so a paused clock pauses expiry and sweeps, and advancing it runs them.
func TestWithClock(t *testing.T) {
	clk := newManualClock()
	swept := make(chan int, 10)
	c := New[string, int](WithClock(clk), WithTTL(time.Minute), WithCleanupInterval(time.Minute),
		WithHooks(&Hooks{SweepEnd: func(removed, _ int, _ time.Duration) { swept <- removed }}))
	defer c.Close()
	c.Set("a", 1)
	if _, ok := c.Get("a"); !ok {
		t.Fatal("fresh entry missing")
	}
	clk.Advance(59 * time.Second)
	if _, ok := c.Get("a"); !ok {
		t.Fatal("entry expired early on the manual clock")
	}
	clk.Advance(time.Second) // the TTL and the first interval end now
	if n := <-swept; n != 1 {
		t.Fatalf("janitor's sweep removed %d, want 1", n)
	}
	if c.Len() != 0 {
		t.Fatalf("Len = %d after the sweep", c.Len())
	}
	c.Set("b", 2)
	clk.Advance(time.Minute) // second interval: b expires exactly now
	if n := <-swept; n != 1 {
		t.Fatalf("second sweep removed %d, want 1", n)
	}
}

// With Sharded locking the lock events name the shard of the key.
func TestLockInfoShard(t *testing.T) {
	var mu sync.Mutex
	shards := map[int]bool{}
	h := &Hooks{LockAcquired: func(info LockInfo, _ time.Duration) {
		mu.Lock()
		shards[info.Shard] = true
		mu.Unlock()
	}}
	c := New[int, int](WithLocking(Sharded), WithShards(8), WithHooks(h))
	for i := range 200 {
		c.Set(i, i)
	}
	if len(shards) != 8 {
		t.Fatalf("lock events named %d shards, want 8", len(shards))
	}
	for k := range shards {
		if k < 0 || k >= 8 {
			t.Fatalf("shard %d out of range", k)
		}
	}
	clear(shards)
	c.Len()
	if len(shards) != 8 {
		t.Fatalf("Len took %d shard locks, want 8", len(shards))
	}
}
