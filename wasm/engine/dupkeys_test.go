package engine

import (
	"errors"
	"slices"
	"testing"
)

// TestParseSceneRefusesDuplicates: a scene that gives a field twice is
// refused naming the field, as a link that does is.
func TestParseSceneRefusesDuplicates(t *testing.T) {
	_, err := ParseScene([]byte(`{"tasks": 3, "tasks": 4, "mix": {"get": 1, "get": 2}}`))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("ParseScene with repeated fields: %v, want a ValidationError", err)
	}
	var fields []string
	for _, fe := range ve.Fields {
		fields = append(fields, fe.Field+": "+fe.Message)
	}
	want := []string{"tasks: tasks is given 2 times in the scene", "mix.get: mix.get is given 2 times in the scene"}
	if !slices.Equal(fields, want) {
		t.Errorf("errors %q, want %q", fields, want)
	}
	if _, err := ParseScene([]byte(`{"tasks": 3, "mix": {"get": 1, "set": 2}}`)); err != nil {
		t.Errorf("a scene without repeats: %v", err)
	}
}

func TestDuplicateFields(t *testing.T) {
	for _, c := range []struct {
		json string
		want []string
	}{
		{`{"tasks": 3, "keys": 4}`, nil},
		{`{"tasks": 3, "tasks": 500}`, []string{"tasks is given 2 times in the scene"}},
		{`{"tasks": 3, "tasks": 4, "tasks": 5}`, []string{"tasks is given 3 times in the scene"}},
		{`{"mix": {"get": 1, "set": 2, "get": 3}}`, []string{"mix.get is given 2 times in the scene"}},
		{`{"mix": {"get": 1}, "mix": {"set": 1}}`, []string{"mix is given 2 times in the scene"}},
		{`{"keys": 2, "seed": 1, "seed": 2, "keys": 3}`, []string{"seed is given 2 times in the scene", "keys is given 2 times in the scene"}},
		// The same key in two objects is no repeat; inside arrays, each
		// element is its own object, named by the array's path.
		{`{"a": {"x": 1}, "b": {"x": 1}, "c": [{"x": 1}, {"x": 2}]}`, nil},
		{`{"c": [[{"x": 1, "x": 2}], {"x": 1, "x": 1}]}`, []string{"c.x is given 2 times in the scene"}},
		{`{"s": "{\"tasks\": 1, \"tasks\": 2}", "t": [1, "tasks", {}]}`, nil},
		// Malformed JSON: what came before the fault, no panic.
		{`{"tasks": 1, "tasks": `, []string{"tasks is given 2 times in the scene"}},
		{`{"tasks"`, nil},
		{``, nil},
		{`[1, 2`, nil},
	} {
		var got []string
		for _, fe := range duplicateFields([]byte(c.json)) {
			got = append(got, fe.Message)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("duplicateFields(%s) = %q, want %q", c.json, got, c.want)
		}
	}
}
