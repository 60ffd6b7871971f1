// Package lesson holds the guided lessons: their texts, their scenes on the
// engine, the results they report and the claims those results check; the
// forgot-close lesson's own program (janitors.go) and the stampede's HTTP
// origin (origin.go).
package lesson

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gosharedstate/playground/wasm/engine"
)

// Env is what a run of a lesson gets from where it runs.
type Env struct {
	// Origin is where the stampede's loader fetches values (in the page:
	// serve.go's /origin, or the static files shipped with the page);
	// OriginName says which, for the lesson's report.
	Origin     engine.Origin
	OriginName string
	// Started is called with each run's engine once it has started (run i
	// of n, 0-based), so that the page drains and draws it as any scene;
	// it may be nil.
	Started func(i, n int, label string, e *engine.Engine)
	// Say gets the lines of a lesson that is a program rather than a scene
	// (forgot-close); it may be nil.
	Say func(text string)
	// Poll is how often a run checks whether it has ended (real time);
	// 0 means 50 ms.
	Poll time.Duration
}

// Outcome is what one run measured, for the lesson's result.
type Outcome struct {
	Label    string          `json:"label"`
	Scene    engine.Scene    `json:"scene"`
	Snapshot engine.Snapshot `json:"snapshot"`
	Measures engine.Measures `json:"measures"`
	Counter  int             `json:"counter"` // the value stored under key0 at the end, as a number (0 if none)
}

// Report is a lesson run's end: its result (the contract's fields, all
// numbers), a one-line reading of it, and what each run measured.
type Report struct {
	ID      string             `json:"id"`
	Variant string             `json:"variant"`
	Result  map[string]float64 `json:"result"`
	Reading string             `json:"reading"`
	Origin  string             `json:"origin,omitempty"`
	Runs    []Outcome          `json:"runs,omitempty"`
}

// ErrStopped is returned when a lesson's scene was stopped before its end.
var ErrStopped = errors.New("the lesson's scene was stopped before its end")

// maxRunScene bounds a run that ends when its tasks are done.
const maxRunScene = 10 * time.Minute

// Play plays lesson id's variant (an empty variant: its first): each of its
// runs in turn, on an engine of its own, until its end; then it computes
// the result. It returns ctx's error if ctx ends first, and ErrStopped if
// an engine was stopped by someone else (the page's Stop).
func Play(ctx context.Context, id, variant string, o RunOptions, env Env) (Report, error) {
	l, v, err := Find(id, variant)
	if err != nil {
		return Report{}, err
	}
	if err := CheckOptions(l, o); err != nil {
		return Report{}, err
	}
	rep := Report{ID: l.ID, Variant: v.ID}
	if l.prog != nil {
		say := env.Say
		if say == nil {
			say = func(string) {}
		}
		res, err := l.prog(v.ID)(ctx, say)
		if err != nil {
			return rep, err
		}
		rep.Result = res
		rep.Reading = l.reading(v.ID, res)
		return rep, nil
	}
	if l.needsOrigin && env.Origin == nil {
		return rep, fmt.Errorf("the %s lesson needs an origin to load from", l.ID)
	}
	runs := l.runs(v.ID, o)
	for i, r := range runs {
		if o.speed > 0 {
			r.scene.Speed = o.speed
		}
		if l.needsOrigin {
			r.extras.Origin = env.Origin
		}
		out, err := playRun(ctx, r, i, len(runs), env)
		if err != nil {
			return rep, err
		}
		rep.Runs = append(rep.Runs, out)
	}
	rep.Result = l.result(v.ID, rep.Runs)
	rep.Reading = l.reading(v.ID, rep.Result)
	if l.needsOrigin {
		rep.Origin = env.OriginName
	}
	return rep, nil
}

// playRun runs one engine until its end and returns what it measured.
func playRun(ctx context.Context, r run, i, n int, env Env) (Outcome, error) {
	e, err := engine.NewWith(r.scene, r.extras)
	if err != nil {
		return Outcome{}, err
	}
	if err := e.Start(); err != nil {
		return Outcome{}, err
	}
	defer e.Stop()
	if env.Started != nil {
		env.Started(i, n, r.label, e)
	}
	poll := env.Poll
	if poll <= 0 {
		poll = 50 * time.Millisecond
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	done := e.TasksDone()
	for !r.ended(e, done) {
		select {
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		case <-tick.C:
		}
		if e.State() == engine.StateStopped {
			return Outcome{}, ErrStopped
		}
		if e.SceneTime() > maxRunScene {
			return Outcome{}, fmt.Errorf("the run %q did not end within %v of scene time", r.label, maxRunScene)
		}
	}
	m := e.Measure()
	counter, _ := e.Peek(0)
	e.Stop()
	out := Outcome{Label: r.label, Scene: e.Scene(), Snapshot: e.Snapshot(), Measures: m}
	out.Counter, _ = strconv.Atoi(counter)
	return out, nil
}

// ended reports whether run r of e is over: its scene seconds are up, or
// its tasks are done and its sweeps have run.
func (r run) ended(e *engine.Engine, done <-chan struct{}) bool {
	if r.seconds > 0 {
		return e.SceneTime() >= time.Duration(r.seconds*float64(time.Second))
	}
	select {
	case <-done:
	default:
		return false
	}
	return e.Measure().Sweeps >= uint64(r.sweeps)
}

// sleep waits d, or until ctx ends (then it returns ctx's error).
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
