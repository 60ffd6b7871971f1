package main

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// precompressed are the copies `make build` and `make dist` leave beside a
// file, best first: brotli is a fifth smaller than gzip on the wasm.
var precompressed = []struct{ coding, suffix string }{
	{"br", ".br"},
	{"gzip", ".gz"},
}

// acceptedQ is the q-value Accept-Encoding gives a content coding (RFC 9110
// section 12.5.3): the coding's own entry, else "*", else 0. Names are
// matched without case; q, too ("Q=0"). An entry whose q is not a valid
// qvalue ("q=abc", "q=-1", "q=0.", "q=1.5") makes the coding not acceptable:
// a header that cannot be read is no permission to compress.
func acceptedQ(header, coding string) float64 {
	own, star := -1.0, -1.0
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				q = parseQValue(strings.TrimSpace(v))
			}
		}
		switch {
		case strings.EqualFold(name, coding):
			own = q
		case name == "*":
			star = q
		}
	}
	if own >= 0 {
		return own
	}
	if star >= 0 {
		return star
	}
	return 0
}

// parseQValue reads qvalue = ("0" ["." 0*3DIGIT]) / ("1" ["." 0*3"0"]); a
// value of another form reads as 0 (not acceptable).
func parseQValue(v string) float64 {
	whole, frac, dot := strings.Cut(v, ".")
	if (whole != "0" && whole != "1") || (dot && (frac == "" || len(frac) > 3)) {
		return 0
	}
	for _, c := range frac {
		if c < '0' || c > '9' || (whole == "1" && c != '0') {
			return 0
		}
	}
	q, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	return q
}

// serveFile answers with the plain file rel or one of its precompressed
// copies: the best coding the client accepts (highest q, br before gzip on
// a tie) whose copy exists and is not older than the file. Each
// representation has its own strong ETag, so a conditional or Range request
// is judged against the bytes it would get, and Range applies to those
// bytes (the Accept-Ranges: bytes that http.ServeContent sends holds for
// them). Every answer varies with Accept-Encoding.
func serveFile(w http.ResponseWriter, r *http.Request, root *os.Root, rel string, info fs.FileInfo) {
	w.Header().Add("Vary", "Accept-Encoding")
	accept := r.Header.Get("Accept-Encoding")
	coding, best := "", 0.0
	var f *os.File
	var size int64
	for _, c := range precompressed {
		q := acceptedQ(accept, c.coding)
		if q <= best {
			continue
		}
		zrel, _, err := lookup(root, rel+c.suffix)
		if err != nil {
			continue
		}
		zf, zinfo, err := openRegular(root, zrel)
		if err != nil {
			continue
		}
		// To the second: brotli copies the file's time to the copy
		// without its fraction.
		if zinfo.ModTime().Before(info.ModTime().Truncate(time.Second)) {
			zf.Close() // stale beside a newer build
			continue
		}
		if f != nil {
			f.Close()
		}
		f, size, coding, best = zf, zinfo.Size(), c.coding, q
	}
	if f == nil {
		var err error
		if f, info, err = openRegular(root, rel); err != nil {
			http.NotFound(w, r)
			return
		}
		size = info.Size()
	}
	defer f.Close()
	etag := fmt.Sprintf(`"%x-%x`, info.ModTime().UnixNano(), info.Size())
	if coding != "" {
		etag += "-" + coding
	}
	w.Header().Set("ETag", etag+`"`)
	if err := checkRange(r.Header.Get("Range"), size); err != nil {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		http.Error(w, err.Error(), http.StatusRequestedRangeNotSatisfiable)
		return
	}
	if coding != "" {
		w = &encodedWriter{ResponseWriter: w, coding: coding}
	}
	http.ServeContent(w, r, rel, info.ModTime(), f)
}

// encodedWriter sets Content-Encoding only on an answer that carries the
// encoded bytes (200 or 206): a 304, 412 or 416 has no such body.
type encodedWriter struct {
	http.ResponseWriter
	coding string
	wrote  bool
}

func (e *encodedWriter) WriteHeader(code int) {
	if !e.wrote && (code == http.StatusOK || code == http.StatusPartialContent) {
		e.Header().Set("Content-Encoding", e.coding)
	}
	e.wrote = true
	e.ResponseWriter.WriteHeader(code)
}

func (e *encodedWriter) Write(b []byte) (int, error) {
	if !e.wrote {
		e.WriteHeader(http.StatusOK)
	}
	return e.ResponseWriter.Write(b)
}
