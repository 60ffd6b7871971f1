// Package bench compares cache/pool's Acquire+Release throughput with
// github.com/jackc/puddle/v2 and with a bare buffered-channel pool.
//
// Each benchmark op is one Acquire followed by one Release. "uncontended":
// one goroutine, so the pool is never exhausted. "contended": 16 times more
// goroutines than resources, all looping Acquire/Release, so most Acquire
// calls wait in line.
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
	// step, and a function to close the pool.
	make func(b *testing.B, size int) (step func(), close func())
}

var targets = []target{
	{"pool", func(b *testing.B, size int) (func(), func()) {
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
		return func() {
			r, err := p.Acquire(ctx)
			if err != nil {
				panic(err)
			}
			r.Value().n++
			r.Release()
		}, p.Close
	}},
	{"puddle", func(b *testing.B, size int) (func(), func()) {
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
		return func() {
			r, err := p.Acquire(ctx)
			if err != nil {
				panic(err)
			}
			r.Value().n++
			r.Release()
		}, p.Close
	}},
	{"chan", func(b *testing.B, size int) (func(), func()) {
		ch := make(chan *conn, size)
		for range size {
			ch <- &conn{}
		}
		return func() {
			c := <-ch
			c.n++
			ch <- c
		}, func() {}
	}},
}

func BenchmarkAcquireRelease(b *testing.B) {
	for _, size := range []int{4, 64} {
		for _, mode := range []string{"uncontended", "contended16x"} {
			for _, t := range targets {
				b.Run(fmt.Sprintf("size=%d/%s/%s", size, mode, t.name), func(b *testing.B) {
					step, closeFn := t.make(b, size)
					defer closeFn()
					b.ReportAllocs()
					if mode == "uncontended" {
						for b.Loop() {
							step()
						}
						return
					}
					procs := runtime.GOMAXPROCS(0)
					b.SetParallelism((16*size + procs - 1) / procs)
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							step()
						}
					})
				})
			}
		}
	}
}
