package cache

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// model is the simplest cache that could work: a map, a recency list, and
// a clock the test moves by hand.
type model struct {
	m     map[uint8]modelEntry
	order []uint8 // recency, oldest first (used only with a bound)
	max   int
	now   time.Duration
}

type modelEntry struct {
	v   int
	exp time.Duration // 0: never
}

func (m *model) live(e modelEntry) bool { return e.exp == 0 || m.now < e.exp }

func (m *model) touch(k uint8) {
	if i := slices.Index(m.order, k); i >= 0 {
		m.order = slices.Delete(m.order, i, i+1)
	}
	m.order = append(m.order, k)
}

func (m *model) drop(k uint8) {
	delete(m.m, k)
	if i := slices.Index(m.order, k); i >= 0 {
		m.order = slices.Delete(m.order, i, i+1)
	}
}

func (m *model) set(k uint8, v int, ttl time.Duration) (evicted int) {
	var e modelEntry
	e.v = v
	if ttl > 0 {
		e.exp = m.now + ttl
	}
	m.m[k] = e
	evicted = -1
	if m.max > 0 {
		m.touch(k)
		if len(m.m) > m.max {
			old := m.order[0]
			m.drop(old)
			evicted = int(old)
		}
	}
	return evicted
}

// FuzzCache runs a random sequence of operations on a cache and on the
// model, and compares every result (Set, SetWithTTL, Get, Delete, time
// passing, DeleteExpired, Len, GetOrLoad and Update). The first byte picks the locking and
// the bound; then each operation takes three bytes: op, key, argument.
func FuzzCache(f *testing.F) {
	f.Add([]byte{0, 0, 1, 5, 1, 1, 0, 2, 1, 0})
	f.Add([]byte{1, 0, 1, 5, 4, 0, 9, 1, 1, 0, 6, 0, 0})
	f.Add([]byte{2, 0, 1, 5, 1, 2, 9, 3, 1, 0, 1, 1, 0})
	f.Add([]byte{0x13, 0, 1, 1, 0, 2, 2, 0, 3, 3, 1, 1, 0, 0, 4, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		locking := Locking(data[0] % 3)
		bound := int(data[0]>>4) % 8
		if locking == Sharded {
			bound = 0 // the bound of a sharded cache is per shard: not this model's
		}
		data = data[1:]
		clk := newManualClock()
		var evicted []int
		c := New[uint8, int](WithLocking(locking), WithShards(4), WithClock(clk), WithTTL(10*time.Millisecond),
			WithMaxEntries(bound), WithHooks(&Hooks{Evict: func(k any) { evicted = append(evicted, int(k.(uint8))) }}))
		m := &model{m: map[uint8]modelEntry{}, max: bound}
		errLoad := errors.New("load failed")
		for i := 0; i+2 < len(data); i += 3 {
			op, k, arg := data[i]%10, data[i+1]%16, int(data[i+2])
			switch op {
			case 0: // Set with the default TTL
				evicted = nil
				want := m.set(k, arg, 10*time.Millisecond)
				c.Set(k, arg)
				if want >= 0 && !slices.Equal(evicted, []int{want}) || want < 0 && evicted != nil {
					t.Fatalf("op %d: Set(%d) evicted %v, model %d", i/3, k, evicted, want)
				}
			case 1: // SetWithTTL: arg%4: 0 default, 3 never, else arg ms
				ttl := time.Duration(arg%40) * time.Millisecond
				modelTTL := ttl
				switch arg % 4 {
				case 0:
					ttl, modelTTL = 0, 10*time.Millisecond
				case 3:
					ttl, modelTTL = NoExpiration, 0
				}
				evicted = nil
				want := m.set(k, arg, modelTTL)
				c.SetWithTTL(k, arg, ttl)
				if want >= 0 && !slices.Equal(evicted, []int{want}) || want < 0 && evicted != nil {
					t.Fatalf("op %d: SetWithTTL(%d) evicted %v, model %d", i/3, k, evicted, want)
				}
			case 2, 3: // Get
				v, ok := c.Get(k)
				e, found := m.m[k]
				wantOK := found && m.live(e)
				if ok != wantOK || ok && v != e.v {
					t.Fatalf("op %d: Get(%d) = %d, %v; model %d, %v", i/3, k, v, ok, e.v, wantOK)
				}
				if wantOK && m.max > 0 {
					m.touch(k)
				}
			case 4:
				c.Delete(k)
				m.drop(k)
			case 5: // time passes
				d := time.Duration(arg%16) * time.Millisecond
				clk.Advance(d)
				m.now += d
			case 6:
				n := c.DeleteExpired()
				want := 0
				for mk, e := range m.m {
					if !m.live(e) {
						m.drop(mk)
						want++
					}
				}
				if n != want {
					t.Fatalf("op %d: DeleteExpired = %d, model %d", i/3, n, want)
				}
			case 7:
				if n := c.Len(); n != len(m.m) {
					t.Fatalf("op %d: Len = %d, model %d", i/3, n, len(m.m))
				}
			case 9: // Update: add arg to the live value, if any
				e, found := m.m[k]
				live := found && m.live(e)
				want := arg
				if live {
					want += e.v
				}
				evicted = nil
				wantEvicted := m.set(k, want, 10*time.Millisecond)
				var sawOld, sawFound = -1, false
				v := c.Update(k, func(old int, found bool) int {
					sawOld, sawFound = old, found
					return old + arg
				})
				if v != want || sawFound != live || live && sawOld != e.v {
					t.Fatalf("op %d: Update(%d) = %d (fn saw %d, %v), model %d (live %v)", i/3, k, v, sawOld, sawFound, want, live)
				}
				if wantEvicted >= 0 && !slices.Equal(evicted, []int{wantEvicted}) || wantEvicted < 0 && evicted != nil {
					t.Fatalf("op %d: Update(%d) evicted %v, model %d", i/3, k, evicted, wantEvicted)
				}
			case 8: // GetOrLoad: odd arguments fail
				evicted = nil
				v, err := c.GetOrLoad(context.Background(), k, func(context.Context, uint8) (int, error) {
					if arg%2 == 1 {
						return 0, errLoad
					}
					return arg, nil
				})
				e, found := m.m[k]
				switch {
				case found && m.live(e):
					if err != nil || v != e.v {
						t.Fatalf("op %d: GetOrLoad(%d) = %d, %v on a live entry %d", i/3, k, v, err, e.v)
					}
					if m.max > 0 {
						m.touch(k)
					}
				case arg%2 == 1:
					if err != errLoad {
						t.Fatalf("op %d: GetOrLoad(%d) err = %v", i/3, k, err)
					}
				default:
					want := m.set(k, arg, 10*time.Millisecond)
					if err != nil || v != arg {
						t.Fatalf("op %d: GetOrLoad(%d) = %d, %v, want %d", i/3, k, v, err, arg)
					}
					if want >= 0 && !slices.Equal(evicted, []int{want}) || want < 0 && evicted != nil {
						t.Fatalf("op %d: GetOrLoad(%d) evicted %v, model %d", i/3, k, evicted, want)
					}
				}
			}
		}
		if n := c.Len(); n != len(m.m) {
			t.Fatalf("end: Len = %d, model %d", n, len(m.m))
		}
		st := c.Stats()
		if st.Entries != len(m.m) {
			t.Fatalf("end: Stats.Entries = %d, model %d", st.Entries, len(m.m))
		}
	})
}
