package cache_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gosharedstate/playground/cache"
)

// The lesson's cache: shared by several goroutines, entries with a TTL, and a
// janitor that sweeps expired entries away.
func Example() {
	c := cache.New[string, string](
		cache.WithTTL(5*time.Minute),
		cache.WithCleanupInterval(time.Minute),
	)
	defer c.Close() // stops the janitor

	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			c.Set(fmt.Sprintf("key%d", i), fmt.Sprintf("value%d", i))
		})
	}
	wg.Wait()

	v, ok := c.Get("key3")
	fmt.Println(v, ok, c.Len())
	// Output: value3 true 5
}

// stepClock is a Clock that moves only when told to, so that an example
// shows expiry without waiting. Tests use testing/synctest instead.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (s *stepClock) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *stepClock) Advance(d time.Duration) {
	s.mu.Lock()
	s.now = s.now.Add(d)
	s.mu.Unlock()
}

// NewTimer is not needed without a janitor.
func (s *stepClock) NewTimer(d time.Duration) cache.Timer { panic("no janitor here") }

// Get never returns an expired entry; it stays stored, and counted by Len,
// until a sweep (the janitor's, or DeleteExpired) removes it.
func ExampleCache_DeleteExpired() {
	clock := &stepClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := cache.New[string, int](cache.WithTTL(time.Second), cache.WithClock(clock))

	c.Set("a", 1)
	c.SetWithTTL("b", 2, time.Hour)
	c.SetWithTTL("c", 3, cache.NoExpiration)

	clock.Advance(2 * time.Second)
	_, ok := c.Get("a")
	fmt.Println("a:", ok, "len:", c.Len())
	fmt.Println("removed:", c.DeleteExpired(), "len:", c.Len())
	// Output:
	// a: false len: 3
	// removed: 1 len: 2
}

// Concurrent callers for a missing key share one load.
func ExampleCache_GetOrLoad() {
	c := cache.New[int, string](cache.WithTTL(time.Minute))
	loads := 0
	load := func(ctx context.Context, id int) (string, error) {
		loads++ // only one load runs at a time for one key
		time.Sleep(10 * time.Millisecond)
		return fmt.Sprintf("user %d", id), nil
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			name, err := c.GetOrLoad(context.Background(), 7, load)
			if err != nil || name != "user 7" {
				panic("unexpected result")
			}
		})
	}
	wg.Wait()
	fmt.Println("loads:", loads)
	// Output: loads: 1
}

// The locking strategy changes how callers wait for each other, not what
// they see.
func ExampleWithLocking() {
	for _, l := range []cache.Locking{cache.Mutex, cache.RWMutex, cache.Sharded} {
		c := cache.New[string, int](cache.WithLocking(l))
		c.Set("x", 1)
		v, _ := c.Get("x")
		fmt.Println(l, v)
	}
	// Output:
	// Mutex 1
	// RWMutex 1
	// Sharded 1
}

// A bounded cache evicts the least recently used entry.
func ExampleWithMaxEntries() {
	c := cache.New[string, int](
		cache.WithMaxEntries(2),
		cache.WithHooks(&cache.Hooks{Evict: func(key any) { fmt.Println("evicted", key) }}),
	)
	c.Set("a", 1)
	c.Set("b", 2)
	c.Get("a") // a is now more recently used than b
	c.Set("c", 3)
	fmt.Println(c.Len())
	// Output:
	// evicted b
	// 2
}

// Hooks report what happens, lock waits included; Traced gives one caller
// hooks of its own on the same cache.
func ExampleCache_Traced() {
	c := cache.New[string, int]()
	worker := c.Traced(&cache.Hooks{
		LockAcquired: func(info cache.LockInfo, waited time.Duration) {
			fmt.Println("worker holds the lock for", info.Op)
		},
		Hit:  func(key any) { fmt.Println("worker hit", key) },
		Miss: func(key any, expired bool) { fmt.Println("worker missed", key) },
	})
	c.Set("a", 1) // through the cache's own handle: no hooks
	worker.Get("a")
	worker.Get("b")
	fmt.Printf("%+v\n", c.Stats())
	// Output:
	// worker holds the lock for get
	// worker hit a
	// worker holds the lock for get
	// worker missed b
	// {Hits:1 Misses:1 ExpiredMisses:0 Sets:1 Deletes:0 Expired:0 Evictions:0 Sweeps:0 Loads:0 LoadErrors:0 LoadsShared:0 Entries:1}
}

// Update is a read-modify-write under the key's lock: no increment is lost,
// where Get then Set would lose some.
func ExampleCache_Update() {
	c := cache.New[string, int]()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range 100 {
				c.Update("hits", func(old int, found bool) int { return old + 1 })
			}
		})
	}
	wg.Wait()
	v, _ := c.Get("hits")
	fmt.Println(v)
	// Output: 1000
}
