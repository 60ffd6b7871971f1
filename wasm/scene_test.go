//go:build js && wasm

package main

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/gosharedstate/playground/wasm/engine"
)

func callString(t *testing.T, method string, args ...any) string {
	t.Helper()
	v, err := pg(t).Call(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	if msg := errorMessage(t, v); msg != "" {
		t.Fatalf("%s: %s", method, msg)
	}
	if v.Type() == safejs.TypeObject { // a Promise
		v, msg := await(t, v)
		if msg != "" {
			t.Fatalf("%s rejected: %s", method, msg)
		}
		s, _ := v.String()
		return s
	}
	s, err := v.String()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSceneSpec(t *testing.T) {
	var spec struct {
		Fields    []engine.FieldSpec  `json:"fields"`
		Kinds     []string            `json:"kinds"`
		EventSize int                 `json:"eventSize"`
		Flags     engine.FlagCodes    `json:"flags"`
		Record    engine.RecordLayout `json:"record"`
	}
	if err := json.Unmarshal([]byte(callString(t, "sceneSpec")), &spec); err != nil {
		t.Fatal(err)
	}
	if len(spec.Fields) == 0 || len(spec.Kinds) == 0 || spec.EventSize != engine.EventSize {
		t.Fatalf("spec %+v", spec)
	}
	// The page decodes records with these alone.
	if spec.Record != engine.Layout() || spec.Flags.LockOpShift != engine.LockOpShift || spec.Flags.Fails[engine.FailTimeout] != "timeout" {
		t.Errorf("spec's record %+v, flags %+v", spec.Record, spec.Flags)
	}
}

func TestSceneParseReportsFields(t *testing.T) {
	var res sceneResult
	if err := json.Unmarshal([]byte(callString(t, "sceneParse", `{"tasks": 5000, "locking": "spin"}`)), &res); err != nil {
		t.Fatal(err)
	}
	if res.OK || len(res.Errors) != 2 {
		t.Fatalf("result %+v, want two field errors", res)
	}
	got := res.Errors[0].Field + " " + res.Errors[1].Field
	if !strings.Contains(got, "tasks") || !strings.Contains(got, "locking") {
		t.Errorf("errors name %q", got)
	}
	if err := json.Unmarshal([]byte(callString(t, "sceneFromQuery", "?tasks=3&locking=rwmutex")), &res); err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Scene.Tasks != 3 || res.Scene.Locking != "rwmutex" || !strings.Contains(res.Query, "tasks=3") {
		t.Fatalf("from query: %+v", res)
	}
	if err := json.Unmarshal([]byte(callString(t, "sceneParse", `{"tasks": `)), &res); err != nil {
		t.Fatal(err)
	}
	if res.OK || len(res.Errors) != 1 {
		t.Fatalf("malformed JSON gave %+v", res)
	}
}

// TestSceneFromQueryUnknownAndParsed: a link's parameters that are not the
// scene's come back with the closest name, and a refused link comes back
// as it reads (the mix it gives in part is 0 elsewhere), for the form.
func TestSceneFromQueryUnknownAndParsed(t *testing.T) {
	var res sceneResult
	if err := json.Unmarshal([]byte(callString(t, "sceneFromQuery", "?taks=3&embed=1")), &res); err != nil {
		t.Fatal(err)
	}
	if !res.OK || len(res.Unknown) != 1 || res.Unknown[0].Field != "taks" || !strings.Contains(res.Unknown[0].Message, `closest known name is "tasks"`) {
		t.Fatalf("unknown: %+v", res)
	}
	res = sceneResult{}
	if err := json.Unmarshal([]byte(callString(t, "sceneFromQuery", "?mix.get=0&tasks=7")), &res); err != nil {
		t.Fatal(err)
	}
	if res.OK || res.Parsed == nil || res.Parsed.Tasks != 7 || res.Parsed.Mix != (engine.Mix{}) {
		t.Fatalf("parsed: %+v", res)
	}
}

func TestSceneBadArguments(t *testing.T) {
	for _, c := range []struct {
		method string
		args   []any
		want   string
	}{
		{"sceneParse", []any{42}, "scene must be a string, not the number 42"},
		{"sceneStart", nil, "scene must be a string, not nothing"},
		{"sceneSpeed", []any{"fast"}, `speed must be a number, not the string "fast"`},
		{"sceneSpeed", []any{50}, "speed"},
	} {
		v, err := pg(t).Call(c.method, c.args...)
		if err != nil {
			t.Fatal(err)
		}
		if msg := errorMessage(t, v); !strings.Contains(msg, c.want) {
			t.Errorf("%s(%v) = %q, want an error containing %q", c.method, c.args, msg, c.want)
		}
	}
}

func TestSceneRunDrainStop(t *testing.T) {
	var res sceneResult
	scene := `{"tasks": 3, "thinkMs": 5, "workMs": 2, "ttlMs": 50, "cleanupMs": 20, "speed": 1}`
	if err := json.Unmarshal([]byte(callString(t, "sceneStart", scene)), &res); err != nil {
		t.Fatal(err)
	}
	if !res.OK {
		t.Fatalf("start: %+v", res)
	}
	kinds := map[engine.Kind]int{}
	deadline := time.Now().Add(time.Minute)
	for kinds[engine.KindSweepEnd] == 0 || kinds[engine.KindLockAcquired] == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no sweep or lock event; kinds so far %v", kinds)
		}
		time.Sleep(20 * time.Millisecond)
		v, err := pg(t).Call("sceneDrain")
		if err != nil {
			t.Fatal(err)
		}
		if v.IsNull() {
			continue
		}
		n, _ := v.Length()
		if n%engine.EventSize != 0 {
			t.Fatalf("drained %d bytes, not whole records", n)
		}
		b := make([]byte, n)
		if _, err := safejs.CopyBytesToGo(b, v); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i += engine.EventSize {
			kinds[engine.Kind(binary.LittleEndian.Uint16(b[i+16:]))]++
		}
	}
	if s := callString(t, "sceneSnapshot"); !strings.Contains(s, `"state":"running"`) {
		t.Errorf("snapshot %s", s)
	}
	if st := callString(t, "sceneStop"); st != "stopped" {
		t.Errorf("after stop, state %q", st)
	}
}

func TestPipeFlood(t *testing.T) {
	p := benchPG(t)
	v, err := p.Call("pipeFlood", -5)
	if err != nil {
		t.Fatal(err)
	}
	if msg := errorMessage(t, v); !strings.Contains(msg, "rate must be between 0 and 10000000") {
		t.Fatalf("bad rate: %q", msg)
	}
	callFlood(t, 100000)
	var seq []int32
	for len(seq) < 1000 {
		time.Sleep(10 * time.Millisecond)
		v, err := p.Call("sceneDrain")
		if err != nil {
			t.Fatal(err)
		}
		if v.IsNull() {
			continue
		}
		n, _ := v.Length()
		b := make([]byte, n)
		if _, err := safejs.CopyBytesToGo(b, v); err != nil {
			t.Fatal(err)
		}
		for _, e := range engine.DecodeEvents(b) {
			if e.Kind == engine.KindCacheHit {
				seq = append(seq, e.Aux)
			}
		}
	}
	var res struct{ Sent, Dropped int64 }
	if err := json.Unmarshal([]byte(callFlood(t, 0)), &res); err != nil {
		t.Fatal(err)
	}
	for i, s := range seq {
		if s != int32(i) {
			t.Fatalf("event %d carries number %d: the source skipped or repeated", i, s)
		}
	}
	if res.Sent != int64(len(seq)) || res.Dropped != 0 {
		t.Errorf("sent %d, dropped %d; drained %d", res.Sent, res.Dropped, len(seq))
	}
}
