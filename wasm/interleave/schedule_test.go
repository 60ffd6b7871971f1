package interleave

import (
	"reflect"
	"testing"
)

func TestParseSchedule(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
	}{
		{"", nil},
		{"  ", nil},
		{"0,1,0,1,0,1", []int{0, 1, 0, 1, 0, 1}},
		{" 3 , 2", []int{3, 2}},
	} {
		got, err := ParseSchedule(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseSchedule(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"0,x", `schedule "0,x": step 2 is "x", not a task number from 0 to 3`},
		{"4", `schedule "4": step 1 is "4", not a task number from 0 to 3`},
		{"-1", `schedule "-1": step 1 is "-1", not a task number from 0 to 3`},
		{"0,,1", `schedule "0,,1": step 2 is "", not a task number from 0 to 3`},
		{"0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0", `schedule "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0" has 21 steps; no run takes more than 20`},
	} {
		if _, err := ParseSchedule(c.in); err == nil || err.Error() != c.want {
			t.Errorf("ParseSchedule(%q) error = %v; want %q", c.in, err, c.want)
		}
	}
	if got := FormatSchedule([]int{0, 1, 0, 1, 0, 1}); got != "0,1,0,1,0,1" {
		t.Errorf("FormatSchedule = %q", got)
	}
	if got := FormatSchedule(nil); got != "" {
		t.Errorf("FormatSchedule(nil) = %q", got)
	}
}
