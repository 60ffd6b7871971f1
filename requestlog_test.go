package main

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/a b", "/a b"},
		{"/\x1b[31m", `/\u001b[31m`},
		{"/\u009b31m", `/\u009b31m`},
		{"/\u202eevil", `/\u202eevil`},
		{"/\u2066x\u2069", `/\u2066x\u2069`},
		{"/\xff", `/\xff`},
		{"/é\uFFFD", "/é\uFFFD"},
	} {
		if got := sanitize(tt.in); got != tt.want {
			t.Errorf("sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := sanitize("/" + strings.Repeat("a", 64<<10))
	if len(long) > maxLogField+40 || !strings.HasSuffix(long, "more bytes)") {
		t.Errorf("a 64 KB field logs as %d bytes ending %q", len(long), long[len(long)-20:])
	}
}
