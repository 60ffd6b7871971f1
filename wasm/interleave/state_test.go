package interleave

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// keys returns the JSON object keys v marshals to, sorted.
func keys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// The API's field names are a contract (issue 13).
func TestContractFieldNames(t *testing.T) {
	s := load(t, Deadlock, 2, 0, 1)
	r := s.Step(0)
	if got, want := keys(t, r), []string{"count", "done", "ok", "reason", "task"}; !reflect.DeepEqual(got, want) {
		t.Errorf("stepped fields = %v, want %v", got, want)
	}
	res, _ := s.Result()
	if got, want := keys(t, res), []string{"actual", "deadlock", "expected", "steps"}; !reflect.DeepEqual(got, want) {
		t.Errorf("result fields = %v, want %v", got, want)
	}
	st := snap(t, s)
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, st) {
		t.Errorf("State does not survive JSON: %v\n%s", err, b)
	}
	if back.Lesson != Lesson || back.Variant != Deadlock || back.Challenge == "" {
		t.Errorf("state names lesson %q variant %q challenge %q", back.Lesson, back.Variant, back.Challenge)
	}
}

func TestVariants(t *testing.T) {
	if got, want := Variants(), []string{"unlocked", "locked", "update", "deadlock"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Variants() = %v, want %v", got, want)
	}
	lines := map[string][]string{
		Unlocked: {`v, _ := c.Get("count")`, `v++`, `c.Set("count", v)`},
		Locked:   {`mu.Lock()`, `v, _ := c.Get("count")`, `v++`, `c.Set("count", v)`, `mu.Unlock()`},
		Update:   {`c.Update("count", func(v int, _ bool) int { return v + 1 })`},
	}
	for v, want := range lines {
		if got := snap(t, load(t, v, 2)).Tasks[1].Lines; !reflect.DeepEqual(got, want) {
			t.Errorf("%s lines = %q, want %q", v, got, want)
		}
	}
	st := snap(t, load(t, Deadlock, 2))
	if got, want := st.Tasks[0].Lines, []string{"a.Lock()", "b.Lock()", "b.Unlock()", "a.Unlock()"}; !reflect.DeepEqual(got, want) {
		t.Errorf("deadlock task 0 = %q, want %q", got, want)
	}
	if got, want := st.Tasks[1].Lines, []string{"b.Lock()", "a.Lock()", "a.Unlock()", "b.Unlock()"}; !reflect.DeepEqual(got, want) {
		t.Errorf("deadlock task 1 = %q, want %q", got, want)
	}
}
