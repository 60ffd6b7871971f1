// Package bench compares cache/pool's Acquire+Release throughput with
// github.com/jackc/puddle/v2 and with a bare buffered-channel pool.
//
// Each benchmark op is one Acquire followed by one Release. "uncontended":
// one goroutine, so the pool is never exhausted. "contended16x": 16 times
// more goroutines than resources, all looping Acquire/Release as fast as
// they can; with 2 processors only 2 of them run at a time, so the pool is
// exhausted only when holders have been descheduled (the waits/op metric
// says how often). "contended16x-hold": the same, but each goroutine yields
// the processor (runtime.Gosched) while it holds the resource, as a real
// holder blocks on I/O, so the pool is exhausted and almost every Acquire
// waits in line.
package bench

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/gosharedstate/playground/cache/pool"
	"github.com/jackc/puddle/v2"
)

type conn struct{ n int }

func newConn(context.Context) (*conn, error) { return &conn{}, nil }

// target is one pool implementation under test.
type target struct {
	name string
	// make returns a warmed pool of size resources as one acquire+release
	// step, a function that returns how many Acquire calls had to wait so
	// far (nil if the target cannot tell), and a function to close the pool.
	make func(b *testing.B, size int) (step func(hold bool), waits func() int64, close func())
}

var targets = []target{
	{"pool", func(b *testing.B, size int) (func(bool), func() int64, func()) {
		p, err := pool.New(pool.Config[*conn]{Constructor: newConn, MaxSize: size})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		warm := make([]*pool.Resource[*conn], size)
		for i := range warm {
			warm[i], _ = p.Acquire(ctx)
		}
		for _, r := range warm {
			r.Release()
		}
		return func(hold bool) {
			r, err := p.Acquire(ctx)
			if err != nil {
				panic(err)
			}
			r.Value().n++
			if hold {
				runtime.Gosched()
			}
			r.Release()
		}, func() int64 { return p.Stats().WaitCount }, p.Close
	}},
	{"puddle", func(b *testing.B, size int) (func(bool), func() int64, func()) {
		p, err := puddle.NewPool(&puddle.Config[*conn]{
			Constructor: newConn,
			Destructor:  func(*conn) {},
			MaxSize:     int32(size),
		})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		warm := make([]*puddle.Resource[*conn], size)
		for i := range warm {
			warm[i], _ = p.Acquire(ctx)
		}
		for _, r := range warm {
			r.Release()
		}
		return func(hold bool) {
			r, err := p.Acquire(ctx)
			if err != nil {
				panic(err)
			}
			r.Value().n++
			if hold {
				runtime.Gosched()
			}
			r.Release()
		}, func() int64 { return p.Stat().EmptyAcquireCount() }, p.Close
	}},
	{"chan", func(b *testing.B, size int) (func(bool), func() int64, func()) {
		ch := make(chan *conn, size)
		for range size {
			ch <- &conn{}
		}
		return func(hold bool) {
			c := <-ch
			c.n++
			if hold {
				runtime.Gosched()
			}
			ch <- c
		}, nil, func() {}
	}},
}

func BenchmarkAcquireRelease(b *testing.B) {
	for _, size := range []int{4, 64} {
		for _, mode := range []string{"uncontended", "contended16x", "contended16x-hold"} {
			for _, t := range targets {
				b.Run(fmt.Sprintf("size=%d/%s/%s", size, mode, t.name), func(b *testing.B) {
					step, waits, closeFn := t.make(b, size)
					defer closeFn()
					b.ReportAllocs()
					var waited0 int64
					if waits != nil {
						waited0 = waits()
					}
					hold := mode == "contended16x-hold"
					if mode == "uncontended" {
						for b.Loop() {
							step(false)
						}
					} else {
						procs := runtime.GOMAXPROCS(0)
						b.SetParallelism((16*size + procs - 1) / procs)
						b.ResetTimer()
						b.RunParallel(func(pb *testing.PB) {
							for pb.Next() {
								step(hold)
							}
						})
					}
					if waits != nil {
						// How saturated the pool really was: the share of
						// Acquire calls that found no resource ready.
						b.ReportMetric(float64(waits()-waited0)/float64(b.N), "waits/op")
					}
				})
			}
		}
	}
}
