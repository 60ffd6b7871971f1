package interleave

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxSteps is the most steps any run can take: MaxTasks tasks of at most
// five lines each. A longer schedule cannot be valid.
const MaxSteps = MaxTasks * 5

// ParseSchedule reads a schedule as the link carries it: task indices
// separated by commas, as "0,1,0,1,0,1" ("" is no step). It checks the form
// only; Session.Load checks that each step can be taken.
func ParseSchedule(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > MaxSteps {
		return nil, fmt.Errorf("schedule %q has %d steps; no run takes more than %d", s, len(parts), MaxSteps)
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 || n >= MaxTasks {
			return nil, fmt.Errorf("schedule %q: step %d is %q, not a task number from 0 to %d", s, i+1, p, MaxTasks-1)
		}
		out[i] = n
	}
	return out, nil
}

// FormatSchedule writes a schedule as ParseSchedule reads it.
func FormatSchedule(tasks []int) string {
	parts := make([]string, len(tasks))
	for i, t := range tasks {
		parts[i] = strconv.Itoa(t)
	}
	return strings.Join(parts, ",")
}
