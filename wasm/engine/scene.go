package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Scene is one serialisable value (JSON, camelCase names) describing a run:
// who does what against the cache and the pool, and how fast. A guided
// lesson, a shared link and an embed all carry a Scene. Its limits live in
// one table, Fields; Validate checks them.
type Scene struct {
	Tasks            int     `json:"tasks"`            // goroutines, 1..1000
	Mix              Mix     `json:"mix"`              // operation weights, each 0..100, sum > 0
	Keys             int     `json:"keys"`             // key space size, 1..100000; keys are "key0".."keyN-1"
	Dist             string  `json:"dist"`             // "uniform" or "hot" (see HotShare)
	ThinkMs          float64 `json:"thinkMs"`          // mean think time between operations (scene ms), 0..10000
	WorkMs           float64 `json:"workMs"`           // simulated work while holding the lock / a connection, 0..10000
	LoadMs           float64 `json:"loadMs"`           // load time for get-or-load misses (and to open a connection), 0..10000
	TTLMs            float64 `json:"ttlMs"`            // 0 = never expires, ..3600000
	CleanupMs        float64 `json:"cleanupMs"`        // janitor interval, 0 = no janitor, ..3600000
	Locking          string  `json:"locking"`          // "mutex" | "rwmutex" | "sharded"
	MaxEntries       int     `json:"maxEntries"`       // 0 = unbounded, ..1000000
	PoolSize         int     `json:"poolSize"`         // 1..1000
	AcquireTimeoutMs float64 `json:"acquireTimeoutMs"` // 0 = wait forever, ..3600000
	Seed             int64   `json:"seed"`             // 0..2^53-1 (exact in JavaScript)
	Speed            float64 `json:"speed"`            // time scale 0.1..10 (2 = twice as fast as real time)
}

// Mix is the relative weight of each operation a task picks at each step:
// with Get 8 and Set 2, about 80 % of the operations are gets. Each weight
// is 0..100 and at least one is above 0.
type Mix struct {
	Get       int `json:"get"`       // cache Get
	Set       int `json:"set"`       // cache Set (the scene's TTL)
	Delete    int `json:"delete"`    // cache Delete
	GetOrLoad int `json:"getOrLoad"` // cache GetOrLoad; a miss loads for LoadMs
	Pool      int `json:"pool"`      // acquire a pooled connection, use it for WorkMs, release it
}

// The distributions of keys a Scene can ask for.
const (
	DistUniform = "uniform" // every key equally likely
	DistHot     = "hot"     // HotShare of requests go to the hot keys (see HotKeys)
)

// The locking strategies of the cache.
const (
	LockingMutex   = "mutex"   // one sync.Mutex around the map
	LockingRWMutex = "rwmutex" // one sync.RWMutex: gets share a read lock
	LockingSharded = "sharded" // the map split into shards, each with its own lock
)

// HotShare is the share of requests that go to the hot keys when Dist is
// "hot": a task first draws a number in [0,1); below HotShare it picks one of
// the HotKeys(keys) hot keys ("key0".."key<h-1>") uniformly, otherwise any of
// the keys uniformly (hot ones included).
const HotShare = 0.8

// HotKeys returns how many keys are hot when Dist is "hot": a tenth of the
// key space, at least 1.
func HotKeys(keys int) int { return max(1, keys/10) }

// DefaultScene returns a scene that shows something within seconds: five
// goroutines, mostly gets on eight keys, entries that live 3 s and a
// janitor every second (so sweeps remove expired entries, and some gets
// find an expired entry first), 50 ms of work under one mutex (so the lock
// has a queue), and a pool of two connections that the tasks use for a
// fifth of their operations (waits are occasional; timeouts rare).
func DefaultScene() Scene {
	return Scene{
		Tasks:            5,
		Mix:              Mix{Get: 50, Set: 15, Delete: 5, GetOrLoad: 10, Pool: 20},
		Keys:             8,
		Dist:             DistUniform,
		ThinkMs:          300,
		WorkMs:           50,
		LoadMs:           150,
		TTLMs:            3000,
		CleanupMs:        1000,
		Locking:          LockingMutex,
		MaxEntries:       0,
		PoolSize:         2,
		AcquireTimeoutMs: 300,
		Seed:             1,
		Speed:            1,
	}
}

// FieldSpec describes one field of a Scene for a form: the page builds its
// controls from Fields, and validates them with the same limits as Validate.
type FieldSpec struct {
	Name    string   `json:"name"`              // the JSON and URL name, e.g. "tasks" or "mix.get"
	Label   string   `json:"label"`             // a short label for a learner
	Kind    string   `json:"kind"`              // FieldInt, FieldFloat or FieldChoice
	Min     float64  `json:"min"`               // the smallest value allowed (int and float)
	Max     float64  `json:"max"`               // the largest value allowed (int and float)
	Step    float64  `json:"step"`              // a step for a slider or number input
	Options []string `json:"options,omitempty"` // the allowed values of a choice
	Help    string   `json:"help"`              // one or two sentences on what it does
	Default any      `json:"default"`           // the value in DefaultScene
	Unit    string   `json:"unit,omitempty"`    // "ms", "x" or ""
	Group   string   `json:"group"`             // "tasks", "cache", "pool" or "time", to group controls
}

// The kinds of a FieldSpec (what its control edits; not event kinds).
const (
	FieldInt    = "int"    // a whole number within Min..Max
	FieldFloat  = "float"  // a number within Min..Max
	FieldChoice = "choice" // one of Options
)

// maxSafeInt is the largest integer a JavaScript number holds exactly.
const maxSafeInt = 1<<53 - 1

type fieldDef struct {
	spec FieldSpec
	i    func(*Scene) *int
	i64  func(*Scene) *int64
	f    func(*Scene) *float64
	s    func(*Scene) *string
}

var fieldDefs = []fieldDef{
	{spec: FieldSpec{Name: "tasks", Label: "Tasks (goroutines)", Kind: FieldInt, Min: 1, Max: 1000, Step: 1, Group: "tasks",
		Help: "How many goroutines run the operation mix against the cache and the pool at once."},
		i: func(s *Scene) *int { return &s.Tasks }},
	mixField("get", "Get", "Weight of Get: look a key up.", func(m *Mix) *int { return &m.Get }),
	mixField("set", "Set", "Weight of Set: store a key with the scene's TTL.", func(m *Mix) *int { return &m.Set }),
	mixField("delete", "Delete", "Weight of Delete: remove a key.", func(m *Mix) *int { return &m.Delete }),
	mixField("getOrLoad", "Get or load", "Weight of GetOrLoad: look a key up and, on a miss, load it (taking the load time) and store it.", func(m *Mix) *int { return &m.GetOrLoad }),
	mixField("pool", "Use a connection", "Weight of a pool operation: acquire a connection, use it for the work time, release it.", func(m *Mix) *int { return &m.Pool }),
	{spec: FieldSpec{Name: "keys", Label: "Keys", Kind: FieldInt, Min: 1, Max: 100000, Step: 1, Group: "cache",
		Help: "How many different keys the tasks use: key0, key1, ..."},
		i: func(s *Scene) *int { return &s.Keys }},
	{spec: FieldSpec{Name: "dist", Label: "Key choice", Kind: FieldChoice, Options: []string{DistUniform, DistHot}, Group: "cache",
		Help: "uniform: every key is as likely; hot: 80 % of requests go to the first tenth of the keys."},
		s: func(s *Scene) *string { return &s.Dist }},
	{spec: FieldSpec{Name: "thinkMs", Label: "Think time", Kind: FieldFloat, Min: 0, Max: 10000, Step: 1, Unit: "ms", Group: "time",
		Help: "Mean pause of a task between two operations (each lasts 0.5 to 1.5 times this). A browser waits at least about 4 ms per timer, so shorter waits last longer there: the timeline shows the times as they ran."},
		f: func(s *Scene) *float64 { return &s.ThinkMs }},
	{spec: FieldSpec{Name: "workMs", Label: "Work time", Kind: FieldFloat, Min: 0, Max: 10000, Step: 1, Unit: "ms", Group: "time",
		Help: "How long a task works while it holds the cache's lock or a connection. A browser waits at least about 4 ms per timer: the timeline shows the times as they ran."},
		f: func(s *Scene) *float64 { return &s.WorkMs }},
	{spec: FieldSpec{Name: "loadMs", Label: "Load time", Kind: FieldFloat, Min: 0, Max: 10000, Step: 1, Unit: "ms", Group: "time",
		Help: "How long loading a missing key takes in get-or-load, and opening a new connection to the pool."},
		f: func(s *Scene) *float64 { return &s.LoadMs }},
	{spec: FieldSpec{Name: "ttlMs", Label: "TTL", Kind: FieldFloat, Min: 0, Max: 3600000, Step: 100, Unit: "ms", Group: "cache",
		Help: "How long an entry lives after it is set; 0: it never expires."},
		f: func(s *Scene) *float64 { return &s.TTLMs }},
	{spec: FieldSpec{Name: "cleanupMs", Label: "Cleanup interval", Kind: FieldFloat, Min: 0, Max: 3600000, Step: 100, Unit: "ms", Group: "cache",
		Help: "How often the janitor goroutine sweeps expired entries away; 0: no janitor."},
		f: func(s *Scene) *float64 { return &s.CleanupMs }},
	{spec: FieldSpec{Name: "locking", Label: "Locking", Kind: FieldChoice, Options: []string{LockingMutex, LockingRWMutex, LockingSharded}, Group: "cache",
		Help: "mutex: one lock for everything; rwmutex: gets share a read lock; sharded: each shard of keys has its own lock."},
		s: func(s *Scene) *string { return &s.Locking }},
	{spec: FieldSpec{Name: "maxEntries", Label: "Max entries", Kind: FieldInt, Min: 0, Max: 1000000, Step: 1, Group: "cache",
		Help: "The most entries the cache keeps; past it the least recently used is evicted. 0: no limit."},
		i: func(s *Scene) *int { return &s.MaxEntries }},
	{spec: FieldSpec{Name: "poolSize", Label: "Pool size", Kind: FieldInt, Min: 1, Max: 1000, Step: 1, Group: "pool",
		Help: "How many connections the pool opens at most; more tasks than that wait in line."},
		i: func(s *Scene) *int { return &s.PoolSize }},
	{spec: FieldSpec{Name: "acquireTimeoutMs", Label: "Acquire timeout", Kind: FieldFloat, Min: 0, Max: 3600000, Step: 10, Unit: "ms", Group: "pool",
		Help: "How long a task waits for a connection before it gives up; 0: it waits forever. Opening a new connection takes the load time and counts against it."},
		f: func(s *Scene) *float64 { return &s.AcquireTimeoutMs }},
	{spec: FieldSpec{Name: "seed", Label: "Random seed", Kind: FieldInt, Min: 0, Max: maxSafeInt, Step: 1, Group: "tasks",
		Help: "The same seed gives every task the same sequence of operations and keys."},
		i64: func(s *Scene) *int64 { return &s.Seed }},
	{spec: FieldSpec{Name: "speed", Label: "Speed", Kind: FieldFloat, Min: 0.1, Max: 10, Step: 0.1, Unit: "x", Group: "time",
		Help: "Time scale of the whole scene: 2 runs twice as fast as real time, 0.5 at half speed."},
		f: func(s *Scene) *float64 { return &s.Speed }},
}

// mixField is the field of one weight of the Mix: they differ only in
// name, label, help and which weight they edit.
func mixField(name, label, help string, weight func(*Mix) *int) fieldDef {
	return fieldDef{
		spec: FieldSpec{Name: "mix." + name, Label: label, Kind: FieldInt, Min: 0, Max: 100, Step: 1, Group: "tasks", Help: help},
		i:    func(s *Scene) *int { return weight(&s.Mix) },
	}
}

var fieldIndex = func() map[string]*fieldDef {
	m := make(map[string]*fieldDef, len(fieldDefs))
	d := DefaultScene()
	for i := range fieldDefs {
		fd := &fieldDefs[i]
		fd.spec.Default = fd.get(&d)
		m[fd.spec.Name] = fd
	}
	return m
}()

func (fd *fieldDef) get(s *Scene) any {
	switch {
	case fd.i != nil:
		return *fd.i(s)
	case fd.i64 != nil:
		return *fd.i64(s)
	case fd.f != nil:
		return *fd.f(s)
	default:
		return *fd.s(s)
	}
}

// Fields returns the specification of every field of a Scene, in the order
// of a form: one source of truth for names, limits, steps and defaults. The
// slice is a copy.
func Fields() []FieldSpec {
	out := make([]FieldSpec, len(fieldDefs))
	for i, fd := range fieldDefs {
		out[i] = fd.spec
		out[i].Options = slices.Clone(fd.spec.Options)
	}
	return out
}

// FieldError is what is wrong with one field, for a learner.
type FieldError struct {
	Field   string `json:"field"`   // the JSON name, e.g. "tasks" or "mix.get"; "mix" for the mix as a whole
	Message string `json:"message"` // e.g. "tasks must be between 1 and 1000 (got 5000)"
}

// ValidationError lists every field of a scene that is wrong.
type ValidationError struct {
	Fields []FieldError `json:"fields"`
}

// Error joins the messages with "; ".
func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Message
	}
	return strings.Join(msgs, "; ")
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (fd *fieldDef) check(s *Scene) *FieldError {
	sp := &fd.spec
	bad := func(got string) *FieldError {
		return &FieldError{sp.Name, fmt.Sprintf("%s must be between %s and %s (got %s)", sp.Name, fmtNum(sp.Min), fmtNum(sp.Max), got)}
	}
	switch {
	case fd.i != nil:
		if v := *fd.i(s); float64(v) < sp.Min || float64(v) > sp.Max {
			return bad(strconv.Itoa(v))
		}
	case fd.i64 != nil:
		if v := *fd.i64(s); float64(v) < sp.Min || float64(v) > sp.Max {
			return bad(strconv.FormatInt(v, 10))
		}
	case fd.f != nil:
		v := *fd.f(s)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &FieldError{sp.Name, fmt.Sprintf("%s must be a number between %s and %s", sp.Name, fmtNum(sp.Min), fmtNum(sp.Max))}
		}
		if v < sp.Min || v > sp.Max {
			return bad(fmtNum(v))
		}
	default:
		if v := *fd.s(s); !slices.Contains(sp.Options, v) {
			return &FieldError{sp.Name, fmt.Sprintf("%s must be one of %s (got %s)", sp.Name, quoteList(sp.Options), echo(v))}
		}
	}
	return nil
}

func quoteList(opts []string) string {
	q := make([]string, len(opts))
	for i, o := range opts {
		q[i] = strconv.Quote(o)
	}
	return strings.Join(q, ", ")
}

// Validate returns nil if every field is within its limits (see Fields), or
// a *ValidationError listing each field that is not.
func (s Scene) Validate() error {
	var errs []FieldError
	for i := range fieldDefs {
		if fe := fieldDefs[i].check(&s); fe != nil {
			errs = append(errs, *fe)
		}
	}
	m := s.Mix
	if m.Get >= 0 && m.Set >= 0 && m.Delete >= 0 && m.GetOrLoad >= 0 && m.Pool >= 0 &&
		m.Get+m.Set+m.Delete+m.GetOrLoad+m.Pool == 0 {
		errs = append(errs, FieldError{"mix", "the operation mix needs at least one weight above 0"})
	}
	if errs != nil {
		return &ValidationError{errs}
	}
	return nil
}

// ValidateSpeed checks a time scale as SetSpeed and Validate do.
func ValidateSpeed(x float64) error {
	s := DefaultScene()
	s.Speed = x
	if fe := fieldIndex["speed"].check(&s); fe != nil {
		return &ValidationError{[]FieldError{*fe}}
	}
	return nil
}

// setString sets a field from its text form (a URL value, or a JSON number
// or string).
func (fd *fieldDef) setString(s *Scene, text string) *FieldError {
	sp := &fd.spec
	switch {
	case fd.i != nil, fd.i64 != nil:
		v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			// Accept 5.0 or 1e3, as JavaScript may write them.
			f, ferr := strconv.ParseFloat(strings.TrimSpace(text), 64)
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > maxSafeInt {
				return &FieldError{sp.Name, fmt.Sprintf("%s must be a whole number between %s and %s (got %s)", sp.Name, fmtNum(sp.Min), fmtNum(sp.Max), echo(text))}
			}
			v = int64(f)
		}
		if fd.i != nil {
			if v < math.MinInt32 || v > math.MaxInt32 {
				return &FieldError{sp.Name, fmt.Sprintf("%s must be between %s and %s (got %d)", sp.Name, fmtNum(sp.Min), fmtNum(sp.Max), v)}
			}
			*fd.i(s) = int(v)
		} else {
			*fd.i64(s) = v
		}
	case fd.f != nil:
		v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return &FieldError{sp.Name, fmt.Sprintf("%s must be a number between %s and %s (got %s)", sp.Name, fmtNum(sp.Min), fmtNum(sp.Max), echo(text))}
		}
		*fd.f(s) = v
	default:
		*fd.s(s) = text
	}
	return nil
}

func (fd *fieldDef) format(s *Scene) string {
	switch {
	case fd.i != nil:
		return strconv.Itoa(*fd.i(s))
	case fd.i64 != nil:
		return strconv.FormatInt(*fd.i64(s), 10)
	case fd.f != nil:
		return fmtNum(*fd.f(s))
	default:
		return *fd.s(s)
	}
}

// ParseScene reads a scene from JSON over DefaultScene: a missing field keeps
// its default, an unknown field is an error, so is a field given twice (as
// in SceneFromQuery), and the result is validated.
// A mix is given whole: {"mix": {"get": 9, "set": 1}} means gets and sets
// only (a weight it leaves out is 0), as an author would read it. Errors about fields are a
// *ValidationError (every bad field at once); malformed JSON is a plain
// error.
func ParseScene(data []byte) (Scene, error) {
	s := DefaultScene()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return s, fmt.Errorf("scene: not a JSON object: %w", err)
	}
	if top == nil {
		return s, fmt.Errorf("scene: not a JSON object")
	}
	errs := duplicateFields(data)
	setRaw := func(name string, raw json.RawMessage) {
		fd := fieldIndex[name]
		if fd == nil {
			errs = append(errs, FieldError{name, fmt.Sprintf("unknown field %s", echo(name))})
			return
		}
		raw = bytes.TrimSpace(raw)
		if fd.s != nil {
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				errs = append(errs, FieldError{name, fmt.Sprintf("%s must be one of %s (got %s)", name, quoteList(fd.spec.Options), raw)})
				return
			}
			*fd.s(&s) = v
			return
		}
		var num json.Number
		if err := json.Unmarshal(raw, &num); err != nil || len(raw) == 0 || raw[0] == '"' || string(raw) == "null" {
			kind := "a number"
			if fd.f == nil {
				kind = "a whole number"
			}
			errs = append(errs, FieldError{name, fmt.Sprintf("%s must be %s between %s and %s (got %s)", name, kind, fmtNum(fd.spec.Min), fmtNum(fd.spec.Max), raw)})
			return
		}
		if fe := fd.setString(&s, num.String()); fe != nil {
			errs = append(errs, *fe)
		}
	}
	for _, name := range sortedKeys(top) {
		raw := top[name]
		if name == "mix" {
			var mix map[string]json.RawMessage
			if err := json.Unmarshal(raw, &mix); err != nil || mix == nil {
				errs = append(errs, FieldError{"mix", "mix must be an object like {\"get\": 8, \"set\": 2}"})
				continue
			}
			s.Mix = Mix{}
			for _, k := range sortedKeys(mix) {
				setRaw("mix."+k, mix[k])
			}
			continue
		}
		if strings.HasPrefix(name, "mix.") {
			errs = append(errs, FieldError{name, fmt.Sprintf("unknown field %s", echo(name))})
			continue
		}
		setRaw(name, raw)
	}
	return s, mergeErrors(s, errs)
}

// mergeErrors adds Validate's errors for the fields that parsed to the
// parse errors, in the order of Fields.
func mergeErrors(s Scene, errs []FieldError) error {
	if errs == nil {
		return s.Validate()
	}
	bad := make(map[string]bool, len(errs))
	for _, fe := range errs {
		bad[fe.Field] = true
	}
	var ve *ValidationError
	if errors.As(s.Validate(), &ve) {
		for _, fe := range ve.Fields {
			if !bad[fe.Field] {
				errs = append(errs, fe)
			}
		}
	}
	slices.SortStableFunc(errs, func(a, b FieldError) int { return fieldOrder(a.Field) - fieldOrder(b.Field) })
	return &ValidationError{errs}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Keep the order of Fields where possible, for stable messages.
	slices.SortFunc(keys, func(a, b string) int {
		ia, ib := fieldOrder(a), fieldOrder(b)
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	return keys
}

func fieldOrder(name string) int {
	for i, fd := range fieldDefs {
		if fd.spec.Name == name || strings.HasPrefix(fd.spec.Name, name+".") {
			return i
		}
	}
	return len(fieldDefs)
}

// SceneFromQuery reads a scene from URL query parameters named as in JSON
// ("tasks", "mix.get", "ttlMs", ...) over DefaultScene, then validates it.
// Parameters that are not scene fields are ignored, so that a page can carry
// its own next to a scene; a field given twice is an error. As in
// ParseScene, a mix is given whole: if any "mix.*" parameter is there, the
// weights it leaves out are 0 (?mix.pool=1: pool operations only).
func SceneFromQuery(q url.Values) (Scene, error) {
	s := DefaultScene()
	for name := range q {
		if strings.HasPrefix(name, "mix.") && fieldIndex[name] != nil {
			s.Mix = Mix{}
			break
		}
	}
	var errs []FieldError
	var mixGiven []string
	for i := range fieldDefs {
		fd := &fieldDefs[i]
		vals, ok := q[fd.spec.Name]
		if !ok {
			continue
		}
		if strings.HasPrefix(fd.spec.Name, "mix.") {
			mixGiven = append(mixGiven, fd.spec.Name+"="+echo(vals[0]))
		}
		if len(vals) != 1 {
			errs = append(errs, FieldError{fd.spec.Name, fmt.Sprintf("%s is given %d times in the link", fd.spec.Name, len(vals))})
			continue
		}
		if fe := fd.setString(&s, vals[0]); fe != nil {
			errs = append(errs, *fe)
		}
	}
	err := mergeErrors(s, errs)
	// A link's mix is whole: say so when it leaves every weight at 0, for
	// a learner who wrote ?mix.get=0 and expected the other defaults.
	var ve *ValidationError
	if mixGiven != nil && errors.As(err, &ve) {
		for i, fe := range ve.Fields {
			if fe.Field == "mix" {
				ve.Fields[i].Message = fmt.Sprintf("the operation mix needs at least one weight above 0: the link gives %s, and a weight it leaves out is 0", strings.Join(mixGiven, ", "))
			}
		}
	}
	return s, err
}

// Query returns the scene as URL query parameters, every field, named as in
// JSON; SceneFromQuery reads it back.
func (s Scene) Query() url.Values {
	q := make(url.Values, len(fieldDefs))
	for i := range fieldDefs {
		q.Set(fieldDefs[i].spec.Name, fieldDefs[i].format(&s))
	}
	return q
}
