//go:build js && wasm

package main

import (
	"context"
	"errors"
	"net/url"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/gosharedstate/playground/wasm/engine"
	"github.com/gosharedstate/playground/wasm/lesson"
)

// The lesson bindings run issue 12's guided lessons. A lesson's runs are
// engine scenes like any other: each run's engine becomes the current
// scene (scene.eng), so the worker drains it and the page draws it on the
// same views; the lesson waits for its end on a goroutine of its own and
// resolves its Promise with the report.

var lessonRunning runSlot

// runSlot holds the cancel function of the one run of a kind that may go on
// at a time (a lesson, the seed's text-log scene): a new run ends the old.
type runSlot struct {
	mu     sync.Mutex
	cancel context.CancelFunc
}

// take makes cancel the slot's run, ending the run before it, if any.
func (s *runSlot) take(cancel context.CancelFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
	}
	s.cancel = cancel
}

// end ends the slot's run, and reports whether there was one.
func (s *runSlot) end() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel == nil {
		return false
	}
	s.cancel()
	s.cancel = nil
	return true
}

// lessonList() returns, as JSON, {lessons: [...], ids: [...]}: every
// lesson with its text, variants and result fields, and the ids the API
// lists (with "interleave", the step mode's).
func lessonList([]safejs.Value) (any, error) {
	return toJSON(map[string]any{"lessons": lesson.List(), "ids": lesson.IDs()})
}

// lessonCheck(json) judges a lesson request ({lesson, variant, reads,
// originFail}) and returns {ok, lesson, variant, scene} (scene: the one
// its first run plays, for the form) or {ok: false, errors:
// [{field, message}]} as JSON: the one check of links, messages and the
// panel.
func lessonCheck(args []safejs.Value) (any, error) {
	text, err := argString(args, 0, "request")
	if err != nil {
		return nil, err
	}
	r, errs := lesson.ParseRequest([]byte(text))
	if errs != nil {
		return toJSON(map[string]any{"ok": false, "errors": clipFields(errs)})
	}
	l, v, _ := lesson.Check(r)
	sc := lesson.FirstScene(l, v, lesson.RunOptions{Reads: r.Reads})
	return toJSON(map[string]any{"ok": true, "lesson": l.ID, "variant": v.ID, "scene": sc})
}

// lessonRun(json, onEvent) runs a lesson request. onEvent gets {type:
// "run", index, of, label, scene} as each run's scene starts (the scene as
// JSON, for the page's views), and {type: "say", text} for a program's
// lines. It returns a Promise of the report as JSON ({id, variant, result,
// reading, origin, runs}); a bad request rejects it with every field's
// message, a stopped lesson with lesson.ErrStopped's.
func lessonRun(args []safejs.Value) (any, error) {
	text, err := argString(args, 0, "request")
	if err != nil {
		return nil, err
	}
	onEvent, err := argFunc(args, 1, "onEvent")
	if err != nil {
		return nil, err
	}
	r, errs := lesson.ParseRequest([]byte(text))
	if errs != nil {
		return nil, &engine.ValidationError{Fields: clipFields(errs)}
	}
	ctx, cancel := context.WithCancel(context.Background())
	lessonRunning.take(cancel) // one lesson at a time
	return promise("lessonRun", func() (any, error) {
		defer cancel()
		env := lesson.Env{
			Started: func(i, n int, label string, e *engine.Engine) {
				scene.Lock()
				old := scene.eng
				scene.eng = e
				scene.Unlock()
				if old != nil && old != e {
					old.Stop()
				}
				sc, _ := toJSON(e.Scene())
				_, _ = onEvent.Invoke(map[string]any{"type": "run", "index": i, "of": n, "label": label, "scene": sc})
			},
			Say: func(text string) { _, _ = onEvent.Invoke(map[string]any{"type": "say", "text": text}) },
		}
		// A program lesson draws no scene: stop the one on the views.
		stopCurrent()
		l, _, _ := lesson.Check(r)
		if l.ID == "stampede" {
			o, err := pageOrigin(ctx, r.OriginFail)
			if err != nil {
				return nil, err
			}
			env.Origin, env.OriginName = o, o.Name()
		}
		rep, err := lesson.Play(ctx, r.Lesson, r.Variant, lesson.RunOptions{Reads: r.Reads}, env)
		if err != nil {
			return nil, err
		}
		return toJSON(rep)
	})
}

func stopCurrent() {
	scene.Lock()
	e := scene.eng
	scene.Unlock()
	if e != nil {
		e.Stop()
	}
}

// lessonStop() ends the running lesson, if any: its scene stops and its
// Promise rejects.
func lessonStop([]safejs.Value) (any, error) {
	return lessonRunning.end(), nil
}

// lessonCollect() runs the garbage collector (twice) and resolves with the
// number of cache janitor goroutines running in the whole instance: the
// forgot-close lesson's "collect garbage" control.
func lessonCollect([]safejs.Value) (any, error) {
	return promise("lessonCollect", func() (any, error) {
		return lesson.Collect(map[int]string{}), nil
	})
}

// pageOrigin is the stampede's origin for the page the worker runs in:
// serve.go's /origin beside it, or the static files origin/KEY.json
// shipped with it; requests go through httpGet, on this goroutine.
func pageOrigin(ctx context.Context, fail float64) (*lesson.HTTPOrigin, error) {
	loc, err := safejs.Global().Get("location")
	if err != nil {
		return nil, err
	}
	hrefV, err := loc.Get("href")
	if err != nil {
		return nil, err
	}
	href, err := hrefV.String()
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(href)
	if err != nil {
		return nil, errors.New("the worker's address cannot be read")
	}
	base = base.ResolveReference(&url.URL{Path: "./"})
	get := func(ctx context.Context, u string) (int, []byte, error) {
		r, err := httpGet(ctx, u)
		if err != nil {
			return 0, nil, err
		}
		return r.StatusCode, r.Body, nil
	}
	return lesson.DetectOrigin(ctx, base, get, fail)
}
