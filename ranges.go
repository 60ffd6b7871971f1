package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxRanges is the most ranges one request may ask for. A browser asks for
// one; thousands of one-byte ranges would make a multipart answer many
// times the size of the request.
const maxRanges = 8

// checkRange refuses a Range header that http.ServeContent would answer
// badly or wastefully: anything but "bytes=" followed by first-last, first-
// or -suffix specs; a suffix of 0 (bytes=-0, which asks for nothing);
// last before first; more than maxRanges ranges; and ranges that overlap.
// Ranges that start past the end are left to ServeContent (416 if none is
// satisfiable). An empty header is no range request.
func checkRange(header string, size int64) error {
	if header == "" {
		return nil
	}
	unit, specs, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return fmt.Errorf("Range %+q: only bytes=first-last ranges are served", cut(header, 64))
	}
	type span struct{ first, last int64 }
	var spans []span
	n := 0
	for spec := range strings.SplitSeq(specs, ",") {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		if n++; n > maxRanges {
			return fmt.Errorf("Range: more than %d ranges", maxRanges)
		}
		a, b, ok := strings.Cut(spec, "-")
		if !ok {
			return fmt.Errorf("Range %+q: want first-last", cut(spec, 64))
		}
		first, errA := digits(a)
		last, errB := digits(b)
		switch {
		case a == "" && (errB != nil || last == 0):
			return fmt.Errorf("Range %+q: a suffix range needs a length above 0", cut(spec, 64))
		case a == "":
			spans = append(spans, span{max(size-last, 0), size - 1})
		case errA != nil || (b != "" && errB != nil):
			return fmt.Errorf("Range %+q: want first-last", cut(spec, 64))
		case b != "" && last < first:
			return fmt.Errorf("Range %+q: last before first", cut(spec, 64))
		case first >= size:
			// Not satisfiable; ServeContent skips it.
		case b == "" || last >= size:
			spans = append(spans, span{first, size - 1})
		default:
			spans = append(spans, span{first, last})
		}
	}
	if n == 0 {
		return errors.New("Range: no range")
	}
	slices.SortFunc(spans, func(x, y span) int { return int(min(max(x.first-y.first, -1), 1)) })
	for i := 1; i < len(spans); i++ {
		if spans[i].first <= spans[i-1].last {
			return errors.New("Range: ranges overlap")
		}
	}
	return nil
}

// digits reads a non-empty run of ASCII digits.
func digits(s string) (int64, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New("not digits")
	}
	return strconv.ParseInt(s, 10, 64)
}

// cut shortens s for a message.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
