//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/gosharedstate/playground/wasm/engine"
)

// The scene bindings drive one engine.Engine at a time. Results that carry
// structure (specs, scenes, snapshots, validation errors) cross the boundary
// as JSON strings: one call, one string, parsed once by the worker.

var scene struct {
	sync.Mutex
	eng   *engine.Engine
	buf   []byte // Drain's buffer, reused: room for a full event buffer
	flood flood  // the pipe benchmark's synthetic source, when on
}

// sceneResult is what sceneParse, sceneFromQuery and sceneStart return: the
// scene, or every field that is wrong.
type sceneResult struct {
	OK     bool                `json:"ok"`
	Scene  *engine.Scene       `json:"scene,omitempty"`
	Query  string              `json:"query,omitempty"`
	Errors []engine.FieldError `json:"errors,omitempty"`
	// sceneFromQuery only: the link's parameters that are not the scene's
	// (ignored, each with the closest known name), and, when the scene is
	// refused, what the link asked for with every value that parsed, so
	// that the form shows what would run (?mix.get=0: every weight 0).
	Unknown []engine.FieldError `json:"unknown,omitempty"`
	Parsed  *engine.Scene       `json:"parsed,omitempty"`
}

func resultOf(s engine.Scene, err error) (string, error) {
	return toJSON(result(s, err))
}

func result(s engine.Scene, err error) sceneResult {
	var verr *engine.ValidationError
	switch {
	case err == nil:
		return sceneResult{OK: true, Scene: &s, Query: s.Query().Encode()}
	case errors.As(err, &verr):
		return sceneResult{Errors: clipFields(verr.Fields)}
	default:
		// Malformed JSON and the like: no single field to point at.
		return sceneResult{Errors: clipFields([]engine.FieldError{{Field: "", Message: err.Error()}})}
	}
}

// clipFields cuts what the engine's messages echo of the input (an unknown
// field's name, a bad value): a 20 MB value comes back as its first bytes
// and its length, not whole.
func clipFields(fs []engine.FieldError) []engine.FieldError {
	out := make([]engine.FieldError, len(fs))
	for i, fe := range fs {
		out[i] = engine.FieldError{Field: clip(fe.Field, maxEcho), Message: clip(fe.Message, maxFieldMessage)}
	}
	return out
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// sceneSpec() returns, as JSON, what the page needs to build its controls
// and read events: {fields, defaults, hotShare} for the form, and {kinds,
// ops, lockOps, flags, record, eventSize} for the decoder. The page names
// nothing of its own: it reads a record's fields at record's offsets, maps
// its kind to a name with kinds, and decodes its flags with flags.
func sceneSpec([]safejs.Value) (any, error) {
	return toJSON(map[string]any{
		"fields":     engine.Fields(),
		"defaults":   engine.DefaultScene(),
		"hotShare":   engine.HotShare,
		"kinds":      engine.KindNames(),
		"ops":        engine.OpNames(),
		"lockOps":    engine.LockOpNames(),
		"flags":      engine.Flags(),
		"record":     engine.Layout(),
		"eventSize":  engine.EventSize,
		"pageParams": engine.PageParams,
	})
}

// sceneParse(json) validates a scene given as JSON (missing fields take
// their defaults) and returns a sceneResult as JSON.
func sceneParse(args []safejs.Value) (any, error) {
	s, err := argString(args, 0, "scene")
	if err != nil {
		return nil, err
	}
	return resultOf(engine.ParseScene([]byte(s)))
}

// sceneFromQuery(query) reads a scene from a URL query string (with or
// without its "?") and returns a sceneResult as JSON.
func sceneFromQuery(args []safejs.Value) (any, error) {
	s, err := argString(args, 0, "query")
	if err != nil {
		return nil, err
	}
	if len(s) > 0 && s[0] == '?' {
		s = s[1:]
	}
	q, err := url.ParseQuery(s)
	if err != nil {
		return resultOf(engine.Scene{}, fmt.Errorf("the link's query is malformed: %v", err))
	}
	sc, err := engine.SceneFromQuery(q)
	res := result(sc, err)
	res.Unknown = clipFields(engine.UnknownParams(q))
	if !res.OK {
		res.Parsed = &sc
	}
	return toJSON(res)
}

// sceneStart(json) stops the running scene, if any, and starts this one. It
// returns a Promise of a sceneResult as JSON: a scene with bad fields does
// not start, and the result lists them.
func sceneStart(args []safejs.Value) (any, error) {
	text, err := argString(args, 0, "scene")
	if err != nil {
		return nil, err
	}
	return promise("sceneStart", func() (any, error) {
		s, err := engine.ParseScene([]byte(text))
		if err != nil {
			return resultOf(s, err)
		}
		eng, err := engine.New(s)
		if err != nil {
			return resultOf(s, err)
		}
		scene.Lock()
		old := scene.eng
		scene.eng = eng
		scene.Unlock()
		if old != nil {
			old.Stop()
		}
		if err := eng.Start(); err != nil {
			return nil, err
		}
		return resultOf(s, nil)
	})
}

func current() (*engine.Engine, error) {
	scene.Lock()
	defer scene.Unlock()
	if scene.eng == nil {
		return nil, errors.New("no scene has been started")
	}
	return scene.eng, nil
}

// scenePause() freezes the running scene.
func scenePause([]safejs.Value) (any, error) {
	e, err := current()
	if err != nil {
		return nil, err
	}
	e.Pause()
	return e.State(), nil
}

// sceneResume() lets a paused scene run on.
func sceneResume([]safejs.Value) (any, error) {
	e, err := current()
	if err != nil {
		return nil, err
	}
	e.Resume()
	return e.State(), nil
}

// sceneSpeed(x) changes the scene's time scale, live.
func sceneSpeed(args []safejs.Value) (any, error) {
	x, err := argNumber(args, 0, "speed")
	if err != nil {
		return nil, err
	}
	e, err := current()
	if err != nil {
		if verr := engine.ValidateSpeed(x); verr != nil {
			return nil, verr
		}
		return x, nil // nothing runs yet: the next scene takes it from its fields
	}
	if err := e.SetSpeed(x); err != nil {
		return nil, err
	}
	return x, nil
}

// sceneStop() stops the scene and resolves once every goroutine of it has
// ended (it waits, so it runs on its own goroutine).
func sceneStop([]safejs.Value) (any, error) {
	return promise("sceneStop", func() (any, error) {
		scene.Lock()
		e := scene.eng
		scene.Unlock()
		if e == nil {
			return "stopped", nil
		}
		e.Stop()
		return e.State(), nil
	})
}

// sceneDrain() returns the events recorded since the last call as one
// Uint8Array of engine.EventSize-byte records, or null when there are none.
// The worker calls it once per animation frame.
func sceneDrain([]safejs.Value) (any, error) {
	scene.Lock()
	if scene.buf == nil {
		scene.buf = make([]byte, 0, (engine.DefaultEventBuffer+64)*engine.EventSize)
	}
	e := scene.eng
	if scene.flood.rate <= 0 && e == nil {
		scene.Unlock()
		return nil, nil
	}
	var buf []byte
	if scene.flood.rate > 0 {
		buf = scene.flood.fill(scene.buf[:0])
	} else {
		buf = e.Drain(scene.buf[:0])
	}
	scene.buf = buf[:0]
	scene.Unlock()
	if len(buf) == 0 {
		return nil, nil
	}
	ctor, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return nil, err
	}
	arr, err := ctor.New(len(buf))
	if err != nil {
		return nil, err
	}
	if _, err := safejs.CopyBytesToJS(arr, buf); err != nil {
		return nil, err
	}
	return arr, nil
}

// sceneSnapshot() returns the running scene's numbers as JSON, or null.
func sceneSnapshot([]safejs.Value) (any, error) {
	e, err := current()
	if err != nil {
		return nil, nil
	}
	return toJSON(e.Snapshot())
}
