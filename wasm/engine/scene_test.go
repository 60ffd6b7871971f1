package engine

import (
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultSceneIsValid(t *testing.T) {
	if err := DefaultScene().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestFieldsMatchSceneAndDefaults(t *testing.T) {
	d := DefaultScene()
	data, _ := json.Marshal(d)
	var flat map[string]any
	_ = json.Unmarshal(data, &flat)
	mix := flat["mix"].(map[string]any)
	delete(flat, "mix")
	for k, v := range mix {
		flat["mix."+k] = v
	}
	seen := map[string]bool{}
	for _, f := range Fields() {
		if seen[f.Name] {
			t.Errorf("field %q listed twice", f.Name)
		}
		seen[f.Name] = true
		v, ok := flat[f.Name]
		if !ok {
			t.Errorf("field %q is not a JSON field of Scene", f.Name)
			continue
		}
		switch def := f.Default.(type) {
		case string:
			if v != def {
				t.Errorf("%s: default %v, scene %v", f.Name, def, v)
			}
			if f.Kind != FieldChoice || len(f.Options) == 0 {
				t.Errorf("%s: a string field must be a choice with options", f.Name)
			}
		default:
			n := reflect.ValueOf(def).Convert(reflect.TypeFor[float64]()).Float()
			if v.(float64) != n {
				t.Errorf("%s: default %v, scene %v", f.Name, def, v)
			}
			if n < f.Min || n > f.Max || f.Step <= 0 {
				t.Errorf("%s: default %v outside [%v, %v] or no step", f.Name, n, f.Min, f.Max)
			}
		}
		if f.Label == "" || f.Help == "" || f.Group == "" {
			t.Errorf("%s: missing label, help or group", f.Name)
		}
	}
	if len(seen) != len(flat) {
		t.Errorf("Fields has %d fields, Scene has %d", len(seen), len(flat))
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		field string
		edit  func(*Scene)
		msg   string
	}{
		{"tasks", func(s *Scene) { s.Tasks = 5000 }, "tasks must be between 1 and 1000 (got 5000)"},
		{"tasks", func(s *Scene) { s.Tasks = 0 }, "tasks must be between 1 and 1000 (got 0)"},
		{"mix.get", func(s *Scene) { s.Mix.Get = -1 }, "mix.get must be between 0 and 100 (got -1)"},
		{"mix.set", func(s *Scene) { s.Mix.Set = 101 }, "mix.set must be between 0 and 100 (got 101)"},
		{"mix.delete", func(s *Scene) { s.Mix.Delete = 1000 }, "mix.delete must be between 0 and 100 (got 1000)"},
		{"mix.getOrLoad", func(s *Scene) { s.Mix.GetOrLoad = -5 }, "mix.getOrLoad must be between 0 and 100 (got -5)"},
		{"mix.pool", func(s *Scene) { s.Mix.Pool = 200 }, "mix.pool must be between 0 and 100 (got 200)"},
		{"mix", func(s *Scene) { s.Mix = Mix{} }, "the operation mix needs at least one weight above 0"},
		{"keys", func(s *Scene) { s.Keys = 0 }, "keys must be between 1 and 100000 (got 0)"},
		{"keys", func(s *Scene) { s.Keys = 100001 }, "keys must be between 1 and 100000 (got 100001)"},
		{"dist", func(s *Scene) { s.Dist = "zipf" }, `dist must be one of "uniform", "hot" (got "zipf")`},
		{"thinkMs", func(s *Scene) { s.ThinkMs = -1 }, "thinkMs must be between 0 and 10000 (got -1)"},
		{"thinkMs", func(s *Scene) { s.ThinkMs = math.NaN() }, "thinkMs must be a number between 0 and 10000"},
		{"workMs", func(s *Scene) { s.WorkMs = 10000.5 }, "workMs must be between 0 and 10000 (got 10000.5)"},
		{"loadMs", func(s *Scene) { s.LoadMs = math.Inf(1) }, "loadMs must be a number between 0 and 10000"},
		{"ttlMs", func(s *Scene) { s.TTLMs = 3600001 }, "ttlMs must be between 0 and 3600000 (got 3600001)"},
		{"cleanupMs", func(s *Scene) { s.CleanupMs = -0.5 }, "cleanupMs must be between 0 and 3600000 (got -0.5)"},
		{"locking", func(s *Scene) { s.Locking = "Mutex" }, `locking must be one of "mutex", "rwmutex", "sharded" (got "Mutex")`},
		{"maxEntries", func(s *Scene) { s.MaxEntries = -1 }, "maxEntries must be between 0 and 1000000 (got -1)"},
		{"poolSize", func(s *Scene) { s.PoolSize = 0 }, "poolSize must be between 1 and 1000 (got 0)"},
		{"acquireTimeoutMs", func(s *Scene) { s.AcquireTimeoutMs = -10 }, "acquireTimeoutMs must be between 0 and 3600000 (got -10)"},
		{"seed", func(s *Scene) { s.Seed = -1 }, "seed must be between 0 and 9007199254740991 (got -1)"},
		{"seed", func(s *Scene) { s.Seed = 1 << 53 }, "seed must be between 0 and 9007199254740991 (got 9007199254740992)"},
		{"speed", func(s *Scene) { s.Speed = 0.05 }, "speed must be between 0.1 and 10 (got 0.05)"},
		{"speed", func(s *Scene) { s.Speed = 11 }, "speed must be between 0.1 and 10 (got 11)"},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.field] = true
		s := DefaultScene()
		tt.edit(&s)
		err := s.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: Validate() = %v, want a *ValidationError", tt.field, err)
			continue
		}
		if len(ve.Fields) != 1 || ve.Fields[0].Field != tt.field || ve.Fields[0].Message != tt.msg {
			t.Errorf("%s: got %+v, want one error %q", tt.field, ve.Fields, tt.msg)
		}
	}
	for _, f := range Fields() {
		if !covered[f.Name] {
			t.Errorf("no validation test for field %q", f.Name)
		}
	}
	// Limits themselves are valid, and several errors are all reported.
	s := DefaultScene()
	s.Tasks, s.Keys, s.Speed, s.Seed = 1000, 100000, 10, maxSafeInt
	if err := s.Validate(); err != nil {
		t.Errorf("limits: %v", err)
	}
	s.Tasks, s.Speed = -1, 0
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "tasks must") || !strings.Contains(err.Error(), "; speed must") {
		t.Errorf("two bad fields: %v", err)
	}
}

func TestParseScene(t *testing.T) {
	s, err := ParseScene([]byte(`{"tasks": 7, "mix": {"pool": 50}, "locking": "rwmutex"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultScene()
	want.Tasks, want.Mix, want.Locking = 7, Mix{Pool: 50}, LockingRWMutex
	if s != want {
		t.Errorf("got %+v, want %+v", s, want)
	}
	bad := []struct{ in, field, msg string }{
		{`{"taks": 3}`, "taks", `unknown field "taks"`},
		{`{"mix": {"put": 3, "get": 1}}`, "mix.put", `unknown field "mix.put"`},
		{`{"tasks": 1.5}`, "tasks", `tasks must be a whole number between 1 and 1000 (got "1.5")`},
		{`{"tasks": "3"}`, "tasks", `tasks must be a whole number between 1 and 1000 (got "3")`},
		{`{"tasks": 5000}`, "tasks", "tasks must be between 1 and 1000 (got 5000)"},
		{`{"speed": "fast"}`, "speed", `speed must be a number between 0.1 and 10 (got "fast")`},
		{`{"tasks": null}`, "tasks", "tasks must be a whole number between 1 and 1000 (got null)"},
		{`{"dist": 3}`, "dist", `dist must be one of "uniform", "hot" (got 3)`},
		{`{"mix": 3}`, "mix", `mix must be an object like {"get": 8, "set": 2}`},
		{`{"mix": {"get": 0, "set": 0, "delete": 0, "getOrLoad": 0, "pool": 0}}`, "mix", "the operation mix needs at least one weight above 0"},
	}
	for _, b := range bad {
		_, err := ParseScene([]byte(b.in))
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != b.field || ve.Fields[0].Message != b.msg {
			t.Errorf("ParseScene(%s) = %v, want %s: %s", b.in, err, b.field, b.msg)
		}
	}
	for _, in := range []string{``, `[1]`, `null`, `{`} {
		if _, err := ParseScene([]byte(in)); err == nil {
			t.Errorf("ParseScene(%q) = nil error", in)
		}
	}
	// 1e3 and 5.0 are whole numbers, as JavaScript may write them.
	if s, err := ParseScene([]byte(`{"tasks": 5.0, "keys": 1e3}`)); err != nil || s.Tasks != 5 || s.Keys != 1000 {
		t.Errorf("5.0 and 1e3: %+v, %v", s, err)
	}
}

func TestRoundTrip(t *testing.T) {
	s := DefaultScene()
	s.Tasks, s.Mix, s.Keys, s.Dist = 123, Mix{1, 2, 3, 4, 5}, 99999, DistHot
	s.ThinkMs, s.WorkMs, s.LoadMs, s.TTLMs, s.CleanupMs = 0.25, 1e4, 7, 3600000, 0
	s.Locking, s.MaxEntries, s.PoolSize, s.AcquireTimeoutMs = LockingSharded, 1000000, 1000, 12.5
	s.Seed, s.Speed = maxSafeInt, 0.1
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseScene(data)
	if err != nil || got != s {
		t.Errorf("JSON: %s -> %+v, %v", data, got, err)
	}
	q := s.Query()
	got, err = SceneFromQuery(q)
	if err != nil || got != s {
		t.Errorf("query: %s -> %+v, %v", q.Encode(), got, err)
	}
	// Through the text of a link.
	q2, _ := url.ParseQuery(q.Encode() + "&view=lock")
	if got, err = SceneFromQuery(q2); err != nil || got != s {
		t.Errorf("link: %+v, %v", got, err)
	}
	for _, f := range Fields() {
		if !q.Has(f.Name) {
			t.Errorf("Query lacks %q", f.Name)
		}
	}
}

func TestSceneFromQuery(t *testing.T) {
	s, err := SceneFromQuery(url.Values{"tasks": {"9"}, "mix.pool": {"3"}, "view": {"pool"}})
	want := DefaultScene()
	want.Tasks, want.Mix = 9, Mix{Pool: 3}
	if err != nil || s != want {
		t.Errorf("got %+v, %v", s, err)
	}
	_, err = SceneFromQuery(url.Values{"tasks": {"x"}, "speed": {"20"}, "keys": {"1", "2"}})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 3 {
		t.Fatalf("got %v", err)
	}
	want3 := []FieldError{
		{"tasks", `tasks must be a whole number between 1 and 1000 (got "x")`},
		{"keys", "keys is given 2 times in the link"},
		{"speed", "speed must be between 0.1 and 10 (got 20)"},
	}
	if !reflect.DeepEqual(ve.Fields, want3) {
		t.Errorf("got %+v", ve.Fields)
	}
}
