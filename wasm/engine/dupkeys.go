package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// duplicateFields returns an error for each key that an object in the JSON
// text data gives more than once, named by its dotted path ("tasks",
// "mix.get"), in the order they first repeat; nil if there is none.
//
// encoding/json keeps the last of a repeated key without a word, so
// {"tasks": 3, "tasks": 500} would read as 500 while a person reading the
// text may well see 3. A link that repeats a field is refused
// (SceneFromQuery); so is a scene that does, by the same rule.
//
// It reads the tokens only: malformed JSON stops it where the text goes
// wrong, and json.Unmarshal reports that.
func duplicateFields(data []byte) []FieldError {
	// A frame is an open object or array. An array's elements take its
	// path: {"a": [{"x": 1, "x": 2}]} repeats "a.x".
	type frame struct {
		array   bool
		path    string         // the dotted path of the value, "" at the top
		seen    map[string]int // an object's keys, how often each came
		wantKey bool           // an object's next token is a key (or its end)
		key     string         // the key whose value comes next
	}
	var (
		stack []*frame
		order []string // the repeated keys' paths, first repeat first
		times = map[string]int{}
	)
	join := func(prefix, key string) string {
		if prefix == "" {
			return key
		}
		return prefix + "." + key
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			break // the end of the text, or malformed JSON
		}
		var top *frame
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		if top != nil && !top.array && top.wantKey {
			if key, ok := tok.(string); ok {
				top.seen[key]++
				path := join(top.path, key)
				if top.seen[key] == 2 && times[path] < 2 {
					order = append(order, path)
				}
				times[path] = max(times[path], top.seen[key])
				top.wantKey, top.key = false, key
				continue
			}
			// Not a key: the object's closing brace, below.
		}
		// The path of a value that starts here.
		path := ""
		if top != nil {
			path = top.path
			if !top.array {
				path = join(top.path, top.key)
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{path: path, seen: map[string]int{}, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{array: true, path: path})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value has ended: the object it was in wants its next key.
		if n := len(stack); n > 0 && !stack[n-1].array {
			stack[n-1].wantKey = true
		}
	}
	var errs []FieldError
	for _, path := range order {
		errs = append(errs, FieldError{path, fmt.Sprintf("%s is given %d times in the scene", path, times[path])})
	}
	return errs
}
