package engine

import (
	"encoding/binary"
	"math"
	"strconv"
	"sync"

	"github.com/gosharedstate/playground/cache/pool"
)

// Kind is the kind of an event record; see the package documentation for
// what each kind's dur, key, aux and flags mean.
type Kind uint16

// The kinds of events. KindNone is never emitted (a zeroed record).
const (
	KindNone              Kind = iota // never emitted: a zeroed record
	KindSceneStart                    // the scene started (aux: tasks)
	KindScenePause                    // the scene was paused
	KindSceneResume                   // the scene was resumed
	KindSceneStop                     // the scene stopped: the last record
	KindSceneSpeed                    // the speed changed (aux: speed*100)
	KindThink                         // a task starts thinking (dur: for how long; key, aux: its next key and op)
	KindOpStart                       // a task starts an operation (aux: op; key)
	KindLockWait                      // about to take the cache's lock (aux: shard; flags: shared, lock op)
	KindLockAcquired                  // took it (dur: waited)
	KindLockReleased                  // released it (dur: held)
	KindCacheSet                      // an entry stored (dur: TTL ms, 0 none)
	KindCacheHit                      // a lookup found a live entry
	KindCacheMiss                     // a lookup found none (flags bit0: an expired one)
	KindCacheDelete                   // an entry removed by delete
	KindCacheEvict                    // the least recently used entry evicted by the maxEntries bound
	KindCacheExpire                   // an expired entry removed by a sweep
	KindSweepStart                    // a sweep starts (aux: entries)
	KindSweepEnd                      // a sweep ends (aux: removed; key: remaining; dur: took)
	KindLoadStart                     // a get-or-load load starts (key)
	KindLoadEnd                       // it ends (dur: took; flags bit0: error)
	KindPoolAcquireStart              // a task asks the pool for a connection
	KindPoolWaiting                   // it waits in line (aux: position, 1 first)
	KindPoolConstructing              // a connection is being opened for it (aux: connection id)
	KindPoolAcquired                  // it got one (aux: id; dur: waited; flags bit0: opened for it)
	KindPoolAcquireFailed             // it gave up (flags: a Fail code; dur: waited)
	KindPoolReleased                  // it gave the connection back (aux: id; dur: held)
	KindPoolDestroyed                 // a connection was closed (aux: id; flags: pool.DestroyReason)
	KindOpEnd                         // a task ends its operation (aux: op; dur: latency; flags bit0: ok)
	KindAggregated                    // events that did not fit (key: their kind; aux: how many)
	numKinds
)

var kindNames = [numKinds]string{
	"none", "sceneStart", "scenePause", "sceneResume", "sceneStop", "sceneSpeed",
	"think", "opStart", "lockWait", "lockAcquired", "lockReleased",
	"cacheSet", "cacheHit", "cacheMiss", "cacheDelete", "cacheEvict", "cacheExpire",
	"sweepStart", "sweepEnd", "loadStart", "loadEnd",
	"poolAcquireStart", "poolWaiting", "poolConstructing", "poolAcquired",
	"poolAcquireFailed", "poolReleased", "poolDestroyed", "opEnd", "aggregated",
}

// String returns the kind's name as in KindNames, e.g. "lockWait".
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// KindNames returns the name of every kind, indexed by its number: the page
// maps a record's kind to its name with it.
func KindNames() []string { return append([]string(nil), kindNames[:]...) }

// Op is the operation a task performs at one step, as carried in opStart
// and opEnd records (aux).
type Op uint8

// The operations of a task. OpNone is never emitted.
const (
	OpNone Op = iota
	OpGet
	OpSet
	OpDelete
	OpGetOrLoad
	OpPool
	// The lessons' operations (see Extras): no Mix weight draws them, a
	// task's Script does.
	OpGetThenLoad // Get, and on a miss load the value and Set it (a stampede's way)
	OpGetThenSet  // add one to a counter with Get, some work, then Set (loses updates)
	OpUpdate      // add one to a counter with Update (loses none)
	numOps
)

var opNames = [numOps]string{"none", "get", "set", "delete", "getOrLoad", "pool", "getThenLoad", "getThenSet", "update"}

// String returns the operation's name as in OpNames, e.g. "getOrLoad".
func (o Op) String() string {
	if o < numOps {
		return opNames[o]
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// OpNames returns the name of every task operation, indexed by its code.
func OpNames() []string { return append([]string(nil), opNames[:]...) }

// lockOpNames are the names of the cache operations that take the lock,
// indexed by the code carried in bits 8..15 of a lock event's flags (the
// cache's cache.Op; TestLockOpNames holds them to cache.Op's String).
var lockOpNames = [...]string{"", "get", "set", "delete", "sweep", "len", "update"}

// LockOpNames returns the names of the cache operations that take the lock,
// indexed by their cache.Op code: "", "get", "set", "delete", "sweep", "len",
// "update".
func LockOpNames() []string { return append([]string(nil), lockOpNames[:]...) }

// Who did something, in a record's task field, besides task indexes 0..N-1.
const (
	TaskJanitor = -1 // the cache's janitor goroutine
	TaskScene   = -2 // the scene itself (start, pause, speed, stop; the pool's own clean-up)
)

// Flags of records.
const (
	FlagShared  = 1 << 0 // lock events: a shared (read) lock
	FlagExpired = 1 << 0 // cacheMiss: the entry was there but expired
	FlagError   = 1 << 0 // loadEnd: the load failed (the scene stopped)
	FlagCreated = 1 << 0 // poolAcquired: the connection was opened for this acquire
	FlagOK      = 1 << 0 // opEnd: a get or getOrLoad found (or loaded) its value, a pool op got a connection
)

// LockOpShift is where a lock event's flags carry the lock op (the
// cache's cache.Op, a name in LockOpNames): bits 8..15.
const LockOpShift = 8

// The failure codes in a poolAcquireFailed record's flags.
const (
	FailTimeout     = 1 // the acquire timeout (scene time) ran out
	FailClosed      = 2 // the pool was closed
	FailConstructor = 3 // opening a connection failed
	FailCanceled    = 4 // the scene stopped while the task waited
	numFails        = FailCanceled + 1
)

var failNames = [numFails]string{"", "timeout", "closed", "constructor", "canceled"}

// FlagCodes is every flag bit, shift and code the page reads from a
// record, named once here: the page gets it in the scene spec (sceneSpec)
// and decodes flags by these names, never by numbers of its own.
type FlagCodes struct {
	Shared      uint16 `json:"shared"`      // lock events: FlagShared
	LockOpShift int    `json:"lockOpShift"` // lock events: the lock op is flags >> LockOpShift
	Expired     uint16 `json:"expired"`     // cacheMiss: FlagExpired
	LoadError   uint16 `json:"loadError"`   // loadEnd: FlagError
	Created     uint16 `json:"created"`     // poolAcquired: FlagCreated
	OK          uint16 `json:"ok"`          // opEnd: FlagOK
	// Fails names poolAcquireFailed's codes, indexed by code ("timeout"
	// at FailTimeout...).
	Fails []string `json:"fails"`
	// DestroyReasons names poolDestroyed's codes (pool.DestroyReason),
	// indexed by code.
	DestroyReasons []string `json:"destroyReasons"`
}

// Flags returns the flag codes, for the page.
func Flags() FlagCodes {
	reasons := []string{""}
	for r := pool.Broken; r <= pool.Closed; r++ {
		reasons = append(reasons, r.String())
	}
	return FlagCodes{
		Shared: FlagShared, LockOpShift: LockOpShift, Expired: FlagExpired,
		LoadError: FlagError, Created: FlagCreated, OK: FlagOK,
		Fails: append([]string(nil), failNames[:]...), DestroyReasons: reasons,
	}
}

// EventSize is the size in bytes of one encoded event record.
const EventSize = 32

// RecordLayout is the byte offset of each field in an encoded record (see
// Event), for the page's decoder.
type RecordLayout struct {
	T     int `json:"t"`
	Dur   int `json:"dur"`
	Kind  int `json:"kind"`
	Flags int `json:"flags"`
	Task  int `json:"task"`
	Key   int `json:"key"`
	Aux   int `json:"aux"`
}

// Layout returns the record layout that Put writes.
func Layout() RecordLayout {
	return RecordLayout{T: 0, Dur: 8, Kind: 16, Flags: 18, Task: 20, Key: 24, Aux: 28}
}

// Event is one decoded event record. Drain writes them as EventSize bytes,
// little-endian:
//
//	offset 0  float64 T     scene ms since Start
//	offset 8  float64 Dur   ms; meaning per kind
//	offset 16 uint16  Kind
//	offset 18 uint16  Flags
//	offset 20 int32   Task  task index, or TaskJanitor, TaskScene
//	offset 24 int32   Key   key index, -1 none
//	offset 28 int32   Aux   per kind
type Event struct {
	T     float64 `json:"t"`
	Dur   float64 `json:"dur"`
	Kind  Kind    `json:"kind"`
	Flags uint16  `json:"flags"`
	Task  int32   `json:"task"`
	Key   int32   `json:"key"`
	Aux   int32   `json:"aux"`
}

// Put encodes e into b[:EventSize].
func (e *Event) Put(b []byte) {
	_ = b[EventSize-1]
	binary.LittleEndian.PutUint64(b[0:], math.Float64bits(e.T))
	binary.LittleEndian.PutUint64(b[8:], math.Float64bits(e.Dur))
	binary.LittleEndian.PutUint16(b[16:], uint16(e.Kind))
	binary.LittleEndian.PutUint16(b[18:], e.Flags)
	binary.LittleEndian.PutUint32(b[20:], uint32(e.Task))
	binary.LittleEndian.PutUint32(b[24:], uint32(e.Key))
	binary.LittleEndian.PutUint32(b[28:], uint32(e.Aux))
}

// DecodeEvent decodes the record in b[:EventSize].
func DecodeEvent(b []byte) Event {
	_ = b[EventSize-1]
	return Event{
		T:     math.Float64frombits(binary.LittleEndian.Uint64(b[0:])),
		Dur:   math.Float64frombits(binary.LittleEndian.Uint64(b[8:])),
		Kind:  Kind(binary.LittleEndian.Uint16(b[16:])),
		Flags: binary.LittleEndian.Uint16(b[18:]),
		Task:  int32(binary.LittleEndian.Uint32(b[20:])),
		Key:   int32(binary.LittleEndian.Uint32(b[24:])),
		Aux:   int32(binary.LittleEndian.Uint32(b[28:])),
	}
}

// DecodeEvents decodes every whole record in b.
func DecodeEvents(b []byte) []Event {
	out := make([]Event, 0, len(b)/EventSize)
	for ; len(b) >= EventSize; b = b[EventSize:] {
		out = append(out, DecodeEvent(b))
	}
	return out
}

// DefaultEventBuffer is how many events an engine buffers between two
// Drains; past it, events are counted per kind and reported as aggregated
// records.
const DefaultEventBuffer = 1 << 16

// eventLog is the bounded buffer of encoded records between the hooks and
// Drain. Records are encoded on the way in; Drain swaps buffers and copies
// the full one out, so that it costs one copy, not a call per event.
type eventLog struct {
	mu         sync.Mutex
	buf        []byte // the filling buffer; cap is the bound
	over       [numKinds]uint64
	anyOver    bool
	emitted    uint64 // records written
	closed     bool   // after sceneStop: nothing more is recorded
	aggregated uint64 // records folded into aggregated counts

	drainMu sync.Mutex
	spare   []byte // the other buffer, owned by Drain
}

func newEventLog(n int) *eventLog {
	return &eventLog{buf: make([]byte, 0, n*EventSize), spare: make([]byte, 0, n*EventSize)}
}

func (l *eventLog) add(e *Event) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	if n := len(l.buf); n < cap(l.buf) {
		l.buf = l.buf[:n+EventSize]
		e.Put(l.buf[n:])
		l.emitted++
	} else {
		l.over[e.Kind]++
		l.anyOver = true
		l.aggregated++
	}
	l.mu.Unlock()
}

// drain appends every pending record to dst, then one aggregated record per
// kind that overflowed (timestamped now), and returns dst.
func (l *eventLog) drain(dst []byte, now float64) []byte {
	l.drainMu.Lock()
	defer l.drainMu.Unlock()
	var over [numKinds]uint64
	l.mu.Lock()
	full := l.buf
	l.buf = l.spare[:0]
	anyOver := l.anyOver
	if anyOver {
		over = l.over
		l.over = [numKinds]uint64{}
		l.anyOver = false
	}
	l.mu.Unlock()
	dst = append(dst, full...)
	l.spare = full[:0]
	if anyOver {
		for k, n := range over {
			for n > 0 {
				c := min(n, math.MaxInt32)
				n -= c
				e := Event{T: now, Kind: KindAggregated, Task: TaskScene, Key: int32(k), Aux: int32(c)}
				var rec [EventSize]byte
				e.Put(rec[:])
				dst = append(dst, rec[:]...)
			}
		}
	}
	return dst
}

// close records e, the last record, and refuses any later one.
func (l *eventLog) close(e *Event) {
	l.add(e)
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}

func (l *eventLog) counts() (emitted, aggregated uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.emitted, l.aggregated
}
