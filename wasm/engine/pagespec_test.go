package engine

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gosharedstate/playground/cache"
	"github.com/gosharedstate/playground/cache/pool"
)

// The page decodes records with Layout and Flags alone: they must say what
// Put and the hooks write.

func TestLayoutIsWhatPutWrites(t *testing.T) {
	e := Event{T: 1.5, Dur: 2.25, Kind: KindLockAcquired, Flags: 0x0301, Task: -2, Key: 7, Aux: 99}
	var b [EventSize]byte
	e.Put(b[:])
	l := Layout()
	le := binary.LittleEndian
	if got := math.Float64frombits(le.Uint64(b[l.T:])); got != e.T {
		t.Errorf("t at %d: %v", l.T, got)
	}
	if got := math.Float64frombits(le.Uint64(b[l.Dur:])); got != e.Dur {
		t.Errorf("dur at %d: %v", l.Dur, got)
	}
	if got := Kind(le.Uint16(b[l.Kind:])); got != e.Kind {
		t.Errorf("kind at %d: %v", l.Kind, got)
	}
	if got := le.Uint16(b[l.Flags:]); got != e.Flags {
		t.Errorf("flags at %d: %#x", l.Flags, got)
	}
	for _, f := range []struct {
		name string
		off  int
		want int32
	}{{"task", l.Task, e.Task}, {"key", l.Key, e.Key}, {"aux", l.Aux, e.Aux}} {
		if got := int32(le.Uint32(b[f.off:])); got != f.want {
			t.Errorf("%s at %d: %d", f.name, f.off, got)
		}
	}
}

func TestFlagsNameTheCodes(t *testing.T) {
	f := Flags()
	for code, want := range map[int]string{FailTimeout: "timeout", FailClosed: "closed", FailConstructor: "constructor", FailCanceled: "canceled"} {
		if f.Fails[code] != want {
			t.Errorf("Fails[%d] = %q, want %q", code, f.Fails[code], want)
		}
	}
	if len(f.DestroyReasons) != int(pool.Closed)+1 || f.DestroyReasons[pool.Closed] != "closed" || f.DestroyReasons[pool.IdleTimeout] != "idle timeout" {
		t.Errorf("DestroyReasons %q", f.DestroyReasons)
	}
	// A lock event's flags, as the hooks write them, read back with the
	// page's codes.
	flags := lockFlags(cache.LockInfo{Op: cache.OpDelete, Shared: true})
	if flags&f.Shared == 0 || LockOpNames()[flags>>f.LockOpShift] != "delete" {
		t.Errorf("lock flags %#x do not read back as a shared delete", flags)
	}
	if flags := lockFlags(cache.LockInfo{Op: cache.OpSet}); flags&f.Shared != 0 || LockOpNames()[flags>>f.LockOpShift] != "set" {
		t.Errorf("lock flags %#x do not read back as an exclusive set", flags)
	}
}
