package lesson

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gosharedstate/playground/wasm/engine"
)

// The guided lessons (issue 12): each is one or a few variants of a
// prepared scene, a short text (what to watch, the claim, try-this steps,
// what is true in the browser and natively), and a result computed from
// what its run measured. The ids, the variant ids and the result field
// names are a contract (links, the postMessage API and tests outside the
// repository use them): they are written once, in lessons.go.

// Lesson is one guided lesson, as the page shows it (JSON for the page).
type Lesson struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Prompt  string   `json:"prompt"`  // the seed lesson's question or failure it answers
	Watch   string   `json:"watch"`   // what to watch for in the views
	Claim   string   `json:"claim"`   // what it demonstrates, which the run measures
	TryThis []string `json:"tryThis"` // steps that change one setting at a time
	Where   string   `json:"where"`   // what is true in the browser, and natively
	Native  *Native  `json:"native,omitempty"`
	Result  []string `json:"result"` // the result fields, in order: all numbers
	// Reads says the lesson takes a read share (0..100 % of gets), as
	// rwmutex does: the "control for the read share".
	Reads    bool      `json:"reads,omitempty"`
	Variants []Variant `json:"variants"`
	// Views says whether its runs play on the playground's views (an
	// engine scene); forgot-close runs a program of its own instead.
	Views bool `json:"views"`

	runs        func(v string, o RunOptions) []run
	result      func(v string, rs []Outcome) map[string]float64
	prog        func(v string) program // instead of runs, for a lesson that is not a scene
	reading     func(v string, r map[string]float64) string
	needsOrigin bool // its loads come from Env.Origin
}

// program is a lesson that runs Go code of its own rather than a scene: it
// says what happens as lines, and returns its result.
type program func(ctx context.Context, say func(string)) (map[string]float64, error)

// Variant is one version of a lesson's scene.
type Variant struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Text  string `json:"text"`           // what is different in it, and what it shows
	Code  string `json:"code,omitempty"` // the Go it runs, in short
}

// Native are figures measured natively, with how and where.
type Native struct {
	Text    string      `json:"text"`
	Command string      `json:"command"`
	Machine string      `json:"machine"`
	Date    string      `json:"date"`
	Source  string      `json:"source"`
	Rows    [][2]string `json:"rows"` // label, figure
}

// RunOptions are the learner's settings of a run, beyond the variant.
type RunOptions struct {
	// Reads is the read share of the rwmutex lesson, in percent (10..100,
	// the rest are sets); 0 means its default, 90. Only a lesson with
	// Reads takes it.
	Reads int `json:"reads"`
	// speed overrides the scenes' speed (tests only).
	speed float64
}

// run is one engine run of a lesson: its scene, its extras, and when it
// ends.
type run struct {
	label  string
	scene  engine.Scene
	extras engine.Extras
	// seconds of scene time, or 0: until the tasks are done and
	// sweeps sweeps have run.
	seconds float64
	sweeps  int
}

// List returns every lesson, in the order of the page.
func List() []Lesson {
	out := make([]Lesson, len(lessons))
	copy(out, lessons)
	return out
}

// IDs returns the lesson ids, in order, with "interleave" (the step
// mode's lesson, which the page runs with its own bindings).
func IDs() []string {
	ids := make([]string, 0, len(lessons)+1)
	for _, l := range lessons {
		ids = append(ids, l.ID)
	}
	return append(ids, Interleave)
}

// Interleave is the id of the step mode's lesson: listed with the others,
// run by the page's step mode, not by this package.
const Interleave = "interleave"

// Find returns the lesson and the variant for a link's or a message's
// lesson and variant (an empty variant: the lesson's first), or an error
// that names the field and the value: the one place both are judged.
func Find(id, variant string) (*Lesson, *Variant, error) {
	i := slices.IndexFunc(lessons, func(l Lesson) bool { return l.ID == id })
	if i < 0 {
		return nil, nil, fmt.Errorf("lesson must be one of %s (got %s)", quoteAll(IDs()), quote(id))
	}
	l := &lessons[i]
	if variant == "" {
		return l, &l.Variants[0], nil
	}
	j := slices.IndexFunc(l.Variants, func(v Variant) bool { return v.ID == variant })
	if j < 0 {
		ids := make([]string, len(l.Variants))
		for k, v := range l.Variants {
			ids[k] = v.ID
		}
		return nil, nil, fmt.Errorf("variant must be one of %s for the lesson %s (got %s)", quoteAll(ids), quote(id), quote(variant))
	}
	return l, &l.Variants[j], nil
}

// quote quotes a value from outside, cut to 40 characters.
func quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		return strconv.Quote(string(r[:40])) + "…"
	}
	return strconv.Quote(s)
}

func quoteAll(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = strconv.Quote(id)
	}
	return strings.Join(q, ", ")
}

// CheckOptions judges a run's options for lesson l.
func CheckOptions(l *Lesson, o RunOptions) error {
	if o.Reads != 0 && (o.Reads < 10 || o.Reads > 100) {
		return fmt.Errorf("reads must be a whole percentage from 10 to 100 (got %d)", o.Reads)
	}
	if o.Reads != 0 && !l.Reads {
		return fmt.Errorf("reads is a setting of the rwmutex lesson only (the lesson is %q)", l.ID)
	}
	return nil
}

// Request is how a page asks for a lesson run: from a link
// (?lesson=ID&variant=V), the postMessage API or the lessons panel.
type Request struct {
	Lesson  string `json:"lesson"`
	Variant string `json:"variant"`
	Reads   int    `json:"reads"` // see RunOptions.Reads
	// OriginFail is serve.go's ?fail= for the stampede's origin (0..1),
	// to see failed loads: they are errors, never cached.
	OriginFail float64 `json:"originFail"`
}

// ParseRequest reads a Request from JSON and checks it (see Check): an
// unknown field, a value of the wrong type, or a bad value is a
// FieldError naming the field and the value.
func ParseRequest(data []byte) (Request, []engine.FieldError) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return Request{}, []engine.FieldError{{Field: "", Message: "a lesson request must be a JSON object"}}
	}
	var r Request
	var errs []engine.FieldError
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		var dst any
		switch k {
		case "lesson":
			dst = &r.Lesson
		case "variant":
			dst = &r.Variant
		case "reads":
			dst = &r.Reads
		case "originFail":
			dst = &r.OriginFail
		default:
			errs = append(errs, engine.FieldError{Field: k, Message: fmt.Sprintf("unknown field %s: the fields are lesson, variant, reads and originFail", quote(k))})
			continue
		}
		if err := json.Unmarshal(raw[k], dst); err != nil {
			errs = append(errs, engine.FieldError{Field: k, Message: fmt.Sprintf("%s has the wrong type (got %s)", k, quote(string(raw[k])))})
		}
	}
	if errs != nil {
		return r, errs
	}
	_, _, errs = Check(r)
	return r, errs
}

// Check judges a request: the one place a lesson id, a variant and the
// run's settings are checked, for links, messages and the panel alike.
func Check(r Request) (*Lesson, *Variant, []engine.FieldError) {
	if r.Lesson == Interleave {
		return nil, nil, []engine.FieldError{{Field: "lesson", Message: "the lesson \"interleave\" runs in the step mode, not as a scene"}}
	}
	l, v, err := Find(r.Lesson, r.Variant)
	if err != nil {
		field := "lesson"
		if strings.HasPrefix(err.Error(), "variant") {
			field = "variant"
		}
		return nil, nil, []engine.FieldError{{Field: field, Message: err.Error()}}
	}
	var errs []engine.FieldError
	if err := CheckOptions(l, RunOptions{Reads: r.Reads}); err != nil {
		errs = append(errs, engine.FieldError{Field: "reads", Message: err.Error()})
	}
	if !(r.OriginFail >= 0 && r.OriginFail <= 1) {
		errs = append(errs, engine.FieldError{Field: "originFail", Message: fmt.Sprintf("originFail must be a share from 0 to 1 (got %v)", r.OriginFail)})
	} else if r.OriginFail > 0 && !l.needsOrigin {
		errs = append(errs, engine.FieldError{Field: "originFail", Message: fmt.Sprintf("originFail is a setting of the stampede lesson only (the lesson is %q)", l.ID)})
	}
	return l, v, errs
}

// FirstScene is the scene a lesson's variant starts with (its first run's),
// for the form to show when the lesson is chosen; a program lesson, which
// plays no scene, gives the default scene.
func FirstScene(l *Lesson, v *Variant, o RunOptions) engine.Scene {
	if l.runs == nil {
		return engine.DefaultScene()
	}
	return l.runs(v.ID, o)[0].scene
}
