package engine

import (
	"encoding/binary"
	"math"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gosharedstate/playground/cache"
)

func TestEventEncoding(t *testing.T) {
	e := Event{T: 1234.5678, Dur: -0.25, Kind: KindPoolAcquireFailed, Flags: 0xbeef, Task: -1, Key: math.MaxInt32, Aux: math.MinInt32}
	var b [EventSize]byte
	e.Put(b[:])
	// The layout, byte by byte, as the page reads it with a DataView.
	if math.Float64frombits(binary.LittleEndian.Uint64(b[0:])) != e.T ||
		math.Float64frombits(binary.LittleEndian.Uint64(b[8:])) != e.Dur ||
		binary.LittleEndian.Uint16(b[16:]) != uint16(KindPoolAcquireFailed) ||
		binary.LittleEndian.Uint16(b[18:]) != 0xbeef ||
		int32(binary.LittleEndian.Uint32(b[20:])) != -1 ||
		int32(binary.LittleEndian.Uint32(b[24:])) != math.MaxInt32 ||
		int32(binary.LittleEndian.Uint32(b[28:])) != math.MinInt32 {
		t.Fatalf("layout: % x", b)
	}
	if got := DecodeEvent(b[:]); got != e {
		t.Errorf("round trip: %+v, want %+v", got, e)
	}
}

func TestKindNames(t *testing.T) {
	names := KindNames()
	if len(names) != int(numKinds) {
		t.Fatalf("%d names for %d kinds", len(names), numKinds)
	}
	seen := map[string]bool{}
	for i, n := range names {
		if n == "" || seen[n] || Kind(i).String() != n {
			t.Errorf("kind %d: name %q", i, n)
		}
		seen[n] = true
	}
	if KindLockWait.String() != "lockWait" || KindAggregated.String() != "aggregated" || Kind(999).String() != "kind(999)" {
		t.Error("String")
	}
	if OpGetOrLoad.String() != "getOrLoad" || len(OpNames()) != int(numOps) || LockOpNames()[4] != "sweep" {
		t.Error("op names")
	}
}

// TestLockOpNames holds the literal list to the cache's own names: every
// cache.Op up to the last (OpUpdate) has its String at its code, and the
// code after the list is not an operation (a new cache.Op needs its name
// here).
func TestLockOpNames(t *testing.T) {
	names := LockOpNames()
	if len(names) != int(cache.OpUpdate)+1 || names[0] != "" {
		t.Fatalf("LockOpNames() = %q, want \"\" then one name per cache.Op up to OpUpdate", names)
	}
	for op := cache.OpGet; op <= cache.OpUpdate; op++ {
		if names[op] != op.String() {
			t.Errorf("LockOpNames()[%d] = %q, cache.Op(%d).String() = %q", op, names[op], op, op.String())
		}
	}
	if next := cache.Op(len(names)); next.String() != "op("+strconv.Itoa(len(names))+")" {
		t.Errorf("cache.Op(%d) is %q, missing from LockOpNames", len(names), next)
	}
	names[1] = "changed"
	if LockOpNames()[1] != "get" {
		t.Error("LockOpNames returns its own array, not a copy")
	}
}

func TestDrainRoundTripAndOverflow(t *testing.T) {
	l := newEventLog(8)
	for i := range 5 {
		l.add(&Event{T: float64(i), Kind: KindCacheHit, Task: int32(i), Key: int32(10 + i), Aux: -1})
	}
	got := DecodeEvents(l.drain(nil, 99))
	if len(got) != 5 {
		t.Fatalf("%d events, want 5", len(got))
	}
	for i, e := range got {
		if e.T != float64(i) || e.Kind != KindCacheHit || e.Task != int32(i) || e.Key != int32(10+i) || e.Aux != -1 {
			t.Errorf("event %d: %+v", i, e)
		}
	}
	if len(l.drain(nil, 100)) != 0 {
		t.Error("second Drain is not empty")
	}

	// Overflow: 8 fit, the rest are counted per kind.
	for range 10 {
		l.add(&Event{Kind: KindLockWait})
	}
	for range 3 {
		l.add(&Event{Kind: KindCacheMiss})
	}
	got = DecodeEvents(l.drain(make([]byte, 0, 4), 42))
	if len(got) != 10 {
		t.Fatalf("%d records, want 8 + 2 aggregated: %+v", len(got), got)
	}
	agg := map[Kind]int32{}
	for _, e := range got[8:] {
		if e.Kind != KindAggregated || e.T != 42 || e.Task != TaskScene {
			t.Errorf("not an aggregated record: %+v", e)
		}
		agg[Kind(e.Key)] = e.Aux
	}
	if agg[KindLockWait] != 2 || agg[KindCacheMiss] != 3 {
		t.Errorf("aggregated counts %v, want lockWait 2, cacheMiss 3", agg)
	}
	emitted, aggregated := l.counts()
	if emitted != 13 || aggregated != 5 {
		t.Errorf("counts %d, %d; want 13, 5", emitted, aggregated)
	}
	if len(l.drain(nil, 0)) != 0 {
		t.Error("aggregated counts were not reset")
	}
}

func TestDrainConcurrent(t *testing.T) {
	l := newEventLog(1 << 10)
	const writers, each = 8, 5000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				l.add(&Event{Kind: KindOpEnd, Task: int32(w), Aux: int32(i)})
			}
		})
	}
	// The drainer drains while the writers write, and once more after they
	// have all returned: then every event must be there, drained or
	// counted.
	written, done := make(chan struct{}), make(chan struct{})
	var total int64
	buf := make([]byte, 0, (1<<10+int(numKinds))*EventSize)
	go func() {
		defer close(done)
		for last := false; ; {
			select {
			case <-written:
				last = true
			default:
			}
			buf = l.drain(buf[:0], 0)
			for _, e := range DecodeEvents(buf) {
				if e.Kind == KindAggregated {
					total += int64(e.Aux)
				} else {
					total++
				}
			}
			if last {
				return
			}
			runtime.Gosched()
		}
	}()
	wg.Wait()
	close(written)
	<-done
	if total != writers*each {
		t.Errorf("%d events seen, want %d", total, writers*each)
	}
}

func TestDrainDoesNotAllocate(t *testing.T) {
	l := newEventLog(1 << 12)
	dst := make([]byte, 0, (1<<12+int(numKinds))*EventSize)
	e := Event{Kind: KindCacheSet}
	allocs := testing.AllocsPerRun(20, func() {
		for range 1 << 12 {
			l.add(&e)
		}
		dst = l.drain(dst[:0], 1)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per 4096 events and a Drain", allocs)
	}
}

// BenchmarkDrain measures the event pipe on the Go side without loss: each
// iteration records a full buffer of events (DefaultEventBuffer, as the
// hooks do, from GOMAXPROCS goroutines at once) and drains them into a
// reused slice, as the bindings do once per frame. events/s counts events
// recorded and drained; none is aggregated.
func BenchmarkDrain(b *testing.B) {
	l := newEventLog(DefaultEventBuffer)
	dst := make([]byte, 0, (DefaultEventBuffer+int(numKinds))*EventSize)
	writers := runtime.GOMAXPROCS(0)
	per := DefaultEventBuffer / writers
	var events int
	start := time.Now()
	for b.Loop() {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				e := Event{Kind: KindLockAcquired, Task: int32(w), Key: 2, Aux: 3, Dur: 0.5}
				for i := range per {
					e.T = float64(i)
					l.add(&e)
				}
			})
		}
		wg.Wait()
		dst = l.drain(dst[:0], 0)
		events += len(dst) / EventSize
	}
	b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
	if _, agg := l.counts(); agg != 0 {
		b.Fatalf("%d events aggregated", agg)
	}
}
