//go:build js && wasm

package main

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/gosharedstate/playground/wasm/engine"
)

// The pipe benchmark (e2e's BenchmarkWebPipe) replaces a running scene's
// events with its own, so the page must not be able to turn it on: its
// binding, pipeFlood, is registered only in a worker whose own URL asks for
// it (worker.js?bench=pipe). The page starts its worker at a fixed URL
// (web/app.js) and its query never reaches the worker's, so neither a link
// nor a message from an embedding page can; only the benchmark, which
// starts a second worker itself, does.
const (
	benchParam = "bench"
	benchPipe  = "pipe"
)

// benchBindings are the bindings registered only for the benchmark.
var benchBindings = map[string]binding{"pipeFlood": pipeFlood}

// benchRequested reports whether the worker's URL asks for the benchmark's
// bindings. Outside a worker (under Node) there is no location, and no.
func benchRequested(global safejs.Value) bool {
	loc, err := global.Get("location")
	if err != nil {
		return false
	}
	if t, ok := typeOf(loc); !ok || t != safejs.TypeObject {
		return false
	}
	search, err := loc.Get("search")
	if err != nil {
		return false
	}
	s, err := argString([]safejs.Value{search}, 0, "location.search")
	if err != nil {
		return false
	}
	q, err := url.ParseQuery(strings.TrimPrefix(s, "?"))
	return err == nil && q.Get(benchParam) == benchPipe
}

// flood is a synthetic event source for the pipe benchmark (make
// bench-web): while its rate is above 0, sceneDrain returns rate events per
// second of real time instead of the engine's, numbered in aux so that the
// page can check that none was lost. What a drain cannot carry (more than an
// event buffer's worth) is counted as dropped.
type flood struct {
	rate      float64
	last      time.Time
	owed      float64
	seq       int64
	dropped   int64
	started   bool
	startedAt time.Time
}

// fill appends the events owed since the last call.
func (f *flood) fill(dst []byte) []byte {
	now := time.Now()
	var ev engine.Event
	if !f.started {
		f.started, f.startedAt, f.last = true, now, now
		ev = engine.Event{Kind: engine.KindSceneStart, Task: engine.TaskScene, Key: -1, Aux: 1000}
		dst = append(dst, make([]byte, engine.EventSize)...)
		ev.Put(dst[len(dst)-engine.EventSize:])
	}
	f.owed += f.rate * now.Sub(f.last).Seconds()
	f.last = now
	n := int(f.owed)
	f.owed -= float64(n)
	if max := engine.DefaultEventBuffer; n > max {
		f.dropped += int64(n - max)
		n = max
	}
	t := float64(now.Sub(f.startedAt)) / float64(time.Millisecond)
	for range n {
		ev = engine.Event{T: t, Kind: engine.KindCacheHit, Task: int32(f.seq % 1000), Key: int32(f.seq % 10000), Aux: int32(f.seq)}
		dst = append(dst, make([]byte, engine.EventSize)...)
		ev.Put(dst[len(dst)-engine.EventSize:])
		f.seq++
	}
	return dst
}

// pipeFlood(rate) starts the pipe benchmark's synthetic source at rate
// events per second (1..10,000,000), replacing the scene's events, or stops
// it with 0. It returns JSON {sent, dropped, seconds} for the run it ends.
func pipeFlood(args []safejs.Value) (any, error) {
	rate, err := argNumber(args, 0, "rate")
	if err != nil {
		return nil, err
	}
	if rate < 0 || rate > 1e7 {
		return nil, fmt.Errorf("%w: rate must be between 0 and 10000000 events per second (got %v)", errArgs, rate)
	}
	scene.Lock()
	defer scene.Unlock()
	old := scene.flood
	scene.flood = flood{rate: rate}
	secs := 0.0
	if old.started {
		secs = time.Since(old.startedAt).Seconds()
	}
	return toJSON(map[string]any{"sent": old.seq, "dropped": old.dropped, "seconds": secs})
}
