package engine

// What a link's message says about a parameter: which are not the scene's
// (UnknownParams, with the nearest name), and how much of a value it
// repeats (echo). Scene.go's parsing and the wasm binding read them from
// here, so that every message about the input is cut the same way.

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PageParams are the URL parameters the page reads for itself, next to a
// scene's fields: embed mode and the embedding page's origin (web/boot.js,
// web/embedmode.js, web/embedapi.js), and a lesson link's (web/lessons.js,
// ?lesson=ID&variant=V&reads=N&originFail=X). UnknownParams accepts them;
// the page reads the list from sceneSpec's pageParams.
var PageParams = []string{"embed", "parent", "lesson", "variant", "reads", "originFail"}

// UnknownParams reports each URL parameter that is neither a scene field
// nor one of PageParams, with the closest known name: SceneFromQuery
// ignores them, and a learner who wrote ?taks=3 should hear why the scene
// still has its default number of tasks.
func UnknownParams(q url.Values) []FieldError {
	known := make([]string, 0, len(fieldDefs)+len(PageParams))
	for i := range fieldDefs {
		known = append(known, fieldDefs[i].spec.Name)
	}
	known = append(known, PageParams...)
	var out []FieldError
	for _, name := range sortedKeys(q) {
		if closest(name, known) == name {
			continue // known: at distance 0 from itself
		}
		out = append(out, FieldError{name, fmt.Sprintf("the link's parameter %s is not a scene field and was ignored; the closest known name is %q", echo(name), closest(name, known))})
	}
	return out
}

// closest returns the name in names nearest to s by edit distance
// (Levenshtein, over bytes, case ignored), the first of equals.
func closest(s string, names []string) string {
	best, bestD := "", -1
	for _, n := range names {
		if n == s {
			return n
		}
		if d := editDistance(strings.ToLower(s), strings.ToLower(n)); bestD < 0 || d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b; a is cut to 64
// bytes first, so that a 100,000-byte name costs no more than a short one.
func editDistance(a, b string) int {
	if len(a) > 64 {
		a = a[:64]
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// maxEchoChars is how much of a value a message repeats: enough to
// recognise it, never a line that runs past the form's column.
const maxEchoChars = 32

// echo quotes a value for a message, cut to its first maxEchoChars
// characters with its length after: "aaaa…" (5000 characters).
func echo(s string) string {
	if utf8.RuneCountInString(s) <= maxEchoChars {
		return strconv.Quote(s)
	}
	cut := s
	for i := range s {
		if utf8.RuneCountInString(s[:i]) == maxEchoChars {
			cut = s[:i]
			break
		}
	}
	return strconv.Quote(cut+"…") + fmt.Sprintf(" (%d characters)", utf8.RuneCountInString(s))
}
