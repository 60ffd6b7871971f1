package cache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentMix runs many goroutines mixing every operation, under each
// locking, with and without hooks and bound; run it with -race.
func TestConcurrentMix(t *testing.T) {
	for _, l := range lockings {
		for _, variant := range []string{"plain", "hooks", "bounded", "traced"} {
			t.Run(l.String()+"/"+variant, func(t *testing.T) {
				var events atomic.Int64
				count := func(...any) { events.Add(1) }
				h := &Hooks{
					Set:          func(k any, _ time.Duration) { count() },
					Hit:          func(k any) { count() },
					Miss:         func(k any, _ bool) { count() },
					Delete:       func(k any) { count() },
					Evict:        func(k any) { count() },
					Expire:       func(k any) { count() },
					SweepStart:   func(int) { count() },
					SweepEnd:     func(int, int, time.Duration) { count() },
					LockWait:     func(LockInfo) { count() },
					LockAcquired: func(LockInfo, time.Duration) { count() },
					LockReleased: func(LockInfo, time.Duration) { count() },
				}
				opts := []Option{WithLocking(l), WithTTL(time.Millisecond), WithCleanupInterval(time.Millisecond)}
				switch variant {
				case "hooks", "traced":
					opts = append(opts, WithHooks(h))
				case "bounded":
					opts = append(opts, WithMaxEntries(50))
				}
				c := New[int, int](opts...)
				defer c.Close()
				before := c.Stats()
				var wg sync.WaitGroup
				n := 4 * runtime.GOMAXPROCS(0)
				for g := range max(n, 8) {
					wg.Go(func() {
						cc := c
						if variant == "traced" {
							cc = c.Traced(h)
						}
						r := rand.New(rand.NewPCG(uint64(g), 1))
						for range 2000 {
							k := r.IntN(100)
							switch r.IntN(10) {
							case 0, 1:
								cc.Set(k, k)
							case 2:
								cc.SetWithTTL(k, k, time.Duration(r.IntN(3)-1)*time.Millisecond)
							case 3:
								cc.Delete(k)
							case 4:
								v, err := cc.GetOrLoad(context.Background(), k, func(ctx context.Context, k int) (int, error) {
									if k%7 == 0 {
										return 0, errors.New("no")
									}
									return k, nil
								})
								if err == nil && v != k {
									panic(fmt.Sprintf("GetOrLoad(%d) = %d", k, v))
								}
							case 5:
								cc.Len()
							case 6:
								if r.IntN(20) == 0 {
									cc.DeleteExpired()
								}
							default:
								if v, ok := cc.Get(k); ok && v != k {
									panic(fmt.Sprintf("Get(%d) = %d", k, v))
								}
							}
						}
					})
				}
				wg.Wait()
				st := c.Stats()
				if st.Sets == before.Sets {
					t.Fatal("no Set counted")
				}
				if variant == "bounded" && c.Len() > 50 {
					t.Fatalf("Len %d over the bound 50", c.Len())
				}
				if variant != "plain" && variant != "bounded" && events.Load() == 0 {
					t.Fatal("no hook called")
				}
			})
		}
	}
}
