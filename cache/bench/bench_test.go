// Package bench compares github.com/gosharedstate/playground/cache with the
// caches people use today, on the same workloads, in one run. See README.md.
package bench

import (
	"fmt"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// numKeys is the size of the key set of the Get and Set workloads.
const numKeys = 1 << 14

var keys = func() []string {
	k := make([]string, numKeys)
	for i := range k {
		k[i] = "key-" + strconv.Itoa(i)
	}
	return k
}()

func filled(im impl) kv {
	c := im.new()
	for i, k := range keys {
		c.Set(k, i)
	}
	return c
}

// rng is a per-goroutine xorshift generator.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*r = rng(x)
	return x
}

var seed atomic.Uint64

func newRNG() rng { return rng(seed.Add(0x9E3779B97F4A7C15) | 1) }

// BenchmarkGet: every goroutine Gets random keys, all present.
func BenchmarkGet(b *testing.B) {
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			c := filled(im)
			defer c.Close()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := newRNG()
				for pb.Next() {
					if _, ok := c.Get(keys[r.next()%numKeys]); !ok {
						panic("miss")
					}
				}
			})
		})
	}
}

// BenchmarkGetSet90: 90% Get, 10% Set of random keys.
func BenchmarkGetSet90(b *testing.B) {
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			c := filled(im)
			defer c.Close()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := newRNG()
				for pb.Next() {
					x := r.next()
					k := x % numKeys
					if x>>32%10 == 0 {
						c.Set(keys[k], int(k))
					} else {
						c.Get(keys[k])
					}
				}
			})
		})
	}
}

// BenchmarkSet: every goroutine Sets random keys (overwrites).
func BenchmarkSet(b *testing.B) {
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			c := filled(im)
			defer c.Close()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := newRNG()
				for pb.Next() {
					k := r.next() % numKeys
					c.Set(keys[k], int(k))
				}
			})
		})
	}
}

// BenchmarkSweep: a cache of n entries of which `expired` have expired; one
// op is one sweep that removes them. The expired entries are put back,
// outside the timer, before each sweep.
func BenchmarkSweep(b *testing.B) {
	for _, sz := range []struct{ n, expired int }{
		{1e4, 1e2}, {1e5, 1e3}, {1e6, 1e4}, {1e6, 100},
	} {
		for _, im := range impls() {
			if !im.canSweep {
				continue
			}
			var c kv // built once for all the b.N rounds of this sub-benchmark
			name := fmt.Sprintf("n=%d/expired=%d/%s", sz.n, sz.expired, im.name)
			b.Run(name, func(b *testing.B) {
				if c == nil {
					c = im.new()
					for i := range sz.n {
						c.Set("key-"+strconv.Itoa(i), i)
					}
				}
				step := sz.n / sz.expired
				refill := func() {
					for i := 0; i < sz.n; i += step {
						c.SetExpired("key-"+strconv.Itoa(i), i)
					}
				}
				b.ResetTimer()
				for range b.N {
					b.StopTimer()
					refill()
					time.Sleep(time.Microsecond) // let the last one expire
					b.StartTimer()
					c.Sweep()
					b.StopTimer()
					if got := c.Len(); got > sz.n-sz.expired {
						b.Fatalf("Len %d after the sweep, want %d", got, sz.n-sz.expired)
					}
					b.StartTimer()
				}
			})
			if c != nil {
				c.Close()
				c = nil
				runtime.GC()
			}
		}
	}
}

// BenchmarkMemory reports the heap bytes per entry of a cache of 1e6
// entries with a TTL (keys "key-N" made for each entry, int values), as
// bytes/entry. It measures once, whatever b.N; its ns/op is meaningless.
func BenchmarkMemory(b *testing.B) {
	const n = 1_000_000
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			var per float64
			{
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				c := im.new()
				for i := range n {
					c.Set("key-"+strconv.Itoa(i), i)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				per = float64(after.HeapAlloc-before.HeapAlloc) / n
				runtime.KeepAlive(c)
				c.Close()
			}
			b.ReportMetric(per, "bytes/entry")
		})
	}
}
