package lesson

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gosharedstate/playground/wasm/internal/goroutines"
)

func TestRunPlaysTheLesson(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var lines []Line
		if err := Run(t.Context(), Options{}, func(l Line) { lines = append(lines, l) }); err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		var text strings.Builder
		for _, l := range lines {
			count[l.Kind]++
			text.WriteString(l.Who + ": " + l.Text + "\n")
		}
		if count["insert"] != 5 || count["get"] != 5 || count["sweep"] != 4 || count["miss"] != 1 {
			t.Fatalf("counts %v, want 5 inserts, 5 gets, 4 sweeps, 1 miss; log:\n%s", count, &text)
		}
		for _, want := range []string{
			"task 3: Cache: Inserted key3.",
			"task 3: Got key3 = value3",
			"main: key4 has expired: Get returns nothing, whether or not a sweep has removed it yet (stored: 4)",
			"cleanup: Cache: Running cleanup. Current size: 5 (removed 0 expired)",
			"cleanup: Cache: Running cleanup. Current size: 4 (removed 1 expired)",
			"cleanup: Cache: Running cleanup. Current size: 0 (removed 4 expired)",
			"main: Scene over",
		} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("log lacks %q:\n%s", want, &text)
			}
		}
		// The first sweep comes one cleanup interval in; the scene's time
		// is synctest's fake clock, so these are exact.
		for _, l := range lines {
			if l.Kind == "sweep" {
				if l.At != time.Second {
					t.Errorf("first sweep at %v, want 1s", l.At)
				}
				break
			}
		}
	})
}

func TestRunStopsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
		defer cancel()
		// Only the goroutines Run started count: the process has others
		// (the runtime's, the testing package's) that come and go.
		before := goroutines.Running()
		err := Run(ctx, Options{}, func(Line) {})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Run = %v, want deadline exceeded", err)
		}
		synctest.Wait() // every goroutine of the bubble has exited or is blocked for good
		if left := goroutines.Started(before); len(left) != 0 {
			t.Fatalf("%d goroutines left behind:\n%s", len(left), strings.Join(left, "\n\n"))
		}
	})
}

func TestValidate(t *testing.T) {
	bad := []Options{
		{Tasks: -1}, {Tasks: 101}, {TTL: -time.Second}, {TTL: time.Hour},
		{Cleanup: time.Millisecond}, {Cleanup: 2 * time.Minute}, {Sweeps: 21},
	}
	for _, o := range bad {
		err := o.Validate()
		if err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", o)
			continue
		}
		if err := Run(context.Background(), o, func(Line) {}); err == nil || err.Error() != o.Validate().Error() {
			t.Errorf("Run(%+v) = %v, want the validation error", o, err)
		}
	}
	if err := (Options{Tasks: 3, TTL: time.Second, Cleanup: 100 * time.Millisecond, Sweeps: 2}).Validate(); err != nil {
		t.Errorf("valid options rejected: %v", err)
	}
}
