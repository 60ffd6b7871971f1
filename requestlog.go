package main

import (
	"fmt"
	"log"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// statusRecorder remembers the status and size of a response for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// inFlight is the set of requests being answered, so that shutdown can say
// which ones it cut off.
type inFlight struct {
	mu   sync.Mutex
	next int
	reqs map[int]string
}

func newInFlight() *inFlight { return &inFlight{reqs: map[int]string{}} }

func (f *inFlight) add(what string) (done func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.next
	f.next++
	f.reqs[id] = what
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.reqs, id)
	}
}

// list names the requests still running, oldest first.
func (f *inFlight) list() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []int
	for id := range f.reqs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []string
	for _, id := range ids {
		out = append(out, f.reqs[id])
	}
	return out
}

// logRequests logs one line per request, method, path, status, bytes and
// duration, and keeps the request in flight while it runs.
func logRequests(l *log.Logger, flight *inFlight, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		what := fmt.Sprintf("%s %s from %s", sanitize(r.Method), sanitize(r.URL.RequestURI()), sanitize(r.RemoteAddr))
		done := flight.add(what)
		defer done()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		l.Printf("%s %s %d %dB %s", sanitize(r.Method), sanitize(r.URL.RequestURI()), rec.status, rec.bytes, time.Since(start).Round(time.Microsecond))
	})
}

// maxLogField is the most bytes of one request field a log line shows.
const maxLogField = 512

// sanitize makes a request field safe to print on a terminal: C0 and C1
// controls, DEL, bidirectional overrides and isolates (which reorder what a
// terminal shows), and invalid UTF-8 are written as escapes, and the result
// is cut at maxLogField bytes with the length that was left out.
func sanitize(s string) string {
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= maxLogField {
			fmt.Fprintf(&b, "…(%d more bytes)", len(s)-i)
			break
		}
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || isBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isBidiControl reports the characters that change the display order of
// text: the marks, embeddings, overrides and isolates.
func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
